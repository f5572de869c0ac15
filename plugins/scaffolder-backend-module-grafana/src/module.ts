import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createGrafanaDashboardApplyAction } from './actions/dashboardApply';

/**
 * Adds the Grafana action (`grafana:dashboard:apply`) to the scaffolder.
 * @public
 */
export const scaffolderModuleGrafana = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'grafana',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, config }) {
        scaffolder.addActions(createGrafanaDashboardApplyAction({ config }));
      },
    });
  },
});
