import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { templateUpgradesApiRef } from './api/TemplateUpgradesApi';
import { TemplateUpgradesClient } from './api/TemplateUpgradesClient';

/** The page's route in the legacy frontend system. @public */
export const legacyRootRouteRef = createRouteRef({ id: 'template-upgrades' });

/**
 * The template-upgrades plugin for the legacy frontend system.
 *
 * @public
 */
export const templateUpgradesPlugin = createPlugin({
  id: 'template-upgrades',
  routes: { root: legacyRootRouteRef },
  apis: [
    createApiFactory({
      api: templateUpgradesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new TemplateUpgradesClient(deps),
    }),
  ],
});

/**
 * The Template upgrades page (legacy frontend system), for a `<Route>` of the app.
 *
 * @public
 */
export const TemplateUpgradesPage = templateUpgradesPlugin.provide(
  createRoutableExtension({
    name: 'TemplateUpgradesPage',
    mountPoint: legacyRootRouteRef,
    component: () =>
      import('./components/TemplateUpgradesPage/TemplateUpgradesPage').then(
        m => m.TemplateUpgradesPage,
      ),
  }),
);

/**
 * The Template upgrade card (legacy frontend system); show it where `isTemplateUpgradeAvailable`
 * holds.
 *
 * @public
 */
export const EntityTemplateUpgradeCard = templateUpgradesPlugin.provide(
  createComponentExtension({
    name: 'EntityTemplateUpgradeCard',
    component: {
      lazy: () =>
        import(
          './components/EntityTemplateUpgradeCard/EntityTemplateUpgradeCard'
        ).then(m => m.EntityTemplateUpgradeCard),
    },
  }),
);
