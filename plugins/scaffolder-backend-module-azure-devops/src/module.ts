import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createAzureBuildValidationAction } from './actions/buildValidation';
import { createAzurePipelineAuthorizeAction } from './actions/pipelineAuthorize';
import { createAzurePipelineEnsureAction } from './actions/pipelineEnsure';
import { createAzurePipelineStartAction } from './actions/pipelineStart';
import { createClientFactory } from './lib/connect';

/**
 * Adds the Azure pipeline actions to the scaffolder: `azure:pipeline:ensure`,
 * `azure:pipeline:authorize`, `azure:repo:build-validation` and `azure:pipeline:start`.
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
      },
      async init({ scaffolder, config }) {
        const connect = createClientFactory({ config });
        scaffolder.addActions(
          createAzurePipelineEnsureAction({ connect }),
          createAzurePipelineAuthorizeAction({ connect }),
          createAzureBuildValidationAction({ connect }),
          createAzurePipelineStartAction({ connect }),
        );
      },
    });
  },
});
