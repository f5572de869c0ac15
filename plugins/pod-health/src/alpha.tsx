import { createFrontendPlugin } from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { kubernetesAnnotationPredicate } from '@internal/plugin-kubernetes-common';

/**
 * The overview card, on the entities the Kubernetes tab appears on (the same filter as the tab's,
 * see `isPodHealthAvailable`).
 *
 * @alpha
 */
export const podHealthEntityCard = EntityCardBlueprint.make({
  params: {
    type: 'info',
    filter: kubernetesAnnotationPredicate,
    loader: () =>
      import('./components/EntityPodHealthCard/EntityPodHealthCard').then(m => (
        <m.EntityPodHealthCard />
      )),
  },
});

/**
 * The pod-health plugin for the new frontend system. It reads through the Kubernetes plugin's
 * APIs, which `@backstage/plugin-kubernetes` provides.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'pod-health',
  title: 'Pod health',
  info: { packageJson: () => import('../package.json') },
  extensions: [podHealthEntityCard],
});
