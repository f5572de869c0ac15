import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  startAzureDevOpsStandIn,
  type AzureDevOpsStandIn,
} from '@internal/plugin-scaffolder-backend-module-azure-devops/testing';
import {
  startKubernetesStandIn,
  type KubernetesStandIn,
} from '@internal/plugin-kubernetes-common/testing';
import {
  REPO_ROOT,
  startBackendProcess,
  type BackendProcess,
} from './testing/backendProcess';
import { waitForEntities } from './testing/catalog';
import { startGoldenPathOrigin } from './testing/goldenPathOrigin';
import { startPostgres, type PostgresServer } from './testing/postgres';
import { PRODUCTION_CONFIG, productionEnv } from './testing/production';

/*
 * golden-path:verify in the real backend with the production config on a real PostgreSQL: the
 * replica running the create task is killed (SIGKILL) while the task waits for the rollout;
 * another replica recovers the task (scaffolder.taskRecovery) and resumes the wait where it was,
 * without looking again at the run that had passed. The pipeline is the Azure DevOps stand-in,
 * the cluster the Kubernetes stand-in read by the real kubernetes backend. Grafana is not there
 * (GRAFANA_URL points at a closed port), so the alerts stage fails, naming Grafana, after its
 * short timeout: what the task says when the portal's Grafana cannot be reached.
 */
jest.setTimeout(480_000);

const PAT = 'portal-service-account-pat';
const SA_TOKEN = 'portal-service-account-token';
const PIPELINE_ID = 7;
const RUN_ID = 101;

/** The portal's catalog rules plus one that lets this test's template location hold a Template. */
function catalogRulesWith(templateUrl: string) {
  const base = parseYaml(
    fs.readFileSync(path.join(REPO_ROOT, 'app-config.yaml'), 'utf8'),
  ) as { catalog: { rules: unknown[] } };
  return [
    ...base.catalog.rules,
    { allow: ['Template'], locations: [{ type: 'url', target: templateUrl }] },
  ];
}

function must(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new Error(reason);
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 500));
  }
}

type TaskEvent = {
  type: string;
  body: { message?: string; stepId?: string; status?: string };
};

describe('golden-path:verify across a replica that dies while the task waits', () => {
  let pg: PostgresServer;
  let azure: AzureDevOpsStandIn;
  let cluster: KubernetesStandIn;
  let origin: Awaited<ReturnType<typeof startGoldenPathOrigin>>;
  const replicas: BackendProcess[] = [];

  const start = () =>
    startBackendProcess({
      configFiles: PRODUCTION_CONFIG,
      env: {
        ...productionEnv(pg),
        AZURE_DEVOPS_TOKEN: PAT,
        KUBERNETES_API_URL: cluster.url,
        KUBERNETES_SERVICE_ACCOUNT_TOKEN: SA_TOKEN,
        KUBERNETES_CLUSTER_NAME: 'aks-prod',
      },
      config: {
        catalog: { rules: catalogRulesWith(origin.templateUrl) },
        backend: { reading: origin.readingConfig.reading },
        azurePipelines: { apiBaseUrl: azure.url },
        goldenPath: {
          interval: { seconds: 1 },
          timeouts: { alerts: { seconds: 5 } },
        },
      },
    }).then(r => {
      replicas.push(r);
      return r;
    });

  const runsListed = () =>
    azure.state.requests.filter(r =>
      r.path.endsWith(`/pipelines/${PIPELINE_ID}/runs`),
    ).length;
  const podsListed = () =>
    cluster.requests.filter(r =>
      r.startsWith('/api/v1/namespaces/dashboards/pods'),
    ).length;

  let taskId: string;
  let events: TaskEvent[];
  let status: string;
  let runsListedBeforeKill: number;

  beforeAll(async () => {
    pg = await startPostgres();
    azure = await startAzureDevOpsStandIn({
      organization: 'contoso',
      project: 'dashboards',
      token: PAT,
    });
    azure.state.runs.set(PIPELINE_ID, [
      { id: RUN_ID, name: `${RUN_ID}`, state: 'inProgress' },
    ]);
    // Pods that cannot be scheduled: the rollout waits.
    cluster = await startKubernetesStandIn({
      scenario: 'pending',
      token: SA_TOKEN,
    });
    origin = await startGoldenPathOrigin({
      organization: 'contoso',
      project: 'dashboards',
      pipelineId: PIPELINE_ID,
      runId: RUN_ID,
      imageTag: '1.4.2',
    });

    const a = await start();
    for (const target of [origin.templateUrl, origin.entityUrl]) {
      const res = await a.request('/api/catalog/locations', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'url', target }),
      });
      must(res.status === 201, `registering ${target}: ${res.status}`);
    }
    const served = await waitForEntities(a, [
      origin.templateRef,
      origin.entityRef,
    ]);
    must(
      served.has(origin.templateRef) && served.has(origin.entityRef),
      'the template or the entity never appeared in the catalog',
    );
    const created = await a.request('/api/scaffolder/v2/tasks', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ templateRef: origin.templateRef, values: {} }),
    });
    must(created.status === 201, `creating the task: ${created.status}`);
    taskId = ((await created.json()) as { id: string }).id;

    // The built stage waits on the run; the run then succeeds and the rollout's wait begins.
    await until('the run to be looked at', () => runsListed() > 0, 90_000);
    Object.assign(azure.state.runs.get(PIPELINE_ID)![0], {
      state: 'completed',
      result: 'succeeded',
    });
    await until(
      'the rollout to be looked at twice',
      () => podsListed() >= 2,
      60_000,
    );
    runsListedBeforeKill = runsListed();

    // A dies in the middle of the wait; B starts; the rollout finishes meanwhile.
    await a.kill();
    replicas.splice(replicas.indexOf(a), 1);
    const port = Number(new URL(cluster.url).port);
    await cluster.stop();
    cluster = await startKubernetesStandIn({
      scenario: 'healthy',
      token: SA_TOKEN,
      port,
    });
    const b = await start();

    status = await until(
      'the task to end on B',
      async () => {
        const res = await b.request(`/api/scaffolder/v2/tasks/${taskId}`);
        const s = ((await res.json()) as { status: string }).status;
        return ['completed', 'failed'].includes(s) ? s : undefined;
      },
      240_000,
    );
    events = (await (
      await b.request(`/api/scaffolder/v2/tasks/${taskId}/events`)
    ).json()) as TaskEvent[];
  });

  afterAll(async () => {
    await Promise.all(replicas.map(r => r.stop()));
    await origin?.stop();
    await cluster?.stop();
    await azure?.stop();
    await pg?.stop();
  });

  const messages = () =>
    events.filter(e => e.type === 'log').map(e => e.body.message ?? '');

  it('is recovered by the other replica, which resumes the wait without looking at the finished run again', () => {
    expect(events.map(e => e.type)).toContain('recovered');
    expect(runsListed()).toBe(runsListedBeforeKill);
    expect(messages()).toContainEqual(
      expect.stringMatching(
        /built: passed \(before the task was resumed\): Run 101 succeeded\./,
      ),
    );
    expect(messages()).toContainEqual(
      expect.stringMatching(
        /deployed: passed: (\d)\/\1 pods ready at image tag 1\.4\.2\./,
      ),
    );
  });

  it('wrote one line as each stage passed or could not be checked, and one for the wait before the rollout was ready', () => {
    const lines = messages();
    expect(lines).toContainEqual(
      expect.stringMatching(/built: passed: Run 101 succeeded\./),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /deployed: waiting .*Unschedulable|deployed: waiting .*Insufficient/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /scraped: not checked: Cannot check: no Prometheus is configured/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /logging: not checked: Cannot check: no Loki is configured/,
      ),
    );
  });

  it('fails at the stage that could not pass, naming Grafana and linking what exists, undoing nothing', () => {
    expect(status).toBe('failed');
    const failure = messages().join('\n');
    expect(failure).toContain('The golden path stopped at "alerts"');
    expect(failure).toContain(
      'Grafana at http://127.0.0.1:3030 could not be reached',
    );
    expect(failure).toContain(
      'Nothing was undone; what exists: Catalog entity: component:default/sales-dashboard.',
    );
    // Only reads reached the pipeline and the cluster.
    expect(new Set(azure.state.requests.map(r => r.method))).toEqual(
      new Set(['GET']),
    );
  });
});
