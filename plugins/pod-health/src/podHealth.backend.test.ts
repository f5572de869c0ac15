/**
 * @jest-environment node
 */
import request from 'supertest';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import type { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_STAND_IN_RECORDED_AT,
  KubernetesStandIn,
  KubernetesStandInScenario,
  startKubernetesStandIn,
} from '@internal/plugin-kubernetes-common/testing';
import {
  salesDashboard,
  salesDashboardBySelector,
} from './__fixtures__/entities';
import { crashLoopLogPaths } from '@internal/plugin-kubernetes-common/testing';
import type { EventObject } from '@internal/plugin-kubernetes-common';
import { podSelectorOf } from '@internal/plugin-kubernetes-common';
import {
  PodEvents,
  PodHealthSummary,
  podKey,
  podsNeedingEvents,
  summarizePodHealth,
} from '@internal/plugin-kubernetes-common';

/*
 * The real kubernetes backend, pointed at the API stand-in with a service-account token, answers
 * the request the Kubernetes tab and the card send; the card's logic reads that answer.
 */

const TOKEN = 'stand-in-service-account-token';
jest.setTimeout(60_000);

/** The moment the recordings were made: what the card showed then. */
const now = new Date(KUBERNETES_STAND_IN_RECORDED_AT);

/** The real kubernetes backend with one cluster per `name: url`. */
async function startBackend(
  clusters: Record<string, string> | string,
  entities: Entity[] = [salesDashboard, salesDashboardBySelector],
) {
  const byName =
    typeof clusters === 'string' ? { 'aks-prod': clusters } : clusters;
  return startTestBackend({
    features: [
      import('@backstage/plugin-kubernetes-backend'),
      catalogServiceMock.factory({ entities }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: Object.entries(byName).map(([name, url]) => ({
                  name,
                  url,
                  authProvider: 'serviceAccount',
                  serviceAccountToken: TOKEN,
                })),
              },
            ],
          },
        },
      }),
    ],
  });
}

type Backend = Awaited<ReturnType<typeof startBackend>>;

async function objectsFor(
  backend: Backend,
  entity: Entity = salesDashboard,
): Promise<ObjectsByEntityResponse> {
  const res = await request(backend.server)
    .post(`/api/kubernetes/services/${entity.metadata.name}`)
    .send({ entity, auth: {} });
  expect(res.status).toBe(200);
  return res.body;
}

/** Events of the pods that need them, through the backend's proxy, as the card reads them. */
async function eventsFor(backend: Backend, objects: ObjectsByEntityResponse) {
  const events: PodEvents = {};
  for (const ref of podsNeedingEvents(objects)) {
    const res = await request(backend.server)
      .get(
        `/api/kubernetes/proxy/api/v1/namespaces/${ref.namespace}/events?fieldSelector=involvedObject.name=${ref.pod}`,
      )
      .set('Backstage-Kubernetes-Cluster', ref.cluster);
    expect(res.status).toBe(200);
    events[podKey(ref)] = res.body.items as EventObject[];
  }
  return events;
}

/** The card's content in words: one entry per workload. */
function shown(summary: PodHealthSummary) {
  return summary.workloads.map(w => ({
    workload: `${w.kind} ${w.name}${
      summary.workloads.some(o => o.cluster !== w.cluster)
        ? ` in ${w.cluster}`
        : ''
    }`,
    status: w.status,
    ready: `${w.ready}/${w.desired}`,
    restarts: `${w.restarts.recentIsExact ? '' : 'at least '}${
      w.restarts.recent
    } recent of ${w.restarts.total}`,
    crashLooping: w.crashLooping,
    lastTermination: w.lastTermination
      ? `${w.lastTermination.reason} (${w.lastTermination.exitCode}) at ${w.lastTermination.finishedAt}`
      : undefined,
    last: w.lastChange
      ? `revision ${w.lastChange.revision} at ${w.lastChange.at}`
      : w.lastRun && `${w.lastRun.job} ${w.lastRun.outcome} at ${w.lastRun.at}`,
    problems: w.problems.map(
      p =>
        `${p.reason} in ${p.pod ?? `${w.kind} ${w.name}`}${
          p.container ? ` (${p.container})` : ''
        }: ${p.message}${p.at ? ` (${p.at})` : ''}${
          p.logs ? ` [${p.logs} logs]` : ''
        }`,
    ),
  }));
}

const deployment = (fields: object) => ({
  workload: 'Deployment sales-dashboard',
  crashLooping: [],
  lastTermination: undefined,
  problems: [],
  ...fields,
});

/** What the card shows for each recorded scenario, judged when it was recorded. */
const expected: Record<
  Exclude<KubernetesStandInScenario, 'slow-probe'>,
  object[]
> = {
  healthy: [
    deployment({
      status: 'healthy',
      ready: '2/2',
      restarts: '0 recent of 0',
      last: 'revision 7 at 2026-11-25T14:02:31Z',
    }),
  ],
  crashloop: [
    deployment({
      status: 'degraded',
      ready: '2/2',
      // The crash-looping pod started 15 minutes ago: all its restarts are recent.
      restarts: '7 recent of 7',
      crashLooping: ['sales-dashboard-84c6f5d7b9-tq8wz'],
      lastTermination: 'Error (1) at 2026-11-25T15:21:05Z',
      last: 'revision 8 at 2026-11-25T15:10:12Z',
      problems: [
        // The Deployment gave up on revision 8 at 15:20; its pod still crash-loops.
        'ProgressDeadlineExceeded in Deployment sales-dashboard: ReplicaSet "sales-dashboard-84c6f5d7b9" has timed out progressing. (2026-11-25T15:20:13Z)',
        'CrashLoopBackOff in sales-dashboard-84c6f5d7b9-tq8wz (dashboard): restarted 7 times, last exit: Error (exit code 1) [previous logs]',
      ],
    }),
  ],
  oomkilled: [
    deployment({
      status: 'degraded',
      ready: '1/2',
      // Both pods started before the window; each restarted at least once inside it.
      restarts: 'at least 2 recent of 7',
      lastTermination: 'OOMKilled (137) at 2026-11-25T15:23:39Z',
      last: 'revision 7 at 2026-11-25T14:02:31Z',
      problems: [
        'OOMKilled in sales-dashboard-6d8f7c9b4d-7xk2p (dashboard): killed for exceeding its memory limit (2026-11-25T15:18:37Z) [previous logs]',
        'OOMKilled in sales-dashboard-6d8f7c9b4d-m4q9t (dashboard): killed for exceeding its memory limit (2026-11-25T15:23:39Z) [previous logs]',
        // From the pod's events, read through the backend's proxy.
        'Unhealthy in sales-dashboard-6d8f7c9b4d-m4q9t (dashboard): Readiness probe failed: Get "http://10.244.4.17:8501/_stcore/health": dial tcp 10.244.4.17:8501: connect: connection refused (6 times) [current logs]',
      ],
    }),
  ],
  pending: [
    deployment({
      status: 'degraded',
      ready: '2/3',
      restarts: '0 recent of 0',
      last: 'revision 7 at 2026-11-25T14:02:31Z',
      problems: [
        'Unschedulable in sales-dashboard-6d8f7c9b4d-zb5hn: 0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      ],
    }),
  ],
  // One OOM kill three weeks ago: history, not a problem.
  'oom-weeks-ago': [
    deployment({
      status: 'healthy',
      ready: '2/2',
      restarts: '0 recent of 1',
      lastTermination: 'OOMKilled (137) at 2026-11-04T03:12:40Z',
      last: 'revision 7 at 2026-10-30T08:15:31Z',
    }),
  ],
  // Each owner its own group; the CronJob's completed pods do not count against readiness.
  workloads: [
    deployment({
      status: 'healthy',
      ready: '2/2',
      restarts: '0 recent of 0',
      last: 'revision 7 at 2026-11-25T14:02:31Z',
    }),
    deployment({
      workload: 'StatefulSet sales-dashboard-cache',
      status: 'healthy',
      ready: '1/1',
      restarts: '0 recent of 0',
      last: undefined,
    }),
    deployment({
      workload: 'DaemonSet sales-dashboard-log-shipper',
      status: 'healthy',
      ready: '2/2',
      restarts: '0 recent of 0',
      last: undefined,
    }),
    deployment({
      workload: 'CronJob sales-dashboard-report',
      status: 'healthy',
      ready: '0/0',
      restarts: '0 recent of 0',
      last: 'sales-dashboard-report-29926980 succeeded at 2026-11-25T15:01:47Z',
    }),
  ],
  // A pod shutting down and a pod inside its readiness grace: a rollout, not a failure.
  rollout: [
    deployment({
      status: 'progressing',
      ready: '1/2',
      restarts: '0 recent of 0',
      last: 'revision 8 at 2026-11-25T15:24:41Z',
    }),
  ],
  'stuck-rollout': [
    deployment({
      status: 'degraded',
      ready: '2/2',
      restarts: '6 recent of 6',
      crashLooping: ['sales-dashboard-84c6f5d7b9-tq8wz'],
      lastTermination: 'Error (1) at 2026-11-25T15:21:05Z',
      last: 'revision 8 at 2026-11-25T15:10:12Z',
      problems: [
        'ProgressDeadlineExceeded in Deployment sales-dashboard: ReplicaSet "sales-dashboard-84c6f5d7b9" has timed out progressing. (2026-11-25T15:20:13Z)',
        'Init:CrashLoopBackOff in sales-dashboard-84c6f5d7b9-tq8wz (migrate): restarted 6 times, last exit: Error (exit code 1) [previous logs]',
      ],
    }),
  ],
};

describe.each(Object.keys(expected) as Array<keyof typeof expected>)(
  'the kubernetes backend against the %s stand-in',
  scenario => {
    let standIn: KubernetesStandIn;
    let backend: Backend;
    let objects: ObjectsByEntityResponse;
    let events: PodEvents;

    beforeAll(async () => {
      standIn = await startKubernetesStandIn({ scenario, token: TOKEN });
      backend = await startBackend(standIn.url);
      objects = await objectsFor(backend);
      events = await eventsFor(backend, objects);
    });
    afterAll(async () => {
      await backend?.stop();
      await standIn?.stop();
    });

    it('reads every object type it asks for, without errors', () => {
      expect(standIn.unmatched).toEqual([]);
      expect(objects.items).toHaveLength(1);
      expect(objects.items[0].cluster.name).toBe('aks-prod');
      expect(objects.items[0].errors).toEqual([]);
      const types = objects.items[0].resources.map(r => r.type);
      expect(types).toEqual(
        expect.arrayContaining([
          'pods',
          'deployments',
          'replicasets',
          'statefulsets',
          'daemonsets',
          'jobs',
          'cronjobs',
        ]),
      );
    });

    it('gives the card what it shows', () => {
      const summary = summarizePodHealth(objects, { events, now });
      expect(summary.clusterErrors).toEqual([]);
      expect(shown(summary)).toEqual(expected[scenario]);
    });
  },
);

describe('the logs a problem opens, through the kubernetes backend', () => {
  let standIn: KubernetesStandIn;
  let backend: Backend;
  beforeAll(async () => {
    standIn = await startKubernetesStandIn({
      scenario: 'crashloop',
      token: TOKEN,
    });
    backend = await startBackend(standIn.url);
  });
  afterAll(async () => {
    await backend?.stop();
    await standIn?.stop();
  });

  /** A request of the log viewer, through the backend's Kubernetes proxy. */
  const proxied = (path: string) =>
    request(backend.server)
      .get(`/api/kubernetes/proxy${path}`)
      .set('Backstage-Kubernetes-Cluster', 'aks-prod');

  it("reads the previous container's logs of the crash-looping pod the card names", async () => {
    const summary = summarizePodHealth(await objectsFor(backend), { now });
    const crash = summary.workloads[0].problems.find(
      p => p.kind === 'CrashLoopBackOff',
    );
    // The card opens these logs for this problem (see the card test for the request it sends).
    expect(crash).toMatchObject({
      pod: 'sales-dashboard-84c6f5d7b9-tq8wz',
      namespace: 'dashboards',
      container: 'dashboard',
      logs: 'previous',
    });

    const previous = await proxied(crashLoopLogPaths.previous);
    expect(previous.status).toBe(200);
    expect(previous.text).toContain('missing setting SALES_DB_URL');
    expect(standIn.requests).toContain(crashLoopLogPaths.previous);

    const current = await proxied(crashLoopLogPaths.current);
    expect(current.status).toBe(200);
    expect(current.text).toContain('starting sales-dashboard 1.5.0');
    expect(current.text).not.toContain('SALES_DB_URL');
  });

  it("passes on the API server's answer when a container has no previous run", async () => {
    const res = await proxied(
      '/api/v1/namespaces/dashboards/pods/sales-dashboard-6d8f7c9b4d-7xk2p/log?container=dashboard&previous=',
    );
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      'previous terminated container "dashboard" in pod "sales-dashboard-6d8f7c9b4d-7xk2p" not found',
    );
  });
});

describe('the kubernetes backend with two clusters that run pods of the same names', () => {
  it("gives each pod its own cluster's events", async () => {
    const prod = await startKubernetesStandIn({
      scenario: 'oomkilled',
      token: TOKEN,
    });
    const west = await startKubernetesStandIn({
      scenario: 'slow-probe',
      token: TOKEN,
    });
    const backend = await startBackend({
      'aks-prod': prod.url,
      'aks-west': west.url,
    });
    try {
      const objects = await objectsFor(backend);
      const events = await eventsFor(backend, objects);
      // The same pod, once per cluster, each asked for in its own cluster.
      expect(Object.keys(events).sort()).toEqual([
        'aks-prod/dashboards/sales-dashboard-6d8f7c9b4d-m4q9t',
        'aks-west/dashboards/sales-dashboard-6d8f7c9b4d-m4q9t',
      ]);
      const probes = shown(summarizePodHealth(objects, { events, now })).map(
        w => [w.workload, w.problems.filter(p => p.startsWith('Unhealthy'))],
      );
      expect(probes).toEqual([
        [
          'Deployment sales-dashboard in aks-prod',
          [
            'Unhealthy in sales-dashboard-6d8f7c9b4d-m4q9t (dashboard): Readiness probe failed: Get "http://10.244.4.17:8501/_stcore/health": dial tcp 10.244.4.17:8501: connect: connection refused (6 times) [current logs]',
          ],
        ],
        [
          'Deployment sales-dashboard in aks-west',
          [
            'Unhealthy in sales-dashboard-6d8f7c9b4d-m4q9t (dashboard): Readiness probe failed: Get "http://10.244.4.17:8501/_stcore/health": context deadline exceeded (Client.Timeout exceeded while awaiting headers) (3 times) [current logs]',
          ],
        ],
      ]);
    } finally {
      await backend.stop();
      await prod.stop();
      await west.stop();
    }
  });
});

describe('the kubernetes backend for an entity with a label selector', () => {
  it('asks for the pods the card names when it finds none', async () => {
    const standIn = await startKubernetesStandIn({
      scenario: 'healthy',
      token: TOKEN,
    });
    const backend = await startBackend(standIn.url);
    try {
      const objects = await objectsFor(backend, salesDashboardBySelector);
      const summary = summarizePodHealth(objects, { now });
      expect(summary.workloads).toEqual([]);
      expect(summary.clusterErrors).toEqual([]);

      const selector = podSelectorOf(salesDashboardBySelector);
      expect(selector).toEqual({
        annotation: 'backstage.io/kubernetes-label-selector',
        labelSelector:
          'app.kubernetes.io/name=sales-dashboard,app.kubernetes.io/component=worker',
        namespace: 'dashboards',
      });
      // The backend asked for exactly the pods the card's empty state names.
      expect(standIn.requests).toContain(
        `/api/v1/namespaces/${
          selector.namespace
        }/pods?labelSelector=${encodeURIComponent(selector.labelSelector)}`,
      );
    } finally {
      await backend.stop();
      await standIn.stop();
    }
  });
});

describe('the kubernetes backend with a wrong service-account token', () => {
  it('reports the 401 for the cluster, which the card explains', async () => {
    const standIn = await startKubernetesStandIn({
      scenario: 'healthy',
      token: 'a-different-token',
    });
    const backend = await startBackend(standIn.url);
    try {
      const { workloads, clusterErrors } = summarizePodHealth(
        await objectsFor(backend),
        { now },
      );
      expect(workloads).toEqual([]);
      expect(clusterErrors[0].message).toBe(
        "Cluster aks-prod refused the portal's credentials (HTTP 401) for /api/v1/namespaces/dashboards/pods: check the service-account token and its RBAC.",
      );
    } finally {
      await backend.stop();
      await standIn.stop();
    }
  });
});

describe('the kubernetes backend with an unreachable cluster', () => {
  it('answers with an error for that cluster, which the card explains', async () => {
    // A port nothing listens on: start a stand-in, note its port, stop it.
    const gone = await startKubernetesStandIn({ scenario: 'healthy' });
    const url = gone.url;
    await gone.stop();
    const backend = await startBackend(url);
    try {
      const objects = await objectsFor(backend);
      expect(objects.items).toHaveLength(1);
      expect(objects.items[0].errors[0]).toMatchObject({
        errorType: 'FETCH_ERROR',
      });
      const { workloads, clusterErrors } = summarizePodHealth(objects, { now });
      expect(workloads).toEqual([]);
      expect(clusterErrors).toHaveLength(1);
      expect(clusterErrors[0].message).toBe(
        `Cluster aks-prod could not be reached at ${url}: connect ECONNREFUSED ${
          new URL(url).host
        }`,
      );
    } finally {
      await backend.stop();
    }
  });
});
