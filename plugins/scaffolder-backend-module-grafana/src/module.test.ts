import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderModuleGrafana from './index';

describe('scaffolderModuleGrafana', () => {
  it('lists grafana:dashboard:apply among the scaffolder actions with its schema and examples', async () => {
    const backend = await startTestBackend({
      features: [scaffolderPlugin, scaffolderModuleGrafana],
    });
    try {
      const res = await request(backend.server)
        .get('/api/scaffolder/v2/actions')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      const action = res.body.find(
        (a: { id: string }) => a.id === 'grafana:dashboard:apply',
      );
      expect(action.examples.length).toBeGreaterThan(0);
      expect(action.schema.input.required.sort()).toEqual([
        'app',
        'entityRef',
        'namespace',
        'owner',
      ]);
      for (const [name, property] of Object.entries<{ description?: string }>(
        action.schema.input.properties,
      )) {
        expect([name, property.description]).toEqual([
          name,
          expect.any(String),
        ]);
      }
    } finally {
      await backend.stop();
    }
  });
});
