import { Readable } from 'node:stream';
import { createBackendModule } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import searchPlugin from '@backstage/plugin-search-backend';
import { searchIndexRegistryExtensionPoint } from '@backstage/plugin-search-backend-node/alpha';
import request from 'supertest';
import { searchModuleLocalEngine } from './module';

let indexed: () => void;

// What the TechDocs collator does before any site is built: it finds no documents. It runs
// once, at start-up.
const emptyTechDocsCollator = createBackendModule({
  pluginId: 'search',
  moduleId: 'empty-techdocs-collator',
  register(env) {
    env.registerInit({
      deps: { registry: searchIndexRegistryExtensionPoint },
      async init({ registry }) {
        registry.addCollator({
          schedule: {
            run: async ({ fn }) => {
              await fn(new AbortController().signal);
              indexed();
            },
          },
          factory: {
            type: 'techdocs',
            getCollator: async () => Readable.from([]),
          },
        });
      },
    });
  },
});

// A fresh local portal: SQLite, and no TechDocs site built yet, so nothing indexed for techdocs.
async function start(withModule: boolean) {
  const done = new Promise<void>(resolve => {
    indexed = resolve;
  });
  const backend = await startTestBackend({
    features: [
      searchPlugin,
      emptyTechDocsCollator,
      ...(withModule ? [searchModuleLocalEngine] : []),
      mockServices.rootConfig.factory({ data: {} }),
    ],
  });
  await done;
  return backend;
}

describe('search on SQLite before any TechDocs are built', () => {
  it('answers a Documentation search with no results instead of an error', async () => {
    const backend = await start(true);
    try {
      const res = await request(backend.server).get(
        '/api/search/query?term=golden&types%5B0%5D=techdocs',
      );
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ results: [], numberOfResults: 0 });
    } finally {
      await backend.stop();
    }
  });

  it("is a 500 with the search backend's own Lunr engine, which this module replaces", async () => {
    const backend = await start(false);
    try {
      const res = await request(backend.server).get(
        '/api/search/query?term=golden&types%5B0%5D=techdocs',
      );
      expect(res.status).toBe(500);
      expect(res.body.error.name).toBe('MissingIndexError');
    } finally {
      await backend.stop();
    }
  });
});
