/**
 * @jest-environment node
 */
import { ConfigReader } from '@backstage/config';
import type { JsonValue } from '@backstage/types';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import {
  Clock,
  DEFAULT_TIMEOUTS_MS,
  KubernetesReader,
} from '@internal/plugin-golden-path-node';
import { responseFor } from '@internal/plugin-kubernetes-common/testing';
import { createClientFactory } from '@internal/plugin-scaffolder-backend-module-azure-devops';
import {
  AzureDevOpsStandIn,
  startAzureDevOpsStandIn,
} from '@internal/plugin-scaffolder-backend-module-azure-devops/testing';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import { createGoldenPathVerifyAction } from './verify';

/*
 * The action's handler with the scaffolder's task context, against the Azure DevOps stand-in
 * and the kubernetes backend's answers for the Kubernetes stand-in's recordings
 * (plugins/kubernetes-common/testing), on a clock that moves only when the action waits.
 */

const TOKEN = 'portal-pat';
const PIPELINE_ID = 7;
const RUN_ID = 101;

const input = {
  repoUrl:
    'dev.azure.com?organization=contoso&project=dashboards&repo=sales-dashboard',
  pipelineId: PIPELINE_ID,
  runId: RUN_ID,
  entityRef: 'component:default/sales-dashboard',
  namespace: 'dashboards',
  imageTag: '1.4.2',
  created: [
    {
      title: 'Repository',
      url: 'https://dev.azure.com/contoso/dashboards/_git/sales-dashboard',
    },
    { title: 'Catalog entity', entityRef: 'component:default/sales-dashboard' },
  ],
};

function clock(): Clock & { slept: number[] } {
  let now = Date.parse('2026-11-25T15:25:00Z');
  const slept: number[] = [];
  return {
    now: () => now,
    sleep: async ms => {
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

const reader = (
  ...responses: (() => ObjectsByEntityResponse)[]
): KubernetesReader & { looks: number } => {
  const r = {
    looks: 0,
    clusters: async () => [{ name: 'aks-prod' }],
    objectsFor: async () =>
      responses[Math.min(r.looks++, responses.length - 1)](),
  };
  return r;
};

describe('golden-path:verify', () => {
  let azure: AzureDevOpsStandIn;
  const config = (withToken = true) =>
    new ConfigReader({
      azurePipelines: { apiBaseUrl: azure.url },
      integrations: {
        azure: [
          {
            host: 'dev.azure.com',
            ...(withToken
              ? { credentials: [{ personalAccessToken: TOKEN }] }
              : {}),
          },
        ],
      },
    });
  const action = (
    kubernetes: KubernetesReader,
    options: {
      withToken?: boolean;
      deployedMs?: number;
      clock?: Clock;
      unconfigured?: 'skip' | 'fail';
    } = {},
  ) =>
    createGoldenPathVerifyAction({
      connect: createClientFactory({ config: config(options.withToken) }),
      sources: { kubernetes },
      settings: {
        timeoutsMs: {
          ...DEFAULT_TIMEOUTS_MS,
          deployed: options.deployedMs ?? DEFAULT_TIMEOUTS_MS.deployed,
        },
        intervalMs: 15_000,
      },
      clock: options.clock ?? clock(),
      unconfigured: options.unconfigured,
    });
  const runsListed = () =>
    azure.state.requests.filter(r =>
      r.path.endsWith(`/pipelines/${PIPELINE_ID}/runs`),
    ).length;

  beforeEach(async () => {
    azure = await startAzureDevOpsStandIn({
      organization: 'contoso',
      project: 'dashboards',
      token: TOKEN,
    });
    azure.state.runs.set(PIPELINE_ID, [
      {
        id: RUN_ID,
        name: `${RUN_ID}`,
        state: 'completed',
        result: 'succeeded',
      },
    ]);
  });
  afterEach(() => azure.stop());

  it("in a dry run says what it would follow, with each stage's timeout, and reads nothing", async () => {
    const kubernetes = reader(() => responseFor('healthy'));
    const { ctx, logLines, outputs } = createTestActionContext({
      input: { ...input, runId: 0, pipelineId: 0 },
      isDryRun: true,
    });
    await action(kubernetes).handler(ctx as any);
    expect(logLines).toEqual([
      'info: Would follow run 0 of pipeline 0 through built (up to 20 min), deployed (up to 10 min), scraped (up to 5 min), logging (up to 5 min), dashboard (up to 5 min), alerts (up to 5 min), looking every 15 s, for component:default/sales-dashboard in namespace dashboards',
    ]);
    expect(outputs).toEqual({ stages: [] });
    expect(azure.state.requests).toEqual([]);
    expect(kubernetes.looks).toBe(0);
  });

  it('passes once the run succeeded and the rollout is ready at its image, one log line per stage, and outputs each stage', async () => {
    const { ctx, logLines, outputs } = createTestActionContext({ input });
    await action(reader(() => responseFor('healthy'))).handler(ctx as any);
    expect(
      logLines.filter(l =>
        /^info: (built|deployed|scraped|logging|dashboard|alerts): /.test(l),
      ),
    ).toEqual([
      expect.stringMatching(/^info: built: passed: Run 101 succeeded\./),
      expect.stringMatching(
        /^info: deployed: passed: (\d)\/\1 pods ready at image tag 1\.4\.2\./,
      ),
      'info: scraped: not checked: Cannot check: no Prometheus is configured (goldenPath.prometheus.url).',
      'info: logging: not checked: Cannot check: no Loki is configured (goldenPath.loki.url).',
      'info: dashboard: not checked: Cannot check: no Prometheus is configured (goldenPath.prometheus.url).',
      expect.stringMatching(/^info: alerts: not checked: Cannot check:/),
    ]);
    expect((outputs.stages as { state: string }[]).map(s => s.state)).toEqual([
      'pass',
      'pass',
      'unavailable',
      'unavailable',
      'unavailable',
      'unavailable',
    ]);
  });

  it('fails naming the stage, the evidence, the cause and the fix, and links what was created, undoing nothing', async () => {
    Object.assign(azure.state.runs.get(PIPELINE_ID)![0], {
      result: 'failed',
      timeline: [
        { id: 's1', type: 'Stage', name: 'Test', result: 'failed', order: 1 },
        {
          id: 'j1',
          parentId: 's1',
          type: 'Job',
          name: 'Test',
          result: 'failed',
        },
        {
          id: 't1',
          parentId: 'j1',
          type: 'Task',
          name: 'pytest',
          result: 'failed',
          log: { id: 3 },
          issues: [{ type: 'error', message: 'Bash exited with code 1.' }],
        },
      ],
    });
    const { ctx } = createTestActionContext({ input });
    const error = await action(reader(() => responseFor('healthy')))
      .handler(ctx as any)
      .catch(e => e as Error);
    expect((error as Error).message.split('\n')).toEqual([
      'The golden path stopped at "built": Run 101 failed: stage Test, step pytest.',
      'Cause: Bash exited with code 1.',
      'Fix: Read the log of pytest, fix the cause in the repository and push to main (a new run starts).',
      expect.stringMatching(
        /^Evidence: Log of pytest: http:\/\/127\.0\.0\.1:\d+\/contoso\/dashboards\/_build\/results\?buildId=101&view=logs&j=j1&t=t1$/,
      ),
      expect.stringMatching(/^Evidence: Run 101: /),
      'Nothing was undone; what exists: Repository: https://dev.azure.com/contoso/dashboards/_git/sales-dashboard; Catalog entity: component:default/sales-dashboard. Fix the cause and retry the task: the stages that passed are not checked again.',
    ]);
    // Only reads: Runs - List and Timeline - Get.
    expect(new Set(azure.state.requests.map(r => r.method))).toEqual(
      new Set(['GET']),
    );
  });

  it('ends with one line saying it was skipped and how to connect Azure DevOps, where unconfigured services are skipped', async () => {
    const kubernetes = reader(() => responseFor('healthy'));
    const { ctx, logLines, outputs } = createTestActionContext({ input });
    await action(kubernetes, {
      withToken: false,
      unconfigured: 'skip',
    }).handler(ctx as any);
    expect(logLines).toEqual([
      "warn: Azure DevOps not configured here: skipped, as the portal has no Azure DevOps token for organization 'contoso', so no pipeline run was started to follow. To connect it, set AZURE_DEVOPS_TOKEN (the integrations.azure credential for dev.azure.com) to a personal access token with the scopes in docs/azure-devops.md and restart the portal.",
    ]);
    expect(outputs.stages).toEqual([]);
    expect(azure.state.requests).toEqual([]);
    expect(kubernetes.looks).toBe(0);
  });

  it('fails naming the missing Azure DevOps token when skipping is not allowed (production)', async () => {
    const { ctx } = createTestActionContext({ input });
    await expect(
      action(
        reader(() => responseFor('healthy')),
        {
          withToken: false,
        },
      ).handler(ctx as any),
    ).rejects.toThrow(
      "Azure DevOps is not configured: the portal has no Azure DevOps token for organization 'contoso', so no pipeline run was started to follow. To connect it, set AZURE_DEVOPS_TOKEN",
    );
    expect(azure.state.requests).toEqual([]);
  });

  it('does not repeat a stage that passed when the task is retried, and reads the rollout again', async () => {
    const checkpoints = new Map<string, JsonValue | void>();
    const first = createTestActionContext({ input, checkpoints });
    await expect(
      action(
        reader(() => responseFor('pending')),
        {
          deployedMs: 60_000,
        },
      ).handler(first.ctx as any),
    ).rejects.toThrow(
      /^The golden path stopped at "deployed", which did not pass within 1 min: /,
    );
    expect(runsListed()).toBe(1);

    const retry = createTestActionContext({ input, checkpoints });
    const kubernetes = reader(() => responseFor('healthy'));
    await action(kubernetes).handler(retry.ctx as any);
    expect(runsListed()).toBe(1);
    expect(kubernetes.looks).toBe(1);
    expect(retry.logLines).toContainEqual(
      expect.stringMatching(
        /^info: built: passed \(before the task was resumed\): Run 101 succeeded\./,
      ),
    );
  });

  it('refuses an entityRef that is not an entity reference, saying what to give', async () => {
    const { ctx } = createTestActionContext({
      input: { ...input, entityRef: 'component:' },
    });
    await expect(
      action(reader(() => responseFor('healthy'))).handler(ctx as any),
    ).rejects.toThrow(
      "entityRef 'component:' is not an entity reference; give kind:namespace/name",
    );
  });
});
