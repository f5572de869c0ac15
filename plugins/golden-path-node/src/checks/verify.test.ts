/**
 * @jest-environment node
 */
import { ConfigReader } from '@backstage/config';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import { createClientFactory } from '@internal/plugin-scaffolder-backend-module-azure-devops';
import {
  AzureDevOpsStandIn,
  startAzureDevOpsStandIn,
} from '@internal/plugin-scaffolder-backend-module-azure-devops/testing';
import {
  KUBERNETES_STAND_IN_RECORDED_AT,
  responseFor,
} from '@internal/plugin-kubernetes-common/testing';
import { LokiStandIn, startLokiStandIn } from '../../testing/lokiStandIn';
import { fakeCheckpoints, fakeClock } from '../__testUtils__/fakes';
import { DEFAULT_TIMEOUTS_MS, WaitSettings } from '../lib/config';
import type { KubernetesReader } from './deployed';
import type { CheckSources } from './sources';
import type { GoldenPathTarget } from './types';
import { verifyGoldenPath } from './verify';

/*
 * The create task's walk through the stages, on a fake clock with checkpoints that behave as the
 * scaffolder's, against the Azure DevOps and Loki stand-ins and the kubernetes backend's answers
 * for the Kubernetes stand-in's recordings.
 */

jest.setTimeout(30_000);

const MINUTE = 60_000;
const TOKEN = 'portal-pat';
const PIPELINE_ID = 7;
const RUN_ID = 101;

const target: GoldenPathTarget = {
  entityRef: 'component:default/sales-dashboard',
  app: 'sales-dashboard',
  namespace: 'dashboards',
  pipeline: {
    organization: 'contoso',
    project: 'dashboards',
    definition: PIPELINE_ID,
    runId: RUN_ID,
  },
};

const settings: WaitSettings = {
  timeoutsMs: { ...DEFAULT_TIMEOUTS_MS, deployed: 10 * MINUTE },
  intervalMs: 15_000,
};

/** The healthy recording with its pods running image tag `tag`. */
function healthyAt(tag: string): ObjectsByEntityResponse {
  const response = responseFor('healthy');
  for (const item of response.items) {
    for (const r of item.resources) {
      for (const o of r.resources as any[]) {
        for (const c of [
          ...(o.spec?.containers ?? []),
          ...(o.spec?.template?.spec?.containers ?? []),
        ]) {
          c.image = c.image.replace(/:[^:/]+$/, `:${tag}`);
        }
      }
    }
  }
  return response;
}

/** A reader answering each look with the next answer, the last one from then on. */
function answers(...responses: (() => Promise<ObjectsByEntityResponse>)[]) {
  const reader: KubernetesReader & { looks: number } = {
    looks: 0,
    clusters: async () => [{ name: 'aks-prod' }],
    objectsFor: () =>
      responses[Math.min(reader.looks++, responses.length - 1)](),
  };
  return reader;
}

describe('verifyGoldenPath', () => {
  let azure: AzureDevOpsStandIn;
  let loki: LokiStandIn;
  let clock: ReturnType<typeof fakeClock>;

  const runsListed = () =>
    azure.state.requests.filter(r =>
      r.path.endsWith(`/pipelines/${PIPELINE_ID}/runs`),
    ).length;

  const sources = (kubernetes: KubernetesReader): CheckSources => ({
    azure: createClientFactory({
      config: new ConfigReader({
        azurePipelines: { apiBaseUrl: azure.url },
        integrations: {
          azure: [
            {
              host: 'dev.azure.com',
              credentials: [{ personalAccessToken: TOKEN }],
            },
          ],
        },
      }),
    }),
    kubernetes,
    loki: { url: loki.url },
  });

  beforeEach(async () => {
    clock = fakeClock(Date.parse(KUBERNETES_STAND_IN_RECORDED_AT));
    azure = await startAzureDevOpsStandIn({
      organization: 'contoso',
      project: 'dashboards',
      token: TOKEN,
    });
    azure.state.runs.set(PIPELINE_ID, [
      { id: RUN_ID, name: `${RUN_ID}`, state: 'inProgress' },
    ]);
    loki = await startLokiStandIn({
      streams: [
        {
          labels: { namespace: 'dashboards', service_name: 'sales-dashboard' },
          entries: [{ at: clock.now() + 10_000, line: '{"msg":"up"}' }],
        },
      ],
    });
  });
  afterEach(async () => {
    await azure.stop();
    await loki.stop();
  });

  /** Completes the run `afterSleeps` sleeps from now, as a pipeline finishing in the meantime. */
  function completeRunAfter(afterSleeps: number, result: string) {
    const sleep = clock.sleep;
    let sleeps = 0;
    clock.sleep = async ms => {
      if (++sleeps === afterSleeps) {
        azure.state.runs.get(PIPELINE_ID)![0].state = 'completed';
        azure.state.runs.get(PIPELINE_ID)![0].result = result;
      }
      return sleep(ms);
    };
  }

  it('follows a started run through to a rollout at its image, one line per stage, saying which stages it cannot check', async () => {
    completeRunAfter(2, 'succeeded');
    const kubernetes = answers(
      async () => healthyAt('1.4.2'),
      async () => healthyAt('1.4.2'),
      async () => healthyAt(String(RUN_ID)),
    );
    const lines: string[] = [];
    const outcome = await verifyGoldenPath({
      target,
      sources: sources(kubernetes),
      settings,
      checkpoint: fakeCheckpoints().checkpoint,
      clock,
      log: line => lines.push(line),
    });
    expect(outcome.passed).toBe(true);
    expect(outcome.stages.map(s => [s.id, s.state])).toEqual([
      ['built', 'pass'],
      ['deployed', 'pass'],
      ['scraped', 'unavailable'],
      ['logging', 'pass'],
      ['dashboard', 'unavailable'],
      ['alerts', 'unavailable'],
    ]);
    expect(kubernetes.looks).toBe(3);
    expect(lines).toEqual([
      'built: waiting (0 s of 20 min): Run 101 is inProgress. (The run has not finished yet.)',
      expect.stringMatching(
        /^built: passed: Run 101 succeeded\. \(Run 101: http:\/\/127\.0\.0\.1:\d+\/contoso\/dashboards\/_build\/results\?buildId=101\)$/,
      ),
      expect.stringMatching(
        /^deployed: waiting \(0 s of 10 min\): 0\/\d pods ready at image tag 101; the rollout is healthy\. \(\d pod\(s\) still run another image: sales-dashboard-/,
      ),
      expect.stringMatching(
        /^deployed: passed: (\d)\/\1 pods ready at image tag 101\.$/,
      ),
      'scraped: not checked: Cannot check: no Prometheus is configured (goldenPath.prometheus.url).',
      expect.stringMatching(/^logging: passed: 1 log stream\(s\)/),
      'dashboard: not checked: Cannot check: no Prometheus is configured (goldenPath.prometheus.url).',
      expect.stringMatching(/^alerts: not checked: Cannot check: no rules API/),
    ]);
  });

  it('fails at once when the run failed, naming its failing stage and step with the log link, and looks at nothing after it', async () => {
    const run = azure.state.runs.get(PIPELINE_ID)![0];
    Object.assign(run, {
      state: 'completed',
      result: 'failed',
      timeline: [
        { id: 's2', type: 'Stage', name: 'Build', result: 'failed', order: 2 },
        {
          id: 'j2',
          parentId: 's2',
          type: 'Job',
          name: 'Build',
          result: 'failed',
        },
        {
          id: 't9',
          parentId: 'j2',
          type: 'Task',
          name: 'Docker push',
          result: 'failed',
          log: { id: 9 },
          issues: [
            {
              type: 'error',
              message: 'denied: requested access to the resource is denied',
            },
          ],
        },
      ],
    });
    const kubernetes = answers(async () => healthyAt(String(RUN_ID)));
    const lines: string[] = [];
    const outcome = await verifyGoldenPath({
      target,
      sources: sources(kubernetes),
      settings,
      checkpoint: fakeCheckpoints().checkpoint,
      clock,
      log: line => lines.push(line),
    });
    expect(outcome.passed).toBe(false);
    expect(outcome.failed).toMatchObject({
      id: 'built',
      result: {
        summary: 'Run 101 failed: stage Build, step Docker push.',
        cause: 'denied: requested access to the resource is denied',
      },
    });
    expect(outcome.stages.slice(1).map(s => s.state)).toEqual(
      Array(5).fill('skipped'),
    );
    expect(clock.slept).toEqual([]);
    expect(kubernetes.looks).toBe(0);
    expect(lines).toEqual([
      expect.stringMatching(
        /^built: FAILED: Run 101 failed: stage Build, step Docker push\. Cause: denied: requested access to the resource is denied Fix: Read the log of Docker push.* Evidence: Log of Docker push: http:\/\/127\.0\.0\.1:\d+\/contoso\/dashboards\/_build\/results\?buildId=101&view=logs&j=j2&t=t9/,
      ),
    ]);
  });

  it("gives up on a rollout at the stage's timeout, naming the pod's reason and what to change", async () => {
    azure.state.runs.get(PIPELINE_ID)![0].state = 'completed';
    azure.state.runs.get(PIPELINE_ID)![0].result = 'succeeded';
    const outcome = await verifyGoldenPath({
      target,
      sources: sources(answers(async () => responseFor('pending'))),
      settings: {
        ...settings,
        timeoutsMs: { ...settings.timeoutsMs, deployed: 2 * MINUTE },
      },
      checkpoint: fakeCheckpoints().checkpoint,
      clock,
      log: () => {},
    });
    expect(outcome.failed).toMatchObject({
      id: 'deployed',
      waitedMs: 2 * MINUTE,
      timeoutMs: 2 * MINUTE,
      result: {
        cause: expect.stringMatching(/Unschedulable|Insufficient/),
        fix: expect.stringContaining('cannot be scheduled'),
      },
    });
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(2 * MINUTE);
  });

  it('resumes where it was after the replica running it died: passed stages are not looked at again, and the wait keeps its deadline', async () => {
    azure.state.runs.get(PIPELINE_ID)![0].state = 'completed';
    azure.state.runs.get(PIPELINE_ID)![0].result = 'succeeded';
    const store = new Map();
    // The first replica passes built, then dies in the middle of the rollout's wait: its
    // third look at the cluster never returns.
    void verifyGoldenPath({
      target,
      sources: sources(
        answers(
          async () => responseFor('pending'),
          async () => responseFor('pending'),
          () => new Promise<never>(() => {}),
        ),
      ),
      settings,
      checkpoint: fakeCheckpoints(store).checkpoint,
      clock,
      log: () => {},
    });
    for (let i = 0; i < 50 && clock.slept.length < 2; i++) {
      await new Promise(r => setTimeout(r, 10));
    }
    expect(clock.slept).toEqual([15_000, 15_000]);
    expect(runsListed()).toBe(1);

    // Another replica takes the task over nine minutes into the ten-minute wait.
    clock.advance(9 * MINUTE - 30_000);
    clock.slept.length = 0;
    const lines: string[] = [];
    const outcome = await verifyGoldenPath({
      target,
      sources: sources(answers(async () => responseFor('pending'))),
      settings,
      checkpoint: fakeCheckpoints(store).checkpoint,
      clock,
      log: line => lines.push(line),
    });
    expect(runsListed()).toBe(1);
    expect(outcome.stages[0]).toMatchObject({
      id: 'built',
      state: 'pass',
      resumed: true,
    });
    expect(lines[0]).toMatch(
      /^built: passed \(before the task was resumed\): Run 101 succeeded\./,
    );
    expect(outcome.failed).toMatchObject({
      id: 'deployed',
      waitedMs: 10 * MINUTE,
    });
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(MINUTE);
  });

  it('reads the rollout at the tag of the run a recovered task had judged', async () => {
    azure.state.runs.get(PIPELINE_ID)![0].state = 'completed';
    azure.state.runs.get(PIPELINE_ID)![0].result = 'succeeded';
    const store = new Map();
    const first = await verifyGoldenPath({
      target,
      sources: sources(answers(async () => healthyAt('1.4.2'))),
      settings: {
        ...settings,
        timeoutsMs: { ...settings.timeoutsMs, deployed: 30_000 },
      },
      checkpoint: fakeCheckpoints(store).checkpoint,
      clock,
      log: () => {},
    });
    expect(first.failed?.id).toBe('deployed');
    // A retry, once the rollout reached the run's image.
    const second = await verifyGoldenPath({
      target,
      sources: sources(answers(async () => healthyAt(String(RUN_ID)))),
      settings,
      checkpoint: fakeCheckpoints(store).checkpoint,
      clock,
      log: () => {},
    });
    expect(runsListed()).toBe(1);
    expect(second.stages[1]).toMatchObject({ id: 'deployed', state: 'pass' });
  });

  it('says for every stage that it cannot check it when the portal has nothing configured, and passes', async () => {
    const lines: string[] = [];
    const outcome = await verifyGoldenPath({
      target: { ...target, pipeline: undefined },
      sources: {},
      settings,
      checkpoint: fakeCheckpoints().checkpoint,
      clock,
      log: line => lines.push(line),
    });
    expect(outcome.passed).toBe(true);
    expect(outcome.stages.every(s => s.state === 'unavailable')).toBe(true);
    expect(lines).toHaveLength(6);
    expect(lines.every(l => /^\w+: not checked: Cannot check: /.test(l))).toBe(
      true,
    );
    expect(clock.slept).toEqual([]);
  });
});
