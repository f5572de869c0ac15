import {
  createComponentExtension,
  createPlugin,
} from '@backstage/core-plugin-api';

/**
 * The pod-health plugin for the legacy frontend system. It reads through the Kubernetes plugin's
 * APIs, so `@backstage/plugin-kubernetes` must be installed too.
 *
 * @public
 */
export const podHealthPlugin = createPlugin({
  id: 'pod-health',
});

/**
 * The overview card with the health of the entity's pods (legacy frontend system).
 *
 * @public
 */
export const EntityPodHealthCard = podHealthPlugin.provide(
  createComponentExtension({
    name: 'EntityPodHealthCard',
    component: {
      lazy: () =>
        import('./components/EntityPodHealthCard/EntityPodHealthCard').then(
          m => m.EntityPodHealthCard,
        ),
    },
  }),
);
