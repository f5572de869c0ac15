import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DefaultAzureDevOpsCredentialsProvider,
  ScmIntegrationRegistry,
  ScmIntegrations,
} from '@backstage/integration';
import { parseRepoUrl } from '@backstage/plugin-scaffolder-node';
import type { NotConfigured } from '@internal/plugin-scaffolder-portal-node';
import { AzureDevOpsClient } from './client';
import { describeIdentity, Identity } from './errors';

/** Azure DevOps Services; `azurePipelines.apiBaseUrl` replaces it (a stand-in in tests). */
export const DEFAULT_API_BASE_URL = 'https://dev.azure.com';
const AZURE_HOST = 'dev.azure.com';

/** Where the calls of one step go, and with whose token. */
export interface ConnectInput {
  organization: string;
  project: string;
  /** The signed-in user's token, from the template's `secrets`; the portal's PAT when absent. */
  token?: string;
}

/** Where a repository's pipeline lives, worked out from the repository URL. */
export interface PipelineLocation {
  organization: string;
  project: string;
  repository:
    | { type: 'azureReposGit'; name: string }
    | { type: 'gitHub'; name: string };
}

/** The location inputs every action takes. */
export interface LocationInput {
  /** As the publish actions take it, e.g. `dev.azure.com?organization=o&project=p&repo=r`. */
  repoUrl: string;
  /** For a GitHub repository: the Azure DevOps organization and project of its pipeline. */
  organization?: string;
  project?: string;
}

/** Makes the client of one step; shared by the actions of this module. */
export interface ClientFactory {
  /** A client signed with the step's token, or the portal's; fails saying how when there is none. */
  client(input: ConnectInput): Promise<AzureDevOpsClient>;
  /** A web address in the project, e.g. `_build`; needs no token (dry runs use it). */
  webUrl(where: Omit<ConnectInput, 'token'>, path: string): string;
  /** Works out organization, project and repository from `repoUrl`, as the publish actions do. */
  locate(input: LocationInput): PipelineLocation;
  /**
   * Why the pipeline steps cannot run here for this repository, or undefined when they can: a
   * repository on a host Azure Pipelines does not build from (neither Azure Repos nor GitHub), or
   * no token for its organization (neither the step's nor an `integrations.azure` credential).
   * Malformed input is left to {@link ClientFactory.locate}, which names what is wrong.
   */
  notConfigured(
    input: LocationInput & { token?: string },
    options?: { portalTokenOnly?: boolean },
  ): PipelinesNotConfigured | undefined;
  /**
   * Why the portal cannot run the pipeline steps of an organization with its own token (no
   * `integrations.azure` credential for it), or undefined when it can; the decision
   * {@link ClientFactory.notConfigured} makes when the step passes no token of its own.
   */
  organizationNotConfigured(
    organization: string,
  ): PipelinesNotConfigured | undefined;
}

/** Why the pipeline steps cannot run: the repository's host, or no token for its organization. */
export interface PipelinesNotConfigured extends NotConfigured {
  /** `host` also holds for a dry run; `token` only for a real one (dry runs need no token). */
  reason: 'host' | 'token';
}

/** Options of {@link createClientFactory}. */
export interface ClientFactoryOptions {
  config: Config;
  /** Replaced in tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
  /** Waits between retries; replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
}

// Microsoft Entra access tokens (what a signed-in user's Azure DevOps token is) are JWTs and go
// in a Bearer header; anything else is a personal access token, sent as Basic with an empty user.
const JWT = /^eyJ[\w-]*\.[\w-]+\.[\w-]*$/;

/** The `Authorization` value for a token passed by the template. */
export function authorizationFor(token: string): string {
  return JWT.test(token)
    ? `Bearer ${token}`
    : `Basic ${Buffer.from(`:${token}`).toString('base64')}`;
}

/**
 * The organization as the `integrations.azure` credential for it spells it, `*` for a credential
 * of every organization, or undefined when there is none. Without one, `@backstage/integration`
 * falls back to `DefaultAzureCredential` (whatever Azure identity the host has, which is no Azure
 * DevOps user), and it looks organizations up case-sensitively, so the portal finds the
 * credential itself and asks for it by its own spelling.
 */
function credentialFor(
  integrations: ScmIntegrationRegistry,
  organization: string,
): string | undefined {
  const credentials =
    integrations.azure.byHost(AZURE_HOST)?.config.credentials ?? [];
  for (const c of credentials) {
    const named = c.organizations?.find(
      o => o.toLowerCase() === organization.toLowerCase(),
    );
    if (named) {
      return named;
    }
  }
  return credentials.some(c => !c.organizations?.length) ? '*' : undefined;
}

/**
 * Creates clients signed with the template's token when it passes one (the signed-in user's), else
 * with the credentials of the `integrations.azure` entry for dev.azure.com (the PAT in
 * `AZURE_DEVOPS_TOKEN`).
 */
export function createClientFactory(
  options: ClientFactoryOptions,
): ClientFactory {
  const baseUrl =
    options.config.getOptionalString('azurePipelines.apiBaseUrl') ??
    DEFAULT_API_BASE_URL;
  const integrations = ScmIntegrations.fromConfig(options.config);
  const credentials =
    DefaultAzureDevOpsCredentialsProvider.fromIntegrations(integrations);

  const client = async ({ organization, project, token }: ConnectInput) => {
    const identity: Identity = token ? 'user' : 'portal';
    let authorization: string | undefined;
    if (token) {
      authorization = authorizationFor(token);
    } else if (credentialFor(integrations, organization)) {
      const spelled = credentialFor(integrations, organization)!;
      try {
        const found = await credentials.getCredentials({
          url: `${DEFAULT_API_BASE_URL}/${encodeURIComponent(
            spelled === '*' ? organization : spelled,
          )}`,
        });
        authorization = found?.headers.Authorization;
      } catch (e) {
        throw new InputError(
          `The portal could not get ${describeIdentity(
            identity,
          )} for organization '${organization}' from its integrations.azure credentials: ${
            (e as Error).message
          }`,
        );
      }
    }
    if (!authorization) {
      throw new InputError(
        `The portal has no Azure DevOps token for organization '${organization}': set AZURE_DEVOPS_TOKEN (the integrations.azure ` +
          `credential for dev.azure.com) to a personal access token of its service account with the scopes listed in docs/azure-devops.md.`,
      );
    }
    return new AzureDevOpsClient({
      baseUrl,
      organization,
      project,
      authorization,
      identity,
      fetch: options.fetch,
      sleep: options.sleep,
    });
  };

  const locate = ({
    repoUrl,
    organization,
    project,
  }: LocationInput): PipelineLocation => {
    const parsed = parseRepoUrl(repoUrl, integrations);
    const type = integrations.byHost(parsed.host)?.type;
    if (type === 'azure') {
      if (parsed.host !== AZURE_HOST || !parsed.organization) {
        throw new InputError(
          `The repository URL '${repoUrl}' is not an Azure DevOps Services repository with an organization: ` +
            `the pipeline steps work with dev.azure.com?organization=<org>&project=<project>&repo=<name>.`,
        );
      }
      // The repository's own project holds its pipeline; explicit inputs are for GitHub only.
      return {
        organization: parsed.organization,
        project: parsed.project!,
        repository: { type: 'azureReposGit', name: parsed.repo },
      };
    }
    if (type === 'github') {
      if (!organization || !project) {
        throw new InputError(
          `The pipeline of GitHub repository '${parsed.owner}/${parsed.repo}' lives in an Azure DevOps project the repository URL ` +
            `does not name: give the step the inputs organization and project.`,
        );
      }
      return {
        organization,
        project,
        repository: { type: 'gitHub', name: `${parsed.owner}/${parsed.repo}` },
      };
    }
    throw new InputError(
      `Azure pipelines can be created for repositories on Azure Repos or GitHub; '${parsed.host}' is a ${type} host.`,
    );
  };

  const organizationNotConfigured: ClientFactory['organizationNotConfigured'] =
    organization =>
      credentialFor(integrations, organization)
        ? undefined
        : {
            reason: 'token',
            service: 'Azure DevOps',
            missing: `the portal has no Azure DevOps token for organization '${organization}'`,
            connect:
              'set AZURE_DEVOPS_TOKEN (the integrations.azure credential for dev.azure.com) to a personal access token with the scopes in docs/azure-devops.md and restart the portal',
          };

  const notConfigured: ClientFactory['notConfigured'] = (input, how) => {
    // As parseRepoUrl reads it, but without its error for a host no integration names.
    let host: string;
    try {
      host = new URL(`https://${input.repoUrl}`).host;
    } catch {
      return undefined;
    }
    const type = integrations.byHost(host)?.type;
    if (type !== 'azure' && type !== 'github') {
      return {
        reason: 'host',
        service: 'Azure Pipelines',
        missing: `the repository is on ${host}, which Azure Pipelines does not build from`,
        connect:
          "create the service on Azure DevOps or GitHub with the portal's AZURE_DEVOPS_TOKEN set (docs/azure-devops.md)",
      };
    }
    let where: PipelineLocation;
    try {
      where = locate(input);
    } catch {
      return undefined;
    }
    const token = how?.portalTokenOnly ? undefined : input.token;
    return token ? undefined : organizationNotConfigured(where.organization);
  };

  return {
    client,
    locate,
    notConfigured,
    organizationNotConfigured,
    webUrl: ({ organization, project }, path) =>
      new AzureDevOpsClient({
        baseUrl,
        organization,
        project,
        authorization: '',
        identity: 'portal',
      }).webUrl(path),
  };
}
