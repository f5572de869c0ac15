import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { goldenPathApiRef } from './api/GoldenPathApi';
import { GoldenPathClient } from './api/GoldenPathClient';
import { goldenPathPredicate } from './lib/filter';

/** @alpha */
export const goldenPathApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: goldenPathApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GoldenPathClient(deps),
    }),
});

/** The overview card, on entities with the annotations the checks need. @alpha */
export const goldenPathEntityCard = EntityCardBlueprint.make({
  params: {
    type: 'info',
    filter: goldenPathPredicate,
    loader: () =>
      import('./components/EntityGoldenPathCard/EntityGoldenPathCard').then(
        m => <m.EntityGoldenPathCard />,
      ),
  },
});

/**
 * The golden-path plugin for the new frontend system; it reads from the golden-path backend.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'golden-path',
  title: 'Golden path',
  info: { packageJson: () => import('../package.json') },
  extensions: [goldenPathApi, goldenPathEntityCard],
});
