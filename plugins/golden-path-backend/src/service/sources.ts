import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  AzureDevOpsReader,
  CheckSources,
  endpointsFromConfig,
  kubernetesBackendReader,
} from '@internal/plugin-golden-path-node';
import {
  ClientFactory,
  createClientFactory,
} from '@internal/plugin-scaffolder-backend-module-azure-devops';

type AzureRequest = Parameters<
  Awaited<ReturnType<ClientFactory['client']>>['request']
>[0];

/** What a check cannot be performed without, in the words the card shows. */
export const NOT_CONFIGURED = {
  azure:
    'Cannot check: the portal has no read-only Azure DevOps token (goldenPath.azureDevOps.token, a personal access token with the Build (Read) scope).',
  kubernetes:
    'Cannot check: the kubernetes backend has no cluster configured (kubernetes.clusterLocatorMethods).',
} as const;

/** @public */
export interface SourcesOptions {
  config: Config;
  discovery: DiscoveryService;
  auth: AuthService;
  fetch?: typeof fetch;
}

/**
 * Makes the sources of one round of checks. Each reads with a credential that can only read:
 * Prometheus, Loki and Grafana with the tokens of `goldenPath.*` (a Viewer token for Grafana),
 * Azure DevOps with `goldenPath.azureDevOps.token` (Build (Read)), Kubernetes through the
 * kubernetes backend and its read-only service account. Which of them exist is decided per round,
 * so a cluster added to the kubernetes backend is seen without a restart.
 *
 * @public
 */
export function createSourcesFactory(
  options: SourcesOptions,
): () => Promise<CheckSources> {
  const { config, discovery, auth } = options;
  const doFetch = options.fetch ?? fetch;
  const endpoints = endpointsFromConfig(config, options.fetch);
  const azureToken = config.getOptionalString('goldenPath.azureDevOps.token');
  const azureFactory = azureToken
    ? createClientFactory({ config, fetch: options.fetch })
    : undefined;
  const azure: AzureDevOpsReader | undefined = azureFactory && {
    client: async ({ organization, project }) => {
      const client = await azureFactory.client({
        organization,
        project,
        token: azureToken,
      });
      return {
        // The check names only the build scope (Runs, Timeline, Definitions).
        request: req =>
          client.request({
            ...req,
            context: req.context as AzureRequest['context'],
          }),
        webUrl: path => client.webUrl(path),
      };
    },
  };
  const kubernetes = kubernetesBackendReader({
    discovery,
    auth,
    fetch: options.fetch,
  });

  /** Whether the kubernetes backend knows any cluster (`GET /clusters`, as the Kubernetes tab asks). */
  const hasClusters = async () => {
    const base = await discovery.getBaseUrl('kubernetes');
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'kubernetes',
    });
    const res = await doFetch(`${base}/clusters`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) {
      // Let the deployed check read the objects and report the backend's own answer.
      return true;
    }
    const body = (await res.json()) as { items?: unknown[] };
    return (body.items ?? []).length > 0;
  };

  return async () => ({
    ...endpoints,
    azure,
    kubernetes: (await hasClusters().catch(() => true))
      ? kubernetes
      : undefined,
  });
}
