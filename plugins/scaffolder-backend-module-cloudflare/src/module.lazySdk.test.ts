import path from 'node:path';
import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderModuleCloudflare from './index';
import { createCloudflareClient } from './lib/cloudflareClient';

// The SDK's folder in node_modules; its files in the module registry mean it was loaded.
const SDK_DIR = path.dirname(require.resolve('cloudflare'));

/** The SDK's files this test file's module registry holds (Jest's view of require.cache). */
function loadedSdkFiles(): string[] {
  return Object.keys(require.cache).filter(file =>
    file.startsWith(`${SDK_DIR}${path.sep}`),
  );
}

describe('the cloudflare SDK', () => {
  it('is not loaded when the module is imported and registers its action at start-up', async () => {
    expect(loadedSdkFiles()).toEqual([]);
    const backend = await startTestBackend({
      features: [scaffolderPlugin, scaffolderModuleCloudflare],
    });
    try {
      const res = await request(backend.server)
        .get('/api/scaffolder/v2/actions')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(res.body.map((a: { id: string }) => a.id)).toContain(
        'cloudflare:worker:deploy',
      );
      expect(loadedSdkFiles()).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('is loaded when the action first creates a client', () => {
    // Shows the check above can see the SDK: creating a client loads it.
    const client = createCloudflareClient('token-for-this-test');
    expect(client.workers).toBeDefined();
    expect(loadedSdkFiles()).toContain(path.join(SDK_DIR, 'index.js'));
  });
});
