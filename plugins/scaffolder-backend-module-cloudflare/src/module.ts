import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { createCloudflareWorkerDeployAction } from './actions/workerDeploy';
import { SigningKeyVault } from './lib/signingKeys';
import { createAccountsRouter } from './service/accountsRouter';
import { createEnginePreviewRouter } from './service/enginePreviewRouter';
import {
  createSigningKeyRouter,
  SIGNING_KEY_REVEAL_PATH,
} from './service/signingKeyRouter';

/**
 * Adds the Cloudflare actions (`cloudflare:worker:deploy`) to the scaffolder, and the one-time
 * reveal of a signing key the action generated (`/api/scaffolder/cloudflare/signing-keys/:id`),
 * the owner's Cloudflare accounts for the form (`/api/scaffolder/cloudflare/accounts`), and the
 * engine a deploy would get with its cost (`/api/scaffolder/cloudflare/engine`).
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
        catalog: catalogServiceRef,
        cache: coreServices.cache,
        discovery: coreServices.discovery,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
      },
      async init({
        scaffolder,
        config,
        catalog,
        cache,
        discovery,
        httpRouter,
        httpAuth,
      }) {
        const signingKeys = new SigningKeyVault({ cache });
        httpRouter.use(
          createSigningKeyRouter({
            vault: signingKeys,
            httpAuth,
            page: {
              authBaseUrl: await discovery.getExternalBaseUrl('auth'),
              providers:
                config.getOptionalConfig('auth.providers')?.keys() ?? [],
              environment:
                config.getOptionalString('auth.environment') ?? 'development',
            },
          }),
        );
        // The page and its script hold no secret and are opened as a link, without a token;
        // the POST that hands out the key checks the user's token itself.
        httpRouter.use(createAccountsRouter({ config, httpAuth, catalog }));
        httpRouter.use(
          createEnginePreviewRouter({ config, httpAuth, catalog }),
        );
        httpRouter.addAuthPolicy({
          path: SIGNING_KEY_REVEAL_PATH,
          allow: 'unauthenticated',
        });
        scaffolder.addActions(
          createCloudflareWorkerDeployAction({
            config,
            catalog,
            signingKeys,
            signingKeyUrl: async revealId =>
              `${await discovery.getExternalBaseUrl(
                'scaffolder',
              )}${SIGNING_KEY_REVEAL_PATH}/${revealId}`,
          }),
        );
      },
    });
  },
});
