import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createCloudflareWorkerDeployAction } from './actions/workerDeploy';

/**
 * Adds the Cloudflare actions (`cloudflare:worker:deploy`) to the scaffolder.
 * @public
 */
export const scaffolderModuleCloudflare = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'cloudflare',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
      },
      async init({ scaffolder, config }) {
        scaffolder.addActions(createCloudflareWorkerDeployAction({ config }));
      },
    });
  },
});
