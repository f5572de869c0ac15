import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { readTemplateUpgradesConfig } from './lib/config';
import { ScaffolderDryRunRenderer } from './lib/render';
import { TemplateSource } from './lib/templateSource';
import { UpgradeService } from './service/UpgradeService';
import { createRouter } from './service/router';

/**
 * Template upgrades as pull requests: `/api/template-upgrades/services[...]`
 * (docs/template-upgrades.md).
 *
 * @public
 */
export const templateUpgradesPlugin = createBackendPlugin({
  pluginId: 'template-upgrades',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        logger,
        discovery,
        auth,
        httpAuth,
        httpRouter,
        catalog,
      }) {
        const settings = readTemplateUpgradesConfig(config);
        const service = new UpgradeService({
          config,
          catalog,
          logger,
          renderer: new ScaffolderDryRunRenderer({ discovery, auth }),
          sources: () => settings.templates.map(t => new TemplateSource(t)),
          adminGroups: settings.adminGroups,
        });
        httpRouter.use(
          createRouter({
            httpAuth,
            auth,
            service,
            fleetSubjects: settings.fleetSubjects,
          }),
        );
      },
    });
  },
});
