import type { Config } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { readLocalGitConfig } from '@internal/plugin-local-git-node';

/** One place a template can create a repository in, as the form's repository picker shows it. @public */
export interface RepositoryHost {
  /** As in the repository URL the picker writes: `<host>?…&repo=<name>`. */
  host: string;
  type: 'local-git' | 'github' | 'azure';
  title: string;
  /** Whether the portal has what it needs to create a repository there. */
  available: boolean;
  /** When not available: what to configure, in one sentence. */
  missing?: string;
}

/**
 * The repository hosts among `allowed` (a template's list, in its order; every host when empty),
 * the local git server first, each saying whether the portal holds credentials for it. Only the
 * configuration is read: a token that is set but wrong is found out by the publish step.
 *
 * @public
 */
export function repositoryHosts(
  config: Config,
  allowed: string[] = [],
): RepositoryHost[] {
  const integrations = ScmIntegrations.fromConfig(config);
  const local = readLocalGitConfig(config);
  const hosts: RepositoryHost[] = [];
  if (local) {
    hosts.push({
      host: local.host,
      type: 'local-git',
      title: 'This machine (local git server)',
      available: true,
    });
  }
  for (const github of integrations.github.list()) {
    const { token, apps } = github.config;
    hosts.push({
      host: github.config.host,
      type: 'github',
      title: github.config.host === 'github.com' ? 'GitHub' : github.title,
      available: Boolean(token) || Boolean(apps?.length),
      missing: `${github.config.host} needs a token with repository rights: set GITHUB_TOKEN (integrations.github)`,
    });
  }
  for (const azure of integrations.azure.list()) {
    const credentials = azure.config.credentials ?? [];
    hosts.push({
      host: azure.config.host,
      type: 'azure',
      title:
        azure.config.host === 'dev.azure.com' ? 'Azure DevOps' : azure.title,
      available: credentials.some(c =>
        'personalAccessToken' in c ? Boolean(c.personalAccessToken) : true,
      ),
      missing: `${azure.config.host} needs a personal access token: add one under integrations.azure credentials (app-config.local.yaml; AZURE_DEVOPS_TOKEN in production)`,
    });
  }
  const listed = (h: RepositoryHost) =>
    allowed.length === 0 || allowed.includes(h.host) || h.type === 'local-git';
  return hosts
    .filter(listed)
    .map(h => (h.available ? { ...h, missing: undefined } : h))
    .sort((a, b) => {
      if (a.type === 'local-git') return -1;
      if (b.type === 'local-git') return 1;
      return allowed.indexOf(a.host) - allowed.indexOf(b.host);
    });
}
