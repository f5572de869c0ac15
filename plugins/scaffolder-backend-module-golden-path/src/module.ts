import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { readUnconfiguredServices } from '@internal/plugin-scaffolder-portal-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import {
  endpointsFromConfig,
  kubernetesBackendReader,
  readWaitSettings,
} from '@internal/plugin-golden-path-node';
import { createClientFactory } from '@internal/plugin-scaffolder-backend-module-azure-devops';
import { createGoldenPathVerifyAction } from './actions/verify';

/**
 * Adds `golden-path:verify` to the scaffolder. It reads the pipeline with the Azure pipeline
 * actions' credentials (`integrations.azure`, or the step's user token), the workloads through the
 * kubernetes backend (the portal's `kubernetes` clusters, with this plugin's own service
 * credentials), and Prometheus, Loki and Grafana from `goldenPath.*`.
 * @public
 */
export const scaffolderModuleGoldenPath = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'golden-path',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, config, discovery, auth }) {
        scaffolder.addActions(
          createGoldenPathVerifyAction({
            connect: createClientFactory({ config }),
            settings: readWaitSettings(config),
            unconfigured: readUnconfiguredServices(config),
            sources: {
              kubernetes: kubernetesBackendReader({ discovery, auth }),
              ...endpointsFromConfig(config),
            },
          }),
        );
      },
    });
  },
});
