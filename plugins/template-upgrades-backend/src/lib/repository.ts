import type { Entity } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { ScmIntegrations } from '@backstage/integration';
import {
  AzureReposPullRequests,
  GitHubPullRequests,
  PullRequestHost,
} from './pullRequests';

/** Where a service's repository is and how the portal reaches it. */
export interface ServiceRepository {
  cloneUrl: string;
  /** git's `Authorization` header; from the integrations config, never logged. */
  authorization: string;
  defaultBranch: string;
  pullRequests: PullRequestHost;
}

const SOURCE_LOCATION = 'backstage.io/source-location';

/**
 * Reads the repository from the entity's `backstage.io/source-location` (what the service
 * template writes: `url:https://github.com/<owner>/<repo>/tree/main/` or
 * `url:https://dev.azure.com/<org>/<project>/_git/<repo>`), and its token from the
 * `integrations` entry of that host.
 */
export function serviceRepository(
  entity: Entity,
  config: Config,
): ServiceRepository {
  const location = entity.metadata.annotations?.[SOURCE_LOCATION]?.replace(
    /^url:/,
    '',
  );
  if (!location) {
    throw new InputError(
      `The entity has no ${SOURCE_LOCATION} annotation, so its repository is unknown; add it to its catalog-info.yaml`,
    );
  }
  const url = new URL(location);
  const integrations = ScmIntegrations.fromConfig(config);
  const integration = integrations.byUrl(url.toString());
  const parts = url.pathname.split('/').filter(Boolean);
  if (integration?.type === 'github') {
    const { token, apiBaseUrl } = integrations.github.byUrl(
      url.toString(),
    )!.config;
    if (!token) {
      throw new InputError(
        `integrations.github for ${url.host} has no token; the portal needs one to push the upgrade branch and open its pull request`,
      );
    }
    const [owner, repo, tree, branch] = parts;
    return {
      cloneUrl: `${url.origin}/${owner}/${repo}.git`,
      authorization: `Basic ${Buffer.from(`x-access-token:${token}`).toString(
        'base64',
      )}`,
      defaultBranch: tree === 'tree' && branch ? branch : 'main',
      pullRequests: new GitHubPullRequests({
        apiBaseUrl: apiBaseUrl ?? 'https://api.github.com',
        owner,
        repo,
        token,
      }),
    };
  }
  if (integration?.type === 'azure') {
    const [org, project, marker, repo] = parts;
    if (marker !== '_git' || !repo) {
      throw new InputError(
        `${SOURCE_LOCATION} ${location} is not an Azure Repos URL of the form https://dev.azure.com/<organization>/<project>/_git/<repository>`,
      );
    }
    const azure = integrations.azure.byUrl(url.toString())!.config;
    const credential = (azure.credentials ?? []).find(
      c =>
        'personalAccessToken' in c &&
        (!c.organizations || c.organizations.includes(decodeURIComponent(org))),
    ) as { personalAccessToken?: string } | undefined;
    const token = credential?.personalAccessToken;
    if (!token) {
      throw new InputError(
        `integrations.azure for ${url.host} has no personal access token for ${org}; the portal needs one (Code: Read & write) to push the upgrade branch and open its pull request`,
      );
    }
    return {
      cloneUrl: `${url.origin}/${org}/${project}/_git/${repo}`,
      authorization: `Basic ${Buffer.from(`:${token}`).toString('base64')}`,
      defaultBranch: 'main',
      pullRequests: new AzureReposPullRequests({
        projectUrl: `${url.origin}/${org}/${project}`,
        repo: decodeURIComponent(repo),
        token,
      }),
    };
  }
  throw new InputError(
    `No GitHub or Azure DevOps integration is configured for ${url.host}; add it under integrations in app-config`,
  );
}
