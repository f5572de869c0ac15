import {
  ApiBlueprint,
  configApiRef,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { kubernetesAnnotationPredicate } from '@internal/plugin-kubernetes-common';
import { observabilityApiRef } from './api/ObservabilityApi';
import { GrafanaClient } from './api/GrafanaClient';

/** @alpha */
export const observabilityApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: observabilityApiRef,
      deps: {
        configApi: configApiRef,
        discoveryApi: discoveryApiRef,
        fetchApi: fetchApiRef,
      },
      factory: deps => new GrafanaClient(deps),
    }),
});

/** @alpha */
export const observabilityEntityContent = EntityContentBlueprint.make({
  params: {
    path: '/observability',
    title: 'Observability',
    group: 'observability',
    // Where the Kubernetes tab is: entities with `backstage.io/kubernetes-id` or a label selector.
    // A selector the panels cannot follow is refused on the tab with a message
    // (lib/annotations.ts `resolveService`), so the cards use the same filter.
    filter: kubernetesAnnotationPredicate,
    loader: () =>
      import(
        './components/EntityObservabilityContent/EntityObservabilityContent'
      ).then(m => <m.EntityObservabilityContent />),
  },
});

/** @alpha */
export const observabilityEntityCard = EntityCardBlueprint.make({
  params: {
    filter: kubernetesAnnotationPredicate,
    loader: () =>
      import(
        './components/EntityObservabilityCard/EntityObservabilityCard'
      ).then(m => <m.EntityObservabilityCard />),
  },
});

/** @alpha */
export const observabilityAlertsEntityCard = EntityCardBlueprint.make({
  name: 'alerts',
  params: {
    filter: kubernetesAnnotationPredicate,
    loader: () =>
      import('./components/EntityAlertsCard/EntityAlertsCard').then(m => (
        <m.EntityAlertsCard />
      )),
  },
});

/**
 * The observability plugin for the new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'observability',
  title: 'Observability',
  info: { packageJson: () => import('../package.json') },
  extensions: [
    observabilityApi,
    observabilityEntityContent,
    observabilityEntityCard,
    observabilityAlertsEntityCard,
  ],
});
