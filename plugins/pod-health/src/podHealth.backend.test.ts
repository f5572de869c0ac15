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
import {
  EventObject,
  podsNeedingEvents,
  summarizePodHealth,
} from './lib/podHealth';

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
    expect(w).toMatchObject({ kind: 'Deployment', name: 'sales-dashboard' });
    const problems = w.problems.map(p => `${p.reason}: ${p.pod}`);

    switch (scenario) {
      case 'healthy':
        expect(w).toMatchObject({ status: 'healthy', ready: 2, desired: 2 });
        expect(w.restarts).toBe(0);
        expect(problems).toEqual([]);
        expect(w.lastChange).toMatchObject({ revision: '7' });
        break;
      case 'crashloop':
        expect(w).toMatchObject({ status: 'degraded', ready: 2, desired: 2 });
        expect(w.crashLooping).toEqual(['sales-dashboard-84c6f5d7b9-tq8wz']);
        expect(w.lastTermination).toMatchObject({
          reason: 'Error',
          exitCode: 1,
        });
        expect(w.lastChange).toMatchObject({
          revision: '8',
          at: '2026-11-25T15:10:12Z',
        });
        expect(podsNeedingEvents(objects).map(p => p.pod)).toEqual([
          'sales-dashboard-84c6f5d7b9-tq8wz',
        ]);
        break;
      case 'oomkilled':
        expect(w).toMatchObject({ status: 'degraded', ready: 1, desired: 2 });
        expect(w.restarts).toBe(7);
        expect(w.lastTermination).toMatchObject({
          reason: 'OOMKilled',
          exitCode: 137,
        });
        expect(problems).toEqual([
          'OOMKilled: sales-dashboard-6d8f7c9b4d-7xk2p',
          'OOMKilled: sales-dashboard-6d8f7c9b4d-m4q9t',
          'Unhealthy: sales-dashboard-6d8f7c9b4d-m4q9t',
        ]);
        expect(w.problems[2].message).toMatch(/^Readiness probe failed: /);
        break;
      case 'pending':
        expect(w).toMatchObject({ status: 'degraded', ready: 2, desired: 3 });
        expect(problems).toEqual([
          'Unschedulable: sales-dashboard-6d8f7c9b4d-zb5hn',
        ]);
        expect(w.problems[0].message).toMatch(/Insufficient memory/);
        break;
      default:
        throw new Error(`no expectations for ${scenario}`);
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
      expect(clusterErrors[0].message).toMatch(
        new RegExp(
          `^Cluster aks-prod could not be reached: request to ${url}/api/v1/namespaces/dashboards/\\S+ failed, reason: connect ECONNREFUSED`,
        ),
      );
    } finally {
      await backend.stop();
    }
  });
});
