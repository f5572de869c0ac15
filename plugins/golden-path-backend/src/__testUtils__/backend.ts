import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { JsonObject } from '@backstage/types';
import kubernetesBackend from '@backstage/plugin-kubernetes-backend';
import { goldenPathPlugin } from '../plugin';

/** The example service of `examples/entities.yaml`, as the service template registers it. */
export const salesDashboard: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'sales-dashboard',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'sales-dashboard',
      'backstage.io/kubernetes-namespace': 'dashboards',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'group:team' },
};

/** The service account token the Kubernetes API stand-in accepts. */
export const KUBERNETES_TOKEN = 'stand-in-service-account-token';

/** The kubernetes backend's config for one cluster at `url`, or none. */
export function kubernetesConfig(url?: string): JsonObject {
  return {
    serviceLocatorMethod: { type: 'multiTenant' },
    clusterLocatorMethods: [
      {
        type: 'config',
        clusters: url
          ? [
              {
                name: 'aks-prod',
                url,
                authProvider: 'serviceAccount',
                serviceAccountToken: KUBERNETES_TOKEN,
              },
            ]
          : [],
      },
    ],
  };
}

/** The real golden-path and kubernetes backends over a catalog holding `entities`. */
export async function startBackend(options: {
  config: JsonObject;
  entities?: Entity[];
  features?: Parameters<typeof startTestBackend>[0]['features'];
}) {
  return startTestBackend({
    features: [
      goldenPathPlugin,
      kubernetesBackend,
      catalogServiceMock.factory({
        entities: options.entities ?? [salesDashboard],
      }),
      mockServices.rootConfig.factory({ data: options.config }),
      ...(options.features ?? []),
    ],
  });
}
