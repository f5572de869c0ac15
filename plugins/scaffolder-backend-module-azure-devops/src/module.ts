import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createAzureBuildValidationAction } from './actions/buildValidation';
import { createAzurePipelineAuthorizeAction } from './actions/pipelineAuthorize';
import { createAzurePipelineEnsureAction } from './actions/pipelineEnsure';
import { createAzurePipelineStartAction } from './actions/pipelineStart';
import { createClientFactory } from './lib/connect';
import { readTeamAccess } from './lib/teamAccess';
import { createTeamResourcesRouter } from './service/teamResourcesRouter';
import { readUnconfiguredServices } from '@internal/plugin-scaffolder-portal-node';

/**
 * Adds the Azure pipeline actions to the scaffolder: `azure:pipeline:ensure`,
 * `azure:pipeline:authorize`, `azure:repo:build-validation` and `azure:pipeline:start`, and
 * `GET /api/scaffolder/azure-pipelines/team-resources`, which tells the form what the owner group
 * the user picks may use (`azurePipelines.teams`).
 * @public
 */
export const scaffolderModuleAzureDevOps = createBackendModule({
  pluginId: 'scaffolder',
  // Not `azure-devops`: that id is the community module's, which may be installed beside this.
  moduleId: 'azure-pipelines',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        catalog: catalogServiceRef,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({ scaffolder, config, catalog, httpRouter, httpAuth }) {
        const connect = createClientFactory({ config });
        const access = readTeamAccess(config);
        const unconfigured = readUnconfiguredServices(config);
        httpRouter.use(
          createTeamResourcesRouter({ access, connect, httpAuth, catalog }),
        );
        scaffolder.addActions(
          createAzurePipelineEnsureAction({ connect, access, unconfigured }),
          createAzurePipelineAuthorizeAction({ connect, access, unconfigured }),
          createAzureBuildValidationAction({ connect, unconfigured }),
          createAzurePipelineStartAction({ connect, unconfigured }),
        );
      },
    });
  },
});
