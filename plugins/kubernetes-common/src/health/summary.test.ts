import {
  oomkilledEventsByPod,
  responseFor,
  unreachable,
} from '../../testing/responses';
import { KUBERNETES_STAND_IN_RECORDED_AT } from '../../testing/kubernetesStandIn';
import type { PodObject } from './kubernetesObjects';
import {
  SummarizeOptions,
  podKey,
  podsNeedingEvents,
  summarizePodHealth,
} from './summary';

/** Judge the recordings when they were made. */
const now = new Date(KUBERNETES_STAND_IN_RECORDED_AT);
const at = (options: SummarizeOptions = {}) => ({ now, ...options });
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

function podsOf(response: ReturnType<typeof responseFor>): PodObject[] {
  return response.items[0].resources.find(r => r.type === 'pods')!
    .resources as PodObject[];
}

describe('summarizePodHealth', () => {
  it('reports a healthy Deployment with every pod ready and its last rollout', () => {
    const { workloads, clusterErrors } = summarizePodHealth(
      responseFor('healthy'),
      at(),
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
      restarts: { total: 0, recent: 0, recentIsExact: true },
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
    const [w] = summarizePodHealth(responseFor('crashloop'), at()).workloads;
    expect(w).toMatchObject({ desired: 2, ready: 2, pods: 3 });
    expect(w.restarts).toEqual({ total: 7, recent: 7, recentIsExact: true });
    expect(w.status).toBe('degraded');
    expect(w.crashLooping).toEqual(['sales-dashboard-84c6f5d7b9-tq8wz']);
    expect(w.problems).toEqual([
      {
        kind: 'RolloutStuck',
        reason: 'ProgressDeadlineExceeded',
        message:
          'ReplicaSet "sales-dashboard-84c6f5d7b9" has timed out progressing.',
        at: '2026-11-25T15:20:13Z',
      },
      {
        kind: 'CrashLoopBackOff',
        pod: 'sales-dashboard-84c6f5d7b9-tq8wz',
        namespace: 'dashboards',
        container: 'dashboard',
        reason: 'CrashLoopBackOff',
        message: 'restarted 7 times, last exit: Error (exit code 1)',
        logs: 'previous',
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
    const [w] = summarizePodHealth(responseFor('oomkilled'), at()).workloads;
    expect(w).toMatchObject({ desired: 2, ready: 1 });
    expect(w.restarts).toEqual({ total: 7, recent: 2, recentIsExact: false });
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
      at({ events: oomkilledEventsByPod() }),
    ).workloads;
    const probe = w.problems.filter(p => p.kind === 'FailingProbe');
    expect(probe).toEqual([
      {
        kind: 'FailingProbe',
        pod: 'sales-dashboard-6d8f7c9b4d-m4q9t',
        namespace: 'dashboards',
        container: 'dashboard',
        reason: 'Unhealthy',
        message:
          'Readiness probe failed: Get "http://10.244.4.17:8501/_stcore/health": dial tcp 10.244.4.17:8501: connect: connection refused (6 times)',
        logs: 'current',
      },
    ]);
  });

  it("reports a pending pod with the scheduler's reason", () => {
    const [w] = summarizePodHealth(responseFor('pending'), at()).workloads;
    expect(w).toMatchObject({ desired: 3, ready: 2, pods: 3 });
    expect(w.status).toBe('degraded');
    expect(w.problems).toEqual([
      {
        kind: 'Pending',
        pod: 'sales-dashboard-6d8f7c9b4d-zb5hn',
        namespace: 'dashboards',
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
    const [w] = summarizePodHealth(response, at()).workloads;
    expect(w).toMatchObject({ ready: 0, desired: 2, status: 'down' });
  });

  it('groups pods by their ReplicaSet when the backend did not return its Deployment', () => {
    const response = responseFor('healthy');
    response.items[0].resources = response.items[0].resources.filter(
      r => r.type === 'pods',
    );
    const [w] = summarizePodHealth(response, at()).workloads;
    expect(w).toMatchObject({
      kind: 'ReplicaSet',
      name: 'sales-dashboard-6d8f7c9b4d',
      desired: 2,
      ready: 2,
    });
    expect(w.lastChange).toBeUndefined();
  });

  it('groups pods without an owner on their own', () => {
    const response = responseFor('healthy');
    for (const pod of podsOf(response)) delete pod.metadata!.ownerReferences;
    const workloads = summarizePodHealth(response, at()).workloads;
    expect(workloads.map(w => [w.kind, w.pods, w.ready])).toEqual([
      ['Deployment', 0, 0],
      ['Pods', 2, 2],
    ]);
  });

  it('lets an OOM kill count only while it is inside the window', () => {
    const oom = responseFor('oomkilled');
    const kinds = (when: Date) =>
      summarizePodHealth(oom, at({ now: when })).workloads[0].problems.map(
        p => `${p.kind} ${p.pod}`,
      );
    // 7xk2p was killed at 15:18:37, m4q9t at 15:23:39.
    expect(kinds(minutes(53))).toContain(
      'OOMKilled sales-dashboard-6d8f7c9b4d-7xk2p',
    );
    expect(kinds(minutes(54))).not.toContain(
      'OOMKilled sales-dashboard-6d8f7c9b4d-7xk2p',
    );
    expect(
      summarizePodHealth(oom, at({ now: minutes(54), windowMs: 2 * 3600_000 }))
        .workloads[0].problems,
    ).toContainEqual(
      expect.objectContaining({
        kind: 'OOMKilled',
        pod: 'sales-dashboard-6d8f7c9b4d-7xk2p',
      }),
    );
  });

  it('gives a starting container its readiness grace, then calls its probe failing', () => {
    // m4q9t restarted at 15:23:41; its probe may fail 10 s × 3 times before it counts.
    const oom = responseFor('oomkilled');
    const probe = (when: Date) =>
      summarizePodHealth(oom, at({ now: when }))
        .workloads[0].problems.filter(p => p.kind === 'FailingProbe')
        .map(p => p.pod);
    expect(probe(new Date('2026-11-25T15:24:10Z'))).toEqual([]);
    expect(probe(new Date('2026-11-25T15:24:12Z'))).toEqual([
      'sales-dashboard-6d8f7c9b4d-m4q9t',
    ]);
  });

  it("reads a pod's events only from its own cluster", () => {
    const response = responseFor('oomkilled', 'aks-west');
    const events = oomkilledEventsByPod('aks-prod');
    const [w] = summarizePodHealth(response, at({ events })).workloads;
    expect(w.problems.find(p => p.kind === 'FailingProbe')?.reason).toBe(
      'Not ready',
    );
    const [own] = summarizePodHealth(
      response,
      at({ events: oomkilledEventsByPod('aks-west') }),
    ).workloads;
    expect(own.problems.find(p => p.kind === 'FailingProbe')?.reason).toBe(
      'Unhealthy',
    );
  });

  it('does not count a completed Job pod against readiness, and reports a failed Job', () => {
    const response = responseFor('healthy');
    const pods = podsOf(response);
    const jobPod = (name: string, phase: string, exitCode: number) => ({
      metadata: {
        name,
        namespace: 'dashboards',
        ownerReferences: [
          { kind: 'Job', name: 'nightly-export', controller: true },
        ],
      },
      status: {
        phase,
        startTime: '2026-11-25T15:00:01Z',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            name: 'export',
            ready: false,
            restartCount: 0,
            state: {
              terminated: {
                reason: exitCode ? 'Error' : 'Completed',
                exitCode,
                finishedAt: '2026-11-25T15:01:00Z',
              },
            },
          },
        ],
      },
    });
    pods.push(jobPod('nightly-export-a', 'Succeeded', 0));
    const job = summarizePodHealth(response, at()).workloads.find(
      w => w.kind === 'Job',
    );
    expect(job).toMatchObject({
      name: 'nightly-export',
      desired: 0,
      ready: 0,
      status: 'healthy',
      problems: [],
    });
    expect(job?.lastTermination).toBeUndefined();

    pods.push(jobPod('nightly-export-b', 'Failed', 2));
    const failed = summarizePodHealth(response, at()).workloads.find(
      w => w.kind === 'Job',
    );
    expect(failed?.status).toBe('degraded');
    expect(failed?.problems).toEqual([
      expect.objectContaining({
        kind: 'Error',
        pod: 'nightly-export-b',
        container: 'export',
        message: 'exit: Error (exit code 2)',
        logs: 'current',
      }),
    ]);
  });

  it('calls a pod whose node stopped reporting unreachable, not starting, though its containers last said ready', () => {
    const response = responseFor('healthy');
    const [lost] = podsOf(response);
    // What the node lifecycle controller leaves behind: only the pod's Ready condition changes.
    lost.status!.conditions = lost.status!.conditions!.map(c =>
      c.type === 'Ready'
        ? { ...c, status: 'False', lastTransitionTime: '2026-11-25T15:20:00Z' }
        : c,
    );
    expect(lost.status!.containerStatuses!.every(c => c.ready)).toBe(true);
    const [deployment] = summarizePodHealth(response, at()).workloads;
    expect(deployment).toMatchObject({
      status: 'degraded',
      ready: 1,
      starting: 0,
      problems: [
        expect.objectContaining({
          kind: 'NodeUnreachable',
          pod: lost.metadata!.name,
          reason: 'Node not reporting',
        }),
      ],
    });
  });

  it('judges a CronJob by its newest run, keeping failures of earlier runs as history named by their Job', () => {
    const response = responseFor('workloads');
    const resources = response.items[0].resources;
    const jobs = resources.find(r => r.type === 'jobs')!.resources as any[];
    const older = jobs.find(j => j.metadata.name.endsWith('29926920'));
    older.status = {
      startTime: '2026-11-25T14:40:00Z',
      failed: 1,
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
          lastTransitionTime: '2026-11-25T14:50:00Z',
        },
      ],
    };
    const olderPod = podsOf(response).find(p =>
      p.metadata!.name!.startsWith('sales-dashboard-report-29926920'),
    )!;
    olderPod.status = {
      phase: 'Failed',
      startTime: '2026-11-25T14:40:01Z',
      conditions: [{ type: 'Ready', status: 'False' }],
      containerStatuses: [
        {
          name: 'report',
          ready: false,
          restartCount: 0,
          state: {
            terminated: {
              reason: 'Error',
              exitCode: 1,
              finishedAt: '2026-11-25T14:50:00Z',
            },
          },
        },
      ],
    };
    const cronJob = () =>
      summarizePodHealth(response, at()).workloads.find(
        w => w.kind === 'CronJob',
      );

    // The failure is inside the recent window, but a later run succeeded.
    expect(cronJob()).toMatchObject({
      status: 'healthy',
      problems: [],
      lastRun: { job: 'sales-dashboard-report-29926980', outcome: 'succeeded' },
      earlierFailedRuns: [
        { job: 'sales-dashboard-report-29926920', outcome: 'failed' },
      ],
    });
    expect(cronJob()?.lastTermination).toBeUndefined();

    // The same failure in the newest run is today's problem.
    older.status.startTime = '2026-11-25T15:10:00Z';
    expect(cronJob()).toMatchObject({
      status: 'degraded',
      lastRun: { job: 'sales-dashboard-report-29926920', outcome: 'failed' },
      earlierFailedRuns: [],
    });
    expect(
      cronJob()
        ?.problems.map(p => p.kind)
        .sort(),
    ).toEqual(['Error', 'JobFailed']);
  });

  it('explains an unreachable cluster and shows no workloads for it', () => {
    const summary = summarizePodHealth(unreachable, at());
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
    const summary = summarizePodHealth(response, at());
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

  it('keys events by cluster, namespace and pod', () => {
    expect(
      podKey({ cluster: 'aks-west', namespace: 'dashboards', pod: 'p-1' }),
    ).toBe('aks-west/dashboards/p-1');
  });
});
