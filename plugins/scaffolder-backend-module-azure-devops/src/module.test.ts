import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import scaffolderModuleAzureDevOps from './index';

describe('scaffolderModuleAzureDevOps', () => {
  it('adds the four Azure pipeline actions, each input described, to the real scaffolder', async () => {
    const backend = await startTestBackend({
      features: [scaffolderPlugin, scaffolderModuleAzureDevOps],
    });
    try {
      const res = await request(backend.server)
        .get('/api/scaffolder/v2/actions')
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      const ours = res.body.filter((a: { id: string }) =>
        [
          'azure:pipeline:ensure',
          'azure:pipeline:authorize',
          'azure:repo:build-validation',
          'azure:pipeline:start',
        ].includes(a.id),
      );
      expect(ours).toHaveLength(4);
      for (const action of ours) {
        expect(action.examples.length).toBeGreaterThan(0);
        for (const [name, property] of Object.entries<{ description?: string }>(
          action.schema.input.properties,
        )) {
          expect([action.id, name, property.description]).toEqual([
            action.id,
            name,
            expect.any(String),
          ]);
        }
      }
    } finally {
      await backend.stop();
    }
  });
});
