import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { ScmIntegrations } from '@backstage/integration';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createPortalCatalogRegisterAction } from './actions/register';
import { readRegisterableLocations } from './lib/registerableLocations';

/**
 * Adds `portal:catalog:register` to the scaffolder.
 * @public
 */
export const scaffolderModulePortalCatalog = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'portal-catalog',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        config: coreServices.rootConfig,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
      },
      async init({ scaffolder, config, auth, catalog }) {
        scaffolder.addActions(
          createPortalCatalogRegisterAction({
            catalog,
            auth,
            integrations: ScmIntegrations.fromConfig(config),
            registerableLocations: readRegisterableLocations(config),
          }),
        );
      },
    });
  },
});
