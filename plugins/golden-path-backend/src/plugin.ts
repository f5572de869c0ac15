import {
  coreServices,
  createBackendPlugin,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { readDurationFromConfig } from '@backstage/config';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { durationToMilliseconds } from '@backstage/types';
import { DatabaseCheckStateStore } from './lib/checkStates';
import { GoldenPathService } from './service/GoldenPathService';
import { createRouter } from './service/router';
import { createSourcesFactory } from './service/sources';

/** How long the card's answer is reused by default. */
const DEFAULT_MAX_AGE_MS = 60_000;

/**
 * The golden-path backend: the checks of the Golden path card, read for one catalog entity at
 * a time (`/api/golden-path/entities/:kind/:namespace/:name/checks`).
 *
 * @public
 */
export const goldenPathPlugin = createBackendPlugin({
  pluginId: 'golden-path',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        database: coreServices.database,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        httpAuth: coreServices.httpAuth,
        httpRouter: coreServices.httpRouter,
        permissions: coreServices.permissions,
        catalog: catalogServiceRef,
      },
      async init({
        config,
        database,
        discovery,
        auth,
        httpAuth,
        httpRouter,
        permissions,
        catalog,
      }) {
        const db = await database.getClient();
        if (!database.migrations?.skip) {
          await db.migrate.latest({
            directory: resolvePackagePath(
              '@internal/plugin-golden-path-backend',
              'migrations',
            ),
          });
        }
        const maxAgeMs = config.has('goldenPath.card.maxAge')
          ? durationToMilliseconds(
              readDurationFromConfig(config, { key: 'goldenPath.card.maxAge' }),
            )
          : DEFAULT_MAX_AGE_MS;
        const service = new GoldenPathService({
          sources: createSourcesFactory({ config, discovery, auth }),
          store: new DatabaseCheckStateStore({ db }),
          maxAgeMs,
        });
        httpRouter.use(
          createRouter({ httpAuth, permissions, catalog, service }),
        );
      },
    });
  },
});
