import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  DefaultAzureDevOpsCredentialsProvider,
  ScmIntegrations,
} from '@backstage/integration';
import { AzureDevOpsClient } from './client';

/** Azure DevOps Services; `azurePipelines.apiBaseUrl` replaces it (a stand-in in tests). */
export const DEFAULT_API_BASE_URL = 'https://dev.azure.com';

/** Where the calls of one step go. */
export interface ConnectInput {
  organization: string;
  project: string;
  /** A token the template passes (the signed-in user's, from `secrets`); else the PAT from config. */
  token?: string;
}

/** Makes the client of one step; shared by the actions of this module. */
export interface ClientFactory {
  /** A client signed with the step's token; fails when there is none. */
  client(input: ConnectInput): Promise<AzureDevOpsClient>;
  /** A web address in the project, e.g. `_build`; needs no token (dry runs use it). */
  webUrl(input: Omit<ConnectInput, 'token'>, path: string): string;
}

/** Options of {@link createClientFactory}. */
export interface ClientFactoryOptions {
  config: Config;
  /** Replaced in tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
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
 * Creates clients signed with the template's token when it passes one, else with the credentials
 * of the `integrations.azure` entry for dev.azure.com (the PAT in `AZURE_DEVOPS_TOKEN`).
 */
export function createClientFactory(
  options: ClientFactoryOptions,
): ClientFactory {
  const baseUrl =
    options.config.getOptionalString('azurePipelines.apiBaseUrl') ??
    DEFAULT_API_BASE_URL;
  const credentials = DefaultAzureDevOpsCredentialsProvider.fromIntegrations(
    ScmIntegrations.fromConfig(options.config),
  );
  const client = async ({ organization, project, token }: ConnectInput) => {
    let authorization: string | undefined;
    if (token) {
      authorization = authorizationFor(token);
    } else {
      // Credentials are configured per host and organization of Azure DevOps Services.
      const found = await credentials.getCredentials({
        url: `${DEFAULT_API_BASE_URL}/${encodeURIComponent(organization)}`,
      });
      authorization = found?.headers.Authorization;
    }
    if (!authorization) {
      throw new InputError(
        `No Azure DevOps token for organization '${organization}': set AZURE_DEVOPS_TOKEN (integrations.azure ` +
          `credentials for dev.azure.com) to a personal access token with the scopes listed in docs/azure-devops.md.`,
      );
    }
    return new AzureDevOpsClient({
      baseUrl,
      organization,
      project,
      authorization,
      fetch: options.fetch,
    });
  };
  return {
    client,
    webUrl: ({ organization, project }, path) =>
      new AzureDevOpsClient({
        baseUrl,
        organization,
        project,
        authorization: '',
      }).webUrl(path),
  };
}
