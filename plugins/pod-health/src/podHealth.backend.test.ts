/**
 * @jest-environment node
 */
import request from 'supertest';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import {
  KubernetesStandIn,
  KubernetesStandInScenario,
  startKubernetesStandIn,
} from '../testing/kubernetesStandIn';
import { salesDashboard } from './__fixtures__/entities';
import type { EventObject } from './lib/kubernetesObjects';
import { podsNeedingEvents, summarizePodHealth } from './lib/summary';

/*
 * The real kubernetes backend, pointed at the API stand-in with a service-account token, answers
 * the request the Kubernetes tab and the card send; the card's logic reads that answer.
 */

const TOKEN = 'stand-in-service-account-token';
jest.setTimeout(60_000);

async function startBackend(clusterUrl: string) {
  return startTestBackend({
    features: [
      import('@backstage/plugin-kubernetes-backend'),
      catalogServiceMock.factory({ entities: [salesDashboard] }),
      mockServices.rootConfig.factory({
        data: {
          kubernetes: {
            serviceLocatorMethod: { type: 'multiTenant' },
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  {
                    name: 'aks-prod',
                    url: clusterUrl,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: TOKEN,
                  },
                ],
              },
            ],
          },
        },
      }),
    ],
  });
}

type Backend = Awaited<ReturnType<typeof startBackend>>;

async function objectsFor(backend: Backend): Promise<ObjectsByEntityResponse> {
  const res = await request(backend.server)
    .post('/api/kubernetes/services/sales-dashboard')
    .send({ entity: salesDashboard, auth: {} });
  expect(res.status).toBe(200);
  return res.body;
}

/** Events of the pods that need them, through the backend's proxy, as the card reads them. */
async function eventsFor(backend: Backend, objects: ObjectsByEntityResponse) {
  const byPod: Record<string, EventObject[]> = {};
  for (const { cluster, namespace, pod } of podsNeedingEvents(objects)) {
    const res = await request(backend.server)
      .get(
        `/api/kubernetes/proxy/api/v1/namespaces/${namespace}/events?fieldSelector=involvedObject.name=${pod}`,
      )
      .set('Backstage-Kubernetes-Cluster', cluster);
    expect(res.status).toBe(200);
    byPod[pod] = res.body.items;
  }
  return byPod;
}

/** What the card shows for each recorded scenario. */
const expected: Record<KubernetesStandInScenario, object> = {
  healthy: {
    workload: 'Deployment sales-dashboard',
    status: 'healthy',
    ready: '2/2',
    restarts: 0,
    crashLooping: [],
    lastTermination: undefined,
    lastRollout: 'revision 7 at 2026-11-25T14:02:31Z',
    problems: [],
  },
  crashloop: {
    workload: 'Deployment sales-dashboard',
    status: 'degraded',
    ready: '2/2',
    restarts: 7,
    crashLooping: ['sales-dashboard-84c6f5d7b9-tq8wz'],
    lastTermination: 'Error (1)',
    lastRollout: 'revision 8 at 2026-11-25T15:10:12Z',
    problems: [
      'CrashLoopBackOff in sales-dashboard-84c6f5d7b9-tq8wz: restarted 7 times, last exit: Error (exit code 1)',
    ],
  },
  oomkilled: {
    workload: 'Deployment sales-dashboard',
    status: 'degraded',
    ready: '1/2',
    restarts: 7,
    crashLooping: [],
    lastTermination: 'OOMKilled (137)',
    lastRollout: 'revision 7 at 2026-11-25T14:02:31Z',
    problems: [
      'OOMKilled in sales-dashboard-6d8f7c9b4d-7xk2p: killed for exceeding its memory limit (2026-11-25T15:18:37Z)',
      'OOMKilled in sales-dashboard-6d8f7c9b4d-m4q9t: killed for exceeding its memory limit (2026-11-25T15:23:39Z)',
      // From the pod's events, read through the backend's proxy.
      'Unhealthy in sales-dashboard-6d8f7c9b4d-m4q9t: Readiness probe failed: Get "http://10.244.4.17:8501/_stcore/health": dial tcp 10.244.4.17:8501: connect: connection refused (6 times)',
    ],
  },
  pending: {
    workload: 'Deployment sales-dashboard',
    status: 'degraded',
    ready: '2/3',
    restarts: 0,
    crashLooping: [],
    lastTermination: undefined,
    lastRollout: 'revision 7 at 2026-11-25T14:02:31Z',
    problems: [
      'Unschedulable in sales-dashboard-6d8f7c9b4d-zb5hn: 0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    ],
  },
};

describe.each<KubernetesStandInScenario>([
  'healthy',
  'crashloop',
  'oomkilled',
  'pending',
])('the kubernetes backend against the %s stand-in', scenario => {
  let standIn: KubernetesStandIn;
  let backend: Backend;
  let objects: ObjectsByEntityResponse;
  let events: Record<string, EventObject[]>;

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
        'services',
      ]),
    );
  });

  it('gives the card what it shows', () => {
    const { workloads, clusterErrors } = summarizePodHealth(objects, events);
    expect(clusterErrors).toEqual([]);
    expect(workloads).toHaveLength(1);
    const w = workloads[0];
    expect({
      workload: `${w.kind} ${w.name}`,
      status: w.status,
      ready: `${w.ready}/${w.desired}`,
      restarts: w.restarts,
      crashLooping: w.crashLooping,
      lastTermination: w.lastTermination
        ? `${w.lastTermination.reason} (${w.lastTermination.exitCode})`
        : undefined,
      lastRollout: `revision ${w.lastChange?.revision} at ${w.lastChange?.at}`,
      problems: w.problems.map(
        p => `${p.reason} in ${p.pod}: ${p.message}${p.at ? ` (${p.at})` : ''}`,
      ),
    }).toEqual(expected[scenario]);
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
      const { workloads, clusterErrors } = summarizePodHealth(objects);
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
