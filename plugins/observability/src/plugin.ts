import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  configApiRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { observabilityApiRef } from './api/ObservabilityApi';
import { GrafanaClient } from './api/GrafanaClient';
import { rootRouteRef } from './routes';

/**
 * The observability plugin for the legacy frontend system.
 *
 * @public
 */
export const observabilityPlugin = createPlugin({
  id: 'observability',
  apis: [
    createApiFactory({
      api: observabilityApiRef,
      deps: {
        configApi: configApiRef,
        discoveryApi: discoveryApiRef,
        fetchApi: fetchApiRef,
      },
      factory: deps => new GrafanaClient(deps),
    }),
  ],
  routes: { root: rootRouteRef },
});

/**
 * The "Observability" tab content, for an `EntityLayout.Route` (legacy frontend system).
 *
 * @public
 */
export const EntityObservabilityContent = observabilityPlugin.provide(
  createRoutableExtension({
    name: 'EntityObservabilityContent',
    component: () =>
      import(
        './components/EntityObservabilityContent/EntityObservabilityContent'
      ).then(m => m.EntityObservabilityContent),
    mountPoint: rootRouteRef,
  }),
);

/**
 * The overview card with the key panels (legacy frontend system).
 *
 * @public
 */
export const EntityObservabilityCard = observabilityPlugin.provide(
  createComponentExtension({
    name: 'EntityObservabilityCard',
    component: {
      lazy: () =>
        import(
          './components/EntityObservabilityCard/EntityObservabilityCard'
        ).then(m => m.EntityObservabilityCard),
    },
  }),
);

/**
 * The card with the entity's firing and pending alerts (legacy frontend system).
 *
 * @public
 */
export const EntityAlertsCard = observabilityPlugin.provide(
  createComponentExtension({
    name: 'EntityAlertsCard',
    component: {
      lazy: () =>
        import('./components/EntityAlertsCard/EntityAlertsCard').then(
          m => m.EntityAlertsCard,
        ),
    },
  }),
);
