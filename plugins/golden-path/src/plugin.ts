import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { goldenPathApiRef } from './api/GoldenPathApi';
import { GoldenPathClient } from './api/GoldenPathClient';

/**
 * The golden-path plugin for the legacy frontend system.
 *
 * @public
 */
export const goldenPathPlugin = createPlugin({
  id: 'golden-path',
  apis: [
    createApiFactory({
      api: goldenPathApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new GoldenPathClient(deps),
    }),
  ],
});

/**
 * The Golden path card (legacy frontend system); show it where `isGoldenPathAvailable` holds.
 *
 * @public
 */
export const EntityGoldenPathCard = goldenPathPlugin.provide(
  createComponentExtension({
    name: 'EntityGoldenPathCard',
    component: {
      lazy: () =>
        import('./components/EntityGoldenPathCard/EntityGoldenPathCard').then(
          m => m.EntityGoldenPathCard,
        ),
    },
  }),
);
