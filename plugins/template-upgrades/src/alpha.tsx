import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import UpdateIcon from '@material-ui/icons/Update';
import { templateUpgradesApiRef } from './api/TemplateUpgradesApi';
import { TemplateUpgradesClient } from './api/TemplateUpgradesClient';
import { templateUpgradesPredicate } from './lib/filter';
import { rootRouteRef } from './routes';

/** @alpha */
export const templateUpgradesApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: templateUpgradesApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new TemplateUpgradesClient(deps),
    }),
});

/** The fleet page, with its entry in the sidebar. @alpha */
export const templateUpgradesPage = PageBlueprint.make({
  params: {
    path: '/template-upgrades',
    title: 'Template upgrades',
    icon: <UpdateIcon fontSize="inherit" />,
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/TemplateUpgradesPage/TemplateUpgradesPage').then(
        m => <m.TemplateUpgradesPage />,
      ),
  },
});

/** The card on the overview of entities made from a template. @alpha */
export const templateUpgradesEntityCard = EntityCardBlueprint.make({
  params: {
    type: 'info',
    filter: templateUpgradesPredicate,
    loader: () =>
      import(
        './components/EntityTemplateUpgradeCard/EntityTemplateUpgradeCard'
      ).then(m => <m.EntityTemplateUpgradeCard />),
  },
});

/**
 * The template-upgrades plugin for the new frontend system; it reads from and acts through the
 * template-upgrades backend.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'template-upgrades',
  title: 'Template upgrades',
  info: { packageJson: () => import('../package.json') },
  routes: { root: rootRouteRef },
  extensions: [
    templateUpgradesApi,
    templateUpgradesPage,
    templateUpgradesEntityCard,
  ],
});
