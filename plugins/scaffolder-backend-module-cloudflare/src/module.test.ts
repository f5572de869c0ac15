import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderModuleCloudflare from './index';

describe('scaffolderModuleCloudflare', () => {
  it('lists cloudflare:worker:deploy among the scaffolder actions with its schema and examples', async () => {
    const backend = await startTestBackend({
      features: [scaffolderPlugin, scaffolderModuleCloudflare],
    });
    try {
      const res = await request(backend.server)
        .get('/api/scaffolder/v2/actions')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      const action = res.body.find(
        (a: { id: string }) => a.id === 'cloudflare:worker:deploy',
      );
      expect(action).toBeDefined();
      expect(action.description).toContain('Worker');
      expect(action.examples.length).toBeGreaterThan(0);
      const properties = action.schema.input.properties;
      expect(Object.keys(properties)).toEqual(
        expect.arrayContaining([
          'scriptName',
          'accountId',
          'allowedOrigins',
          'engine',
          'entityRef',
          'owner',
          'placement',
          'takeover',
        ]),
      );
      for (const [name, property] of Object.entries<{ description?: string }>(
        properties,
      )) {
        expect([name, property.description]).toEqual([
          name,
          expect.any(String),
        ]);
      }
      expect(action.schema.input.required).toEqual(
        expect.arrayContaining([
          'scriptName',
          'entityRef',
          'accountId',
          'allowedOrigins',
          'placement',
        ]),
      );
      // The owner comes from the catalog entity; an owner input must match it.
      expect(action.schema.input.required).not.toContain('owner');
      expect(action.schema.input.required).not.toContain('engine');
    } finally {
      await backend.stop();
    }
  });
});
