/*
 * A real scaffolder task (not a dry run) of the four steps, against the Azure DevOps stand-in:
 * it succeeds with the signed-in user's token, and that token is nowhere in what the scaffolder
 * keeps: the task as the API returns it, its event log, and its database rows.
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import knexFactory from 'knex';
import { setupServer } from 'msw/node';
import request from 'supertest';
import {
  fakeAzureDevOps,
  MEMBER,
  ORG,
  PAT,
  PROJECT,
  TEAM,
  TEAMS_CONFIG,
  USER_TOKEN,
} from './__testUtils__/msw';
import scaffolderModuleAzureDevOps from './index';

jest.setTimeout(60_000);

const template = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'pipeline-only', namespace: 'default' },
  spec: {
    type: 'service',
    parameters: [
      { properties: { name: { type: 'string' } }, required: ['name'] },
    ],
    steps: [
      {
        id: 'pipeline',
        action: 'azure:pipeline:ensure',
        input: {
          repoUrl: `dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=\${{ parameters.name }}`,
          entityRef: 'component:default/${{ parameters.name }}',
          owner: TEAM,
          name: '${{ parameters.name }}',
          token: '${{ secrets.azureDevOpsUserToken }}',
        },
      },
      {
        id: 'authorize',
        action: 'azure:pipeline:authorize',
        input: {
          repoUrl: `dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=\${{ parameters.name }}`,
          pipelineId: '${{ steps.pipeline.output.pipelineId }}',
          entityRef: 'component:default/${{ parameters.name }}',
          owner: TEAM,
          registryServiceConnection: 'acr-contoso',
          kubernetesServiceConnection: 'aks-production',
          environment: 'production',
        },
      },
      {
        id: 'validation',
        action: 'azure:repo:build-validation',
        input: {
          repoUrl: `dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=\${{ parameters.name }}`,
          pipelineId: '${{ steps.pipeline.output.pipelineId }}',
        },
      },
      {
        id: 'run',
        action: 'azure:pipeline:start',
        input: {
          repoUrl: `dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=\${{ parameters.name }}`,
          pipelineId: '${{ steps.pipeline.output.pipelineId }}',
          entityRef: 'component:default/${{ parameters.name }}',
          owner: TEAM,
          token: '${{ secrets.azureDevOpsUserToken }}',
        },
      },
    ],
    output: {
      links: [{ title: 'First run', url: '${{ steps.run.output.runUrl }}' }],
    },
  },
};

describe('a scaffolder task of the pipeline steps', () => {
  // The backend's own HTTP traffic (supertest) passes through; Azure DevOps is the stand-in.
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
  afterAll(() => server.close());

  it("runs the user's steps with their token and keeps it out of the task, its events and its rows", async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    // An in-memory SQLite of our own, as templates/tests/dryRun.ts explains.
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    const backend = await startTestBackend({
      features: [
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({
          data: {
            ...TEAMS_CONFIG,
            integrations: {
              azure: [
                {
                  host: 'dev.azure.com',
                  credentials: [{ personalAccessToken: PAT }],
                },
              ],
            },
          },
        }),
        scaffolderPlugin,
        scaffolderModuleAzureDevOps,
        catalogServiceMock.factory({
          entities: [
            template,
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'User',
              metadata: { name: 'mock', namespace: 'default' },
              spec: { memberOf: [TEAM] },
            },
          ],
        }),
      ],
    });
    try {
      const created = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', mockCredentials.user.header())
        .send({
          templateRef: 'template:default/pipeline-only',
          values: { name: 'sales-dashboard' },
          secrets: { azureDevOpsUserToken: USER_TOKEN },
        });
      expect(created.status).toBe(201);
      const id = created.body.id;

      let task: any;
      for (let i = 0; i < 100; i++) {
        task = (
          await request(backend.server)
            .get(`/api/scaffolder/v2/tasks/${id}`)
            .set('Authorization', mockCredentials.user.header())
        ).body;
        if (['completed', 'failed'].includes(task.status)) break;
        await new Promise(r => setTimeout(r, 100));
      }
      const events = (
        await request(backend.server)
          .get(`/api/scaffolder/v2/tasks/${id}/events`)
          .set('Authorization', mockCredentials.user.header())
      ).body;

      expect(task.status).toBe('completed');
      // The user (a plain member) created the pipeline and started its run; the portal's
      // account did what needs administrator roles.
      expect(state.definitions.map(d => d.createdBy)).toEqual([MEMBER]);
      expect(state.checks).toHaveLength(3);
      expect(state.policies).toHaveLength(1);
      expect(
        state.runs.get(state.definitions[0].id)!.map(r => r.requestedBy),
      ).toEqual([MEMBER]);

      const kept = JSON.stringify({
        task,
        events,
        tasks: await knex('tasks').select(),
        taskEvents: await knex('task_events').select(),
      });
      for (const token of [USER_TOKEN, PAT]) {
        expect(kept).not.toContain(token);
        expect(kept).not.toContain(Buffer.from(`:${token}`).toString('base64'));
      }
      // The task is there to be searched: its run link is.
      expect(kept).toContain('_build/results?buildId=');
    } finally {
      await backend.stop();
      // The scaffolder's task workers may still ask the database for work after stop(); the
      // in-memory database is left for the process to drop rather than closed under them.
    }
  });
});
