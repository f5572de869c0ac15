/**
 * Scaffolder action `publish:local-git` and the repository hosts the form's picker offers: the
 * local git server of the local defaults, and GitHub and Azure DevOps when the portal has
 * credentials for them.
 *
 * @packageDocumentation
 */
export { scaffolderModuleLocalGit as default } from './module';
export {
  createPublishLocalGitAction,
  PUBLISH_LOCAL_GIT_ID,
} from './actions/publishLocalGit';
export { repositoryHosts, type RepositoryHost } from './lib/repositoryHosts';
export type { RepositoryHostsResponse } from './lib/router';
export { parseRepoUrlWithLocalGit } from './lib/parseRepoUrlFilter';
