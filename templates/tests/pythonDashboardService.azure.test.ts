/*
 * The service template's azure:* steps, exactly as template.yaml has them, run as a real
 * scaffolder task (not a dry run) by a plain project member against the Azure DevOps stand-in
 * served on loopback. The member's token creates and starts the pipeline; the portal's
 * AZURE_DEVOPS_TOKEN (a Project Administrator's) does what needs administrator roles. Then the
 * generated azure-pipelines.yml is played on the stand-in as a run of main and as pull-request
 * runs, against the checks the steps added.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import azurePipelinesModule, {
  markTags,
} from '@internal/plugin-scaffolder-backend-module-azure-devops';
import {
  AzureDevOpsStandIn,
  SimulatedStage,
  simulateRun,
  startAzureDevOpsStandIn,
} from '@internal/plugin-scaffolder-backend-module-azure-devops/testing';
import knexFactory from 'knex';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { DRY_RUN_USER, dryRunTemplate, portalConfig } from './dryRun';
import { parseYamlFiles } from './lib/checks';
import {
  ServiceValues,
  acrValues,
  dockerHubValues,
  serviceTemplateFeatures,
  templateDir,
} from './pythonDashboardService.fixtures';

jest.setTimeout(90_000);

const PAT = 'portal-pat-Hq3Vn8Lx2Rt6Kw9Zc4Bm';
const USER_TOKEN = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJtZW1iZXIifQ.bWVtYmVy';
const MEMBER = 'Mia Member';

/** template.yaml with only its azure:* steps and the links they output. */
function azureStepsOfTemplate() {
  const template = parseYaml(
    fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
  );
  const steps = template.spec.steps.filter((s: { action: string }) =>
    s.action.startsWith('azure:'),
  );
  const ids = steps.map((s: { id: string }) => s.id);
  template.metadata.name = 'python-dashboard-service-azure-steps';
  template.spec.steps = steps;
  template.spec.output = {
    links: template.spec.output.links.filter((l: { url?: string }) =>
      ids.some((id: string) => l.url?.includes(`steps.${id}.`)),
    ),
  };
  return template;
}

/** The stand-in project a service's pipeline lives in. */
function standInFor(values: ServiceValues) {
  const query = new URLSearchParams(values.repoUrl.split('?')[1]);
  const azureRepos = values.repoUrl.startsWith('dev.azure.com');
  return startAzureDevOpsStandIn({
    organization: azureRepos
      ? query.get('organization')!
      : values.pipelineOrganization!,
    project: azureRepos ? query.get('project')! : values.pipelineProject!,
    // The portal's service account: a Project Administrator.
    token: PAT,
    identities: [{ name: MEMBER, token: USER_TOKEN }],
    repositories: azureRepos ? [query.get('repo')!] : [],
    serviceConnections: [
      { name: values.registryServiceConnection, type: 'dockerregistry' },
      { name: values.kubernetesServiceConnection, type: 'kubernetes' },
      ...(values.githubServiceConnection
        ? [
            {
              name: values.githubServiceConnection,
              type: 'github',
              // The one-time set-up docs/azure-devops.md asks for.
              users: ['Contributors'],
            },
          ]
        : []),
    ],
  });
}

/**
 * The stages of a pipeline as `simulateRun` plays them: the service connections and environments
 * each stage's jobs name (through the pipeline's variables), and whether its condition holds for
 * the run. Only the conditions the generated pipeline uses are understood; any other fails the test.
 */
function stagesOf(pipeline: any, run: { pullRequest: boolean }) {
  const variables: Record<string, string> = pipeline.variables ?? {};
  const resolve = (value: string) =>
    value.replace(/\$\((\w+)\)/g, (_m, name) => variables[name] ?? _m);
  const MAIN_ONLY =
    "and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'), ne(variables['Build.Reason'], 'PullRequest'))";
  return (pipeline.stages as any[]).map((stage): SimulatedStage => {
    if (stage.condition !== undefined && stage.condition !== MAIN_ONLY) {
      throw new Error(
        `stagesOf does not know the condition ${stage.condition}`,
      );
    }
    const resources: SimulatedStage['resources'] = [];
    for (const job of stage.jobs) {
      if (job.environment) {
        resources.push({ type: 'environment', name: resolve(job.environment) });
      }
      const steps = [
        ...(job.steps ?? []),
        ...(job.strategy?.runOnce?.deploy?.steps ?? []),
      ];
      for (const step of steps) {
        for (const key of [
          'containerRegistry',
          'dockerRegistryEndpoint',
          'kubernetesServiceConnection',
          'kubernetesServiceEndpoint',
        ]) {
          if (step.inputs?.[key]) {
            resources.push({
              type: 'endpoint',
              name: resolve(step.inputs[key]),
            });
          }
        }
      }
    }
    return {
      name: stage.stage,
      resources,
      runs: !(stage.condition === MAIN_ONLY && run.pullRequest),
    };
  });
}

/** What a pull request can do to the YAML: drop every condition that keeps it from push and deploy. */
function withoutConditions(pipeline: any) {
  const copy = structuredClone(pipeline);
  for (const stage of copy.stages) {
    delete stage.condition;
    for (const job of stage.jobs) {
      for (const step of job.steps ?? []) {
        delete step.condition;
      }
    }
  }
  return copy;
}

describe.each([
  ['an Azure Repos repository', acrValues],
  ['a GitHub repository', dockerHubValues],
])(
  'the template’s azure steps for %s, run by a plain project member',
  (_title, values) => {
    let standIn: AzureDevOpsStandIn;
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    let task: any;
    let pipeline: any;

    beforeAll(async () => {
      standIn = await standInFor(values);
      const knex = knexFactory({
        client: 'better-sqlite3',
        connection: ':memory:',
        useNullAsDefault: true,
      });
      backend = await startTestBackend({
        features: [
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              integrations: {
                azure: [
                  {
                    host: 'dev.azure.com',
                    credentials: [{ personalAccessToken: PAT }],
                  },
                ],
              },
              // The portal's own grants (app-config.yaml), where the fixtures' owner is granted
              // their connections and environment.
              azurePipelines: {
                ...portalConfig().azurePipelines,
                apiBaseUrl: standIn.url,
              },
            },
          }),
          scaffolderPlugin,
          azurePipelinesModule,
          catalogServiceMock.factory({
            entities: [azureStepsOfTemplate(), DRY_RUN_USER],
          }),
        ],
      });
      const created = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', mockCredentials.user.header())
        .send({
          templateRef: 'template:default/python-dashboard-service-azure-steps',
          values,
          secrets: { azureDevOpsUserToken: USER_TOKEN },
        });
      if (created.status !== 201) {
        throw new Error(`Starting the task answered ${created.status}`);
      }
      for (let i = 0; i < 200; i++) {
        task = (
          await request(backend.server)
            .get(`/api/scaffolder/v2/tasks/${created.body.id}`)
            .set('Authorization', mockCredentials.user.header())
        ).body;
        if (['completed', 'failed'].includes(task.status)) break;
        await new Promise(r => setTimeout(r, 100));
      }
      const rendered = await dryRunTemplate({
        templateDir,
        values,
        features: serviceTemplateFeatures,
      });
      pipeline = parseYamlFiles(rendered.files).get('azure-pipelines.yml')![0];
    });

    afterAll(async () => {
      await backend?.stop();
      await standIn?.stop();
    });

    it('completes: the member creates and starts the pipeline, the portal’s account protects and authorizes it', () => {
      const { state } = standIn;
      expect(task.status).toBe('completed');
      const [definition] = state.definitions;
      expect(definition.createdBy).toBe(MEMBER);
      expect(state.runs.get(definition.id)!.map(r => r.requestedBy)).toEqual([
        MEMBER,
      ]);
      const writesBy = (identity: string) =>
        state.requests
          .filter(r => r.method !== 'GET' && r.identity === identity)
          .map(r => `${r.method} ${r.path.replace(/^.*\/_apis\//, '')}`);
      expect(writesBy(MEMBER)).toEqual([
        'POST pipelines',
        `POST build/definitions/${definition.id}/tags`,
        `POST pipelines/${definition.id}/runs`,
      ]);
      // Marked for the entity and its owner, which authorize and start read back.
      expect(definition.tags).toEqual(
        markTags({
          entityRef: `component:default/${values.name}`,
          owner: values.owner,
        }),
      );
      expect(writesBy('Portal service account')).toEqual(
        expect.arrayContaining([
          'POST distributedtask/environments',
          'POST pipelines/checks/configurations',
        ]),
      );
      // Build validation exists only on Azure Repos, added by the portal's account.
      expect(state.policies.map(p => p.createdBy)).toEqual(
        values.repoUrl.startsWith('dev.azure.com')
          ? ['Portal service account']
          : [],
      );
    });

    it('lets a run of main build, push and deploy with the connections and the environment', () => {
      const run = simulateRun(standIn.state, {
        pipelineId: standIn.state.definitions[0].id,
        sourceBranch: 'refs/heads/main',
        stages: stagesOf(pipeline, { pullRequest: false }),
      });
      expect(run.result).toBe('succeeded');
      expect(run.stages.map(s => s.result)).not.toContain('skipped');
    });

    it('refuses a pull-request run whose YAML drops the main-only conditions: no stage that pushes or deploys runs', () => {
      const stages = stagesOf(withoutConditions(pipeline), {
        pullRequest: true,
      });
      const run = simulateRun(standIn.state, {
        pipelineId: standIn.state.definitions[0].id,
        sourceBranch: 'refs/pull/7/merge',
        stages,
      });
      expect(run.result).toBe('failed');
      const protectedStages = stages
        .filter(s => s.resources.length > 0)
        .map(s => s.name);
      expect(protectedStages.length).toBeGreaterThan(0);
      for (const stage of run.stages.filter(s =>
        protectedStages.includes(s.name),
      )) {
        expect([stage.name, stage.result]).not.toEqual([
          stage.name,
          'succeeded',
        ]);
      }
      expect(run.stages.flatMap(s => s.messages).join('\n')).toContain(
        `on the service connection '${values.registryServiceConnection}' failed: refs/pull/7/merge is not one of the allowed branches (refs/heads/main).`,
      );
    });

    // Checks apply to every resource a stage's jobs name, whatever its steps' conditions: the
    // generated Build stage names none, so pull-request validation runs pass it.
    it('lets a pull-request run of the pipeline as generated test and build, as it names no protected resource there', () => {
      const run = simulateRun(standIn.state, {
        pipelineId: standIn.state.definitions[0].id,
        sourceBranch: 'refs/pull/7/merge',
        stages: stagesOf(pipeline, { pullRequest: true }),
      });
      expect(run.result).toBe('succeeded');
      expect(run.stages.map(s => [s.name, s.result])).toEqual([
        ['Test', 'succeeded'],
        ['Build', 'succeeded'],
        ['Push', 'skipped'],
        ['Deploy', 'skipped'],
      ]);
    });
  },
);
