import { InputError } from '@backstage/errors';
import type { ScmIntegrationRegistry } from '@backstage/integration';
import {
  repositoryNameProblem,
  type LocalGitConfig,
} from '@internal/plugin-local-git-node';
import { parseRepoUrl } from '@backstage/plugin-scaffolder-node';

/** What the template filter answers; the built-in's RepoSpec. */
export type RepoSpec = ReturnType<typeof parseRepoUrl>;

/**
 * The scaffolder's `parseRepoUrl` template filter, extended with the local git server's host
 * (`127.0.0.1:7008?repo=<name>`, which has no `integrations` entry): the built-in parses every
 * other host. Registered under the built-in's name, so templates keep writing
 * `(parameters.repoUrl | parseRepoUrl).host`.
 *
 * @public
 */
export function parseRepoUrlWithLocalGit(
  repoUrl: string,
  integrations: ScmIntegrationRegistry,
  local: LocalGitConfig | undefined,
): RepoSpec {
  let parsed: URL | undefined;
  try {
    parsed = new URL(`https://${repoUrl}`);
  } catch {
    // the built-in names the problem
  }
  if (!local || parsed?.host !== local.host) {
    return parseRepoUrl(repoUrl, integrations);
  }
  const repo = parsed.searchParams.get('repo') ?? '';
  const problem = repositoryNameProblem(repo);
  if (problem) {
    throw new InputError(`${repoUrl}: ${problem}`);
  }
  return { host: parsed.host, repo };
}
