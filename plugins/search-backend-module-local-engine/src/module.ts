import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { PgSearchEngine } from '@backstage/plugin-search-backend-module-pg';
import { searchEngineRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import { LocalSearchEngine } from './engine';

/**
 * Registers {@link LocalSearchEngine} where the database is not PostgreSQL (the local SQLite
 * defaults); with PostgreSQL it registers nothing and `search-backend-module-pg` registers its
 * engine, which has no such error.
 * @public
 */
export const searchModuleLocalEngine = createBackendModule({
  pluginId: 'search',
  moduleId: 'local-engine',
  register(env) {
    env.registerInit({
      deps: {
        searchEngineRegistry: searchEngineRegistryExtensionPoint,
        database: coreServices.database,
        logger: coreServices.logger,
      },
      async init({ searchEngineRegistry, database, logger }) {
        if (await PgSearchEngine.supported(database)) {
          return;
        }
        searchEngineRegistry.setSearchEngine(new LocalSearchEngine({ logger }));
      },
    });
  },
});
