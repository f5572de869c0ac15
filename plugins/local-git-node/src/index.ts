/**
 * The local git server of the portal's local defaults: the server itself (also
 * `@internal/plugin-local-git-node/server`, importable by Node without a build), its client, the
 * `localGit` settings, and the URL reader the catalog and TechDocs read its repositories with.
 *
 * @packageDocumentation
 */
export {
  startLocalGitServer,
  isLoopbackUrl,
  LOOPBACK_HOSTS,
  type LocalGitServer,
  type LocalGitServerOptions,
  type LocalGitRepository,
} from './server/localGitServer';
export {
  REPOSITORY_NAME_PATTERN,
  repositoryNameProblem,
} from './server/repositoryName';
export {
  serveGitHttpBackend,
  readRequestBody,
  MAX_GIT_REQUEST_BYTES,
  type GitHttpBackendOptions,
} from './server/gitHttpBackend';
export {
  readLocalGitConfig,
  LOCAL_GIT_CONFIG_KEY,
  type LocalGitConfig,
} from './lib/config';
export {
  parseLocalGitUrl,
  localGitContentsUrl,
  localGitCloneUrl,
  type LocalGitLocation,
} from './lib/urls';
export { LocalGitClient } from './lib/LocalGitClient';
export { LocalGitUrlReader } from './reader/LocalGitUrlReader';
export { localGitUrlReaderFactory } from './reader/localGitUrlReaderFactory';
