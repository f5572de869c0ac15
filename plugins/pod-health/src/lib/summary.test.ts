import {
  oomkilledEventsByPod,
  responseFor,
  unreachable,
} from '../__fixtures__/responses';
import { podsNeedingEvents, summarizePodHealth } from './summary';

describe('summarizePodHealth', () => {
  it('reports a healthy Deployment with every pod ready and its last rollout', () => {
    const { workloads, clusterErrors } = summarizePodHealth(
      responseFor('healthy'),
    );
    expect(clusterErrors).toEqual([]);
    expect(workloads).toHaveLength(1);
    expect(workloads[0]).toMatchObject({
      cluster: 'aks-prod',
      kind: 'Deployment',
      name: 'sales-dashboard',
      desired: 2,
      ready: 2,
      pods: 2,
      restarts: 0,
      status: 'healthy',
      crashLooping: [],
      problems: [],
      lastChange: {
        at: '2026-11-25T14:02:31Z',
        revision: '7',
        image: 'acrgoldenpath.azurecr.io/dashboards/sales-dashboard:1.4.2',
      },
    });
    expect(workloads[0].lastTermination).toBeUndefined();
  });

  it('reports the crash-looping pod of a stuck rollout with its last exit', () => {
    const [w] = summarizePodHealth(responseFor('crashloop')).workloads;
    expect(w).toMatchObject({ desired: 2, ready: 2, pods: 3, restarts: 7 });
    expect(w.status).toBe('degraded');
    expect(w.crashLooping).toEqual(['sales-dashboard-84c6f5d7b9-tq8wz']);
    expect(w.problems).toEqual([
      {
        kind: 'CrashLoopBackOff',
        pod: 'sales-dashboard-84c6f5d7b9-tq8wz',
        container: 'dashboard',
        reason: 'CrashLoopBackOff',
        message: 'restarted 7 times, last exit: Error (exit code 1)',
      },
    ]);
    expect(w.lastTermination).toEqual({
      pod: 'sales-dashboard-84c6f5d7b9-tq8wz',
      container: 'dashboard',
      reason: 'Error',
      exitCode: 1,
      finishedAt: '2026-11-25T15:21:05Z',
    });
    expect(w.lastChange).toMatchObject({
      at: '2026-11-25T15:10:12Z',
      revision: '8',
    });
  });

  it('reports OOMKilled containers and a pod whose readiness probe fails', () => {
    const [w] = summarizePodHealth(responseFor('oomkilled')).workloads;
    expect(w).toMatchObject({ desired: 2, ready: 1, restarts: 7 });
    expect(w.status).toBe('degraded');
    expect(w.lastTermination).toMatchObject({
      pod: 'sales-dashboard-6d8f7c9b4d-m4q9t',
      reason: 'OOMKilled',
      exitCode: 137,
    });
    expect(w.problems.map(p => [p.kind, p.pod])).toEqual([
      ['OOMKilled', 'sales-dashboard-6d8f7c9b4d-7xk2p'],
      ['OOMKilled', 'sales-dashboard-6d8f7c9b4d-m4q9t'],
      ['FailingProbe', 'sales-dashboard-6d8f7c9b4d-m4q9t'],
    ]);
    expect(w.problems[2].message).toBe(
      'running, but its readiness probe is failing',
    );
  });

  it("uses the Unhealthy event's message for a failing probe", () => {
    const [w] = summarizePodHealth(
      responseFor('oomkilled'),
      oomkilledEventsByPod(),
    ).workloads;
    const probe = w.problems.filter(p => p.kind === 'FailingProbe');
    expect(probe).toEqual([
      {
        kind: 'FailingProbe',
        pod: 'sales-dashboard-6d8f7c9b4d-m4q9t',
        container: 'dashboard',
        reason: 'Unhealthy',
        message:
          'Readiness probe failed: Get "http://10.244.4.17:8501/_stcore/health": dial tcp 10.244.4.17:8501: connect: connection refused (6 times)',
      },
    ]);
  });

  it("reports a pending pod with the scheduler's reason", () => {
    const [w] = summarizePodHealth(responseFor('pending')).workloads;
    expect(w).toMatchObject({ desired: 3, ready: 2, pods: 3 });
    expect(w.status).toBe('degraded');
    expect(w.problems).toEqual([
      {
        kind: 'Pending',
        pod: 'sales-dashboard-6d8f7c9b4d-zb5hn',
        reason: 'Unschedulable',
        message:
          '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      },
    ]);
  });

  it('calls a Deployment with no ready pod down', () => {
    const response = responseFor('crashloop');
    const pods = response.items[0].resources[0].resources as any[];
    response.items[0].resources[0].resources = pods.filter(p =>
      p.metadata.name.includes('84c6f5d7b9'),
    );
    const [w] = summarizePodHealth(response).workloads;
    expect(w).toMatchObject({ ready: 0, desired: 2, status: 'down' });
  });

  it('groups pods without a Deployment on their own', () => {
    const response = responseFor('healthy');
    response.items[0].resources = response.items[0].resources.filter(
      r => r.type === 'pods',
    );
    const [w] = summarizePodHealth(response).workloads;
    expect(w).toMatchObject({ kind: 'Pods', desired: 2, ready: 2 });
    expect(w.lastChange).toBeUndefined();
  });

  it('explains an unreachable cluster and shows no workloads for it', () => {
    const summary = summarizePodHealth(unreachable);
    expect(summary.workloads).toEqual([]);
    expect(summary.clusterErrors).toEqual([
      {
        cluster: 'aks-prod',
        message:
          'Cluster aks-prod could not be reached at http://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9',
      },
    ]);
  });

  it('ignores a missing metrics-server but reports other errors next to the pods', () => {
    const response = responseFor('healthy');
    response.items[0].errors = [
      {
        errorType: 'NOT_FOUND',
        statusCode: 404,
        resourcePath: '/apis/metrics.k8s.io/v1beta1/namespaces/dashboards/pods',
      },
      {
        errorType: 'UNKNOWN_ERROR',
        statusCode: 403,
        resourcePath: '/apis/batch/v1/namespaces/dashboards/cronjobs',
      },
    ];
    const summary = summarizePodHealth(response);
    expect(summary.workloads).toHaveLength(1);
    expect(summary.clusterErrors.map(e => e.message)).toEqual([
      "Cluster aks-prod refused the portal's credentials (HTTP 403) for /apis/batch/v1/namespaces/dashboards/cronjobs: check the service-account token and its RBAC.",
    ]);
  });
});

describe('podsNeedingEvents', () => {
  it('asks for the events of pods that are not ready or not running', () => {
    expect(podsNeedingEvents(responseFor('pending'))).toEqual([
      {
        cluster: 'aks-prod',
        namespace: 'dashboards',
        pod: 'sales-dashboard-6d8f7c9b4d-zb5hn',
      },
    ]);
    expect(podsNeedingEvents(responseFor('healthy'))).toEqual([]);
  });
});
