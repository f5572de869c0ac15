import path from 'node:path';
import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderModuleGrafana from './index';
import { dashboardFor } from './lib/resources';

// The Grafana foundation SDK's folder in node_modules (found from the dashboard-as-code package
// that depends on it); its files in the module registry mean it was loaded.
const SDK_NAME = '@grafana/grafana-foundation-sdk';
const sdkEntry = require.resolve(`${SDK_NAME}/dashboard`, {
  paths: [
    path.dirname(
      require.resolve('@internal/plugin-observability-common/package.json'),
    ),
  ],
});
const SDK_DIR = sdkEntry.slice(
  0,
  sdkEntry.lastIndexOf(path.join('node_modules', SDK_NAME)) +
    path.join('node_modules', SDK_NAME).length,
);

/** The SDK's files this test file's module registry holds (Jest's view of require.cache). */
function loadedSdkFiles(): string[] {
  return Object.keys(require.cache).filter(file =>
    file.startsWith(`${SDK_DIR}${path.sep}`),
  );
}

describe('the Grafana foundation SDK', () => {
  it('is not loaded when the module is imported and registers its action at start-up', async () => {
    expect(loadedSdkFiles()).toEqual([]);
    const backend = await startTestBackend({
      features: [scaffolderPlugin, scaffolderModuleGrafana],
    });
    try {
      const res = await request(backend.server)
        .get('/api/scaffolder/v2/actions')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(res.body.map((a: { id: string }) => a.id)).toContain(
        'grafana:dashboard:apply',
      );
      expect(loadedSdkFiles()).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('is loaded when a dashboard is first built', () => {
    // Shows the check above can see the SDK: building a dashboard loads it.
    const dashboard = dashboardFor({
      entityRef: 'component:default/sales-dashboard',
      ownerRef: 'group:default/platform-team',
      namespace: 'sales',
      app: 'sales-dashboard',
    });
    expect(dashboard.title).toBe('sales-dashboard (sales)');
    expect(loadedSdkFiles().length).toBeGreaterThan(0);
  });
});
