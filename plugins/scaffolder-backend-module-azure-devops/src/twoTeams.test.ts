/*
 * Two teams creating pipelines through the real backend: the real scaffolder runs real tasks (not
 * dry runs) with this module, the real catalog reads the users, groups and the template from files,
 * and Azure DevOps is the stand-in (testing/azureDevOpsStandIn.ts, through msw). Both teams' steps
 * run with the portal's one PAT, the case where a team could otherwise use another's service
 * connections: each refusal below is the message the user sees in the task, and nothing of the
 * other team's is authorized. Then the form's endpoint answers each user for their own team only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import knexFactory from 'knex';
import { setupServer } from 'msw/node';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import type { AzureDevOpsStandInState } from '../testing/azureDevOpsStandIn';
import { fakeAzureDevOps, ORG, PAT, PROJECT } from './__testUtils__/msw';
import { markTags } from './lib/pipelineMark';
import scaffolderModuleAzureDevOps from './index';

jest.setTimeout(120_000);

const ANN = 'user:default/ann'; // team-a
const BEN = 'user:default/ben'; // team-b
const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';

const org = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-a }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-b }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: platform-team }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: ann }
spec: { memberOf: [team-a] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: ben }
spec: { memberOf: [team-b] }
`;

/**
 * The service template's pipeline steps, taking every value a template could pass; `pipelineId`
 * names an existing pipeline instead of creating one, `skipAuthorize` runs start alone.
 */
const template = `
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: { name: pipeline-steps }
spec:
  type: service
  parameters:
    - properties:
        name: { type: string }
        owner: { type: string }
        registry: { type: string }
        kubernetes: { type: string }
        environment: { type: string }
        pipelineId: { type: number }
        skipAuthorize: { type: boolean }
  steps:
    - id: pipeline
      if: \${{ not parameters.pipelineId }}
      action: azure:pipeline:ensure
      input:
        repoUrl: dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=\${{ parameters.name }}
        entityRef: component:default/\${{ parameters.name }}
        owner: \${{ parameters.owner }}
        name: \${{ parameters.name }}
    - id: authorize
      if: \${{ not parameters.skipAuthorize }}
      action: azure:pipeline:authorize
      input:
        repoUrl: dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=\${{ parameters.name }}
        pipelineId: \${{ parameters.pipelineId or steps.pipeline.output.pipelineId }}
        entityRef: component:default/\${{ parameters.name }}
        owner: \${{ parameters.owner }}
        registryServiceConnection: \${{ parameters.registry }}
        kubernetesServiceConnection: \${{ parameters.kubernetes }}
        environment: \${{ parameters.environment }}
    - id: run
      action: azure:pipeline:start
      input:
        repoUrl: dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=\${{ parameters.name }}
        pipelineId: \${{ parameters.pipelineId or steps.pipeline.output.pipelineId }}
        entityRef: component:default/\${{ parameters.name }}
        owner: \${{ parameters.owner }}
`;

const teams = {
  grantedBy: ['group:default/platform-team'],
  teams: [
    {
      group: TEAM_A,
      registryServiceConnections: ['acr-a'],
      kubernetesServiceConnections: ['aks-a'],
      environments: ['production-a'],
      // The portal's credential is for ORG only: the form is not offered the other organization.
      organizations: ['fabrikam', ORG],
    },
    {
      group: TEAM_B,
      registryServiceConnections: ['acr-b'],
      kubernetesServiceConnections: ['aks-b'],
      environments: ['production-b'],
    },
  ],
};

const teamA = {
  owner: TEAM_A,
  registry: 'acr-a',
  kubernetes: 'aks-a',
  environment: 'production-a',
};
const teamB = {
  owner: TEAM_B,
  registry: 'acr-b',
  kubernetes: 'aks-b',
  environment: 'production-b',
};

describe('pipelines of two teams, through the real scaffolder and catalog', () => {
  const server = setupServer();
  let azure: AzureDevOpsStandInState;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let dir: string;
  let annPipeline: number;

  beforeAll(async () => {
    const fake = fakeAzureDevOps({
      repositories: [
        'shop-dashboard',
        'blog-dashboard',
        'news-dashboard',
        'docs-dashboard',
      ],
      serviceConnections: ['a', 'b'].flatMap(team => [
        { name: `acr-${team}`, type: 'dockerregistry' },
        { name: `aks-${team}`, type: 'kubernetes' },
      ]),
    });
    azure = fake.state;
    server.listen({ onUnhandledRequest: 'bypass' });
    server.use(fake.handler);

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'two-teams-azure-'));
    fs.writeFileSync(path.join(dir, 'org.yaml'), org);
    fs.writeFileSync(path.join(dir, 'template.yaml'), template);

    backend = await startTestBackend({
      features: [
        // One in-memory SQLite per plugin, as the portal has one database per plugin.
        createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          factory() {
            const knex = knexFactory({
              client: 'better-sqlite3',
              connection: ':memory:',
              useNullAsDefault: true,
            });
            return { getClient: async () => knex };
          },
        }),
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              azure: [
                {
                  host: 'dev.azure.com',
                  credentials: [
                    { organizations: [ORG], personalAccessToken: PAT },
                  ],
                },
              ],
            },
            azurePipelines: teams,
            catalog: {
              rules: [{ allow: ['Group', 'User', 'Template'] }],
              locations: ['org.yaml', 'template.yaml'].map(file => ({
                type: 'file',
                target: path.join(dir, file),
              })),
            },
          },
        }),
        catalogPlugin,
        catalogModuleTemplateKind,
        scaffolderPlugin,
        scaffolderModuleAzureDevOps,
      ],
    });

    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(backend.server)
        .get('/api/catalog/entities?fields=metadata.name,relations')
        .set('Authorization', mockCredentials.user.header(ANN));
      const entities = res.body as Array<{
        metadata: { name: string };
        relations?: unknown[];
      }>;
      const ready = ['pipeline-steps', 'ann', 'ben'].every(n =>
        entities.some(e => e.metadata.name === n && e.relations),
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error('the catalog did not fill');
      await new Promise(r => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    await backend?.stop();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the template as `user`; resolves with its status and the failed step's error. */
  async function runAs(
    user: string,
    values: Record<string, string | number | boolean>,
  ) {
    const created = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', mockCredentials.user.header(user))
      .send({ templateRef: 'template:default/pipeline-steps', values });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    for (let i = 0; i < 600; i++) {
      const task = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${id}`)
        .set('Authorization', mockCredentials.user.header(user));
      if (['completed', 'failed'].includes(task.body.status)) break;
      await new Promise(r => setTimeout(r, 100));
    }
    const events = (
      await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${id}/events`)
        .set('Authorization', mockCredentials.user.header(user))
    ).body as Array<{ type: string; body: Record<string, any> }>;
    const completion = events.find(e => e.type === 'completion')!;
    // The failed step's error, as the task page shows it in the step's log.
    const failure = events.find(
      e => e.type === 'log' && e.body.status === 'failed',
    );
    return {
      status: /status: (\w+)$/.exec(completion.body.message)?.[1],
      failedStep: failure?.body.stepId as string | undefined,
      // Its first line; the stack follows.
      error: (failure?.body.message as string | undefined)?.split('\n')[0],
    };
  }

  /** Every write the stand-in was asked for, since `from` requests. */
  const writesSince = (from: number) =>
    azure.requests
      .slice(from)
      .filter(r => r.method !== 'GET')
      .map(r => `${r.method} ${r.path.split('/_apis/')[1]}`);

  it("creates, marks, authorizes and starts team-a's pipeline for a team-a member", async () => {
    const result = await runAs(ANN, { name: 'shop-dashboard', ...teamA });

    expect(result).toEqual({
      status: 'completed',
      failedStep: undefined,
      error: undefined,
    });
    const [definition] = azure.definitions;
    annPipeline = definition.id;
    expect(definition.tags).toEqual(
      markTags({
        entityRef: 'component:default/shop-dashboard',
        owner: TEAM_A,
      }),
    );
    const [acrA, aksA] = azure.serviceConnections;
    expect(
      [...azure.permissions.values()].map(p => [p.resource, p.pipelines]),
    ).toEqual([
      [
        { type: 'endpoint', id: acrA.id },
        [{ id: annPipeline, authorized: true }],
      ],
      [
        { type: 'endpoint', id: aksA.id },
        [{ id: annPipeline, authorized: true }],
      ],
      [
        { type: 'environment', id: '1' },
        [{ id: annPipeline, authorized: true }],
      ],
    ]);
    expect(azure.runs.get(annPipeline)).toHaveLength(1);
  });

  it("refuses a team-b member naming team-a's Kubernetes connection, with the connection, both teams and who grants it", async () => {
    const from = azure.requests.length;
    const result = await runAs(BEN, {
      name: 'blog-dashboard',
      ...teamB,
      kubernetes: 'aks-a',
    });

    expect(result.status).toBe('failed');
    expect(result.failedStep).toBe('authorize');
    expect(result.error).toBe(
      `NotAllowedError: The Kubernetes service connection 'aks-a' is not granted to ${TEAM_B} (it is ${TEAM_A}'s): ` +
        `${TEAM_B} may use 'aks-b' (azurePipelines.teams, kubernetesServiceConnections). Pick one of those, or ask ` +
        `group:default/platform-team, who maintain azurePipelines.teams, to grant it to ${TEAM_B}`,
    );
    // The pipeline was created and marked for team-b's entity; nothing was authorized or started.
    expect(writesSince(from)).toEqual([
      'POST pipelines',
      expect.stringMatching(/^POST build\/definitions\/\d+\/tags$/),
    ]);
  });

  it("refuses a team-b member naming team-a's environment", async () => {
    const result = await runAs(BEN, {
      name: 'blog-dashboard',
      ...teamB,
      environment: 'production-a',
    });

    expect(result.error).toMatch(
      /^NotAllowedError: The environment 'production-a' is not granted to group:default\/team-b \(it is group:default\/team-a's\)/,
    );
  });

  it('refuses a team-b member who passes team-a as the owner: the catalog says who is a member, not the form', async () => {
    const from = azure.requests.length;
    const result = await runAs(BEN, { name: 'news-dashboard', ...teamA });

    expect(result.status).toBe('failed');
    expect(result.failedStep).toBe('pipeline');
    expect(result.error).toBe(
      `NotAllowedError: Only members of ${TEAM_A} may create its pipelines; you are signed in as ${BEN}, a member of ${TEAM_B}. ` +
        `Choose a team you belong to as the owner, or ask a member of ${TEAM_A} to add you to the group`,
    );
    expect(azure.requests.length).toBe(from);
  });

  it("refuses to authorize team-a's pipeline for a team-b entity, with team-b's own connections", async () => {
    const from = azure.requests.length;
    const result = await runAs(BEN, {
      name: 'docs-dashboard',
      ...teamB,
      pipelineId: annPipeline,
    });

    expect(result.failedStep).toBe('authorize');
    expect(result.error).toBe(
      `NotAllowedError: Pipeline ${annPipeline} in project '${PROJECT}' of organization '${ORG}' is marked as the portal's pipeline for ` +
        `component:default/shop-dashboard (owner ${TEAM_A}), not component:default/docs-dashboard of ${TEAM_B}: the portal does not authorize it. ` +
        'Give the id that azure:pipeline:ensure returned for component:default/docs-dashboard; a pipeline made outside the portal is authorized and started by its own administrators in Azure DevOps',
    );
    expect(writesSince(from)).toEqual([]);
  });

  it("refuses to start team-a's pipeline for a team-b entity", async () => {
    const runs = azure.runs.get(annPipeline)!.length;
    const result = await runAs(BEN, {
      name: 'docs-dashboard',
      ...teamB,
      pipelineId: annPipeline,
      skipAuthorize: true,
    });

    expect(result.failedStep).toBe('run');
    expect(result.error).toMatch(
      new RegExp(
        `^NotAllowedError: Pipeline ${annPipeline} .* not component:default/docs-dashboard of group:default/team-b: the portal does not start it\\.`,
      ),
    );
    expect(azure.runs.get(annPipeline)).toHaveLength(runs);
  });

  it('refuses to authorize or start a pipeline made outside the portal', async () => {
    const outside = ++azure.nextId;
    azure.definitions.push({
      ...azure.definitions[0],
      id: outside,
      name: 'handmade',
      tags: ['nightly'],
    });
    azure.runs.set(outside, []);

    const authorize = await runAs(BEN, {
      name: 'docs-dashboard',
      ...teamB,
      pipelineId: outside,
    });
    const start = await runAs(BEN, {
      name: 'docs-dashboard',
      ...teamB,
      pipelineId: outside,
      skipAuthorize: true,
    });

    for (const result of [authorize, start]) {
      expect(result.error).toContain(
        `Pipeline ${outside} in project '${PROJECT}' of organization '${ORG}' carries no mark of the portal`,
      );
    }
    expect(azure.runs.get(outside)).toEqual([]);
  });

  describe('the form’s endpoint', () => {
    const ask = (user: string | undefined, owner: string, kind: string) => {
      const req = request(backend.server).get(
        `/api/scaffolder/azure-pipelines/team-resources?${new URLSearchParams({
          owner,
          kind,
        })}`,
      );
      return user
        ? req.set('Authorization', mockCredentials.user.header(user))
        : req;
    };

    it("offers a member their own team's connections and environments, names only", async () => {
      const res = await ask(ANN, TEAM_A, 'kubernetes');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        owner: TEAM_A,
        kind: 'kubernetes',
        label: 'Kubernetes service connection',
        names: ['aks-a'],
        grantedBy:
          'group:default/platform-team, who maintain azurePipelines.teams',
      });
      expect(JSON.stringify(res.body)).not.toContain(PAT);
      expect((await ask(BEN, 'team-b', 'environment')).body.names).toEqual([
        'production-b',
      ]);
    });

    it('offers only the organizations the portal has a credential for, and says what to configure for the others', async () => {
      const res = await ask(ANN, TEAM_A, 'organization');
      expect(res.status).toBe(200);
      expect(res.body.names).toEqual([ORG]);
      expect(res.body.notOffered).toEqual({
        names: ['fabrikam'],
        message:
          "Not offered: 'fabrikam', for which the portal has no Azure DevOps token; to connect it, set AZURE_DEVOPS_TOKEN " +
          '(the integrations.azure credential for dev.azure.com) to a personal access token with the scopes in docs/azure-devops.md and restart the portal.',
      });
      // Other kinds are not credentials of an organization: all granted names are offered.
      expect((await ask(ANN, TEAM_A, 'registry')).body).not.toHaveProperty(
        'notOffered',
      );
    });

    it("refuses another team's resources to a user outside it, saying why", async () => {
      const res = await ask(BEN, TEAM_A, 'registry');
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        `Only members of ${TEAM_A} may see the service connections and environments granted to it; you are signed in as ${BEN}, a member of ${TEAM_B}. ` +
          `Choose a team you belong to as the owner, or ask a member of ${TEAM_A} to add you to the group`,
      );
    });

    it('says which kinds there are when asked for another', async () => {
      const res = await ask(ANN, TEAM_A, 'helm');
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        "kind must be one of registry, kubernetes, environment, github, organization, project, dockerhub, not 'helm'",
      );
    });

    it('answers nobody without a user token', async () => {
      const res = await ask(undefined, TEAM_A, 'registry').set(
        'Authorization',
        mockCredentials.service.header(),
      );
      expect(res.status).toBe(403);
    });
  });
});
