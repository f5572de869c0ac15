import type { Clock } from './recent';
import type {
  DeploymentObject,
  JobObject,
  PodObject,
} from './kubernetesObjects';
import {
  deploymentProblems,
  isPodStarting,
  nodeUnreachableProblem,
  jobProblems,
  podProblems,
} from './problems';

const clock: Clock = {
  now: new Date('2026-11-25T15:25:00Z'),
  windowMs: 3600_000,
};

const pod = (status: PodObject['status'], extra: Partial<PodObject> = {}) =>
  ({
    metadata: { name: 'web-1', namespace: 'dashboards' },
    ...extra,
    status,
  } as PodObject);

describe('nodeUnreachableProblem', () => {
  const running = (ready: { status: string; reason?: string }) =>
    pod({
      phase: 'Running',
      conditions: [
        { type: 'ContainersReady', status: 'True' },
        { type: 'Ready', ...ready },
      ],
      containerStatuses: [{ name: 'web', ready: true, state: { running: {} } }],
    });

  it('finds a pod the control plane marked not ready while its containers still say ready', () => {
    const lost = running({ status: 'False' });
    expect(nodeUnreachableProblem(lost)).toMatchObject({
      kind: 'NodeUnreachable',
      pod: 'web-1',
    });
    expect(podProblems(lost, clock).map(p => p.kind)).toEqual([
      'NodeUnreachable',
    ]);
    expect(isPodStarting(lost, clock)).toBe(false);
  });

  it('finds a pod the node controller is evicting from a lost node, though it is terminating', () => {
    const evicting = pod(
      {
        phase: 'Running',
        reason: 'NodeLost',
        message: 'Node aks-1 which was running pod web-1 is unresponsive',
      },
      {
        metadata: {
          name: 'web-1',
          namespace: 'dashboards',
          deletionTimestamp: '2026-11-25T15:00:00Z',
        },
      },
    );
    expect(podProblems(evicting, clock)).toEqual([
      expect.objectContaining({
        kind: 'NodeUnreachable',
        reason: 'NodeLost',
        message: 'Node aks-1 which was running pod web-1 is unresponsive',
      }),
    ]);
  });

  it('does not take unmet readiness gates or a ready pod for a lost node', () => {
    expect(
      nodeUnreachableProblem(
        running({ status: 'False', reason: 'ReadinessGatesNotReady' }),
      ),
    ).toBeUndefined();
    expect(nodeUnreachableProblem(running({ status: 'True' }))).toBeUndefined();
  });
});

describe('podProblems', () => {
  it('treats a scheduled pod whose containers are being created as starting, not stuck', () => {
    const creating = pod({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [
        { name: 'web', state: { waiting: { reason: 'ContainerCreating' } } },
      ],
    });
    expect(podProblems(creating, clock)).toEqual([]);
    expect(isPodStarting(creating, clock)).toBe(true);
  });

  it('names a stuck init container the way kubectl does', () => {
    const pulling = pod({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      initContainerStatuses: [
        {
          name: 'migrate',
          state: {
            waiting: {
              reason: 'ImagePullBackOff',
              message: 'Back-off pulling image "migrate:9.9"',
            },
          },
        },
      ],
      containerStatuses: [
        { name: 'web', state: { waiting: { reason: 'PodInitializing' } } },
      ],
    });
    expect(podProblems(pulling, clock)).toEqual([
      {
        kind: 'Waiting',
        pod: 'web-1',
        namespace: 'dashboards',
        container: 'migrate',
        reason: 'Init:ImagePullBackOff',
        message: 'Back-off pulling image "migrate:9.9"',
      },
    ]);
  });

  it('finds nothing wrong with a pod that is shutting down', () => {
    const stopping = pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          {
            name: 'web',
            ready: false,
            started: true,
            state: { running: { startedAt: '2026-11-01T00:00:00Z' } },
          },
        ],
      },
      {
        metadata: {
          name: 'web-1',
          namespace: 'dashboards',
          deletionTimestamp: '2026-11-25T15:24:50Z',
        },
      },
    );
    expect(podProblems(stopping, clock)).toEqual([]);
    expect(isPodStarting(stopping, clock)).toBe(false);
  });

  it('forgets a failed pod once its failure is older than the window', () => {
    const failed = (finishedAt: string) =>
      pod({
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'export',
            state: { terminated: { reason: 'Error', exitCode: 1, finishedAt } },
          },
        ],
      });
    expect(podProblems(failed('2026-11-25T14:25:00Z'), clock)).toHaveLength(1);
    expect(podProblems(failed('2026-11-25T14:24:59Z'), clock)).toEqual([]);
  });
});

describe('deploymentProblems', () => {
  it('reports a Deployment that cannot create its pods', () => {
    const deployment: DeploymentObject = {
      status: {
        conditions: [
          { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' },
          {
            type: 'ReplicaFailure',
            status: 'True',
            reason: 'FailedCreate',
            message:
              'pods "web-7f9b8c6d5e-abcde" is forbidden: exceeded quota: compute, requested: memory=512Mi',
            lastTransitionTime: '2026-11-25T15:20:00Z',
          },
        ],
      },
    };
    expect(deploymentProblems(deployment)).toEqual([
      {
        kind: 'RolloutStuck',
        reason: 'FailedCreate',
        message:
          'pods "web-7f9b8c6d5e-abcde" is forbidden: exceeded quota: compute, requested: memory=512Mi',
        at: '2026-11-25T15:20:00Z',
      },
    ]);
  });

  it('has nothing to say about a rollout that progresses', () => {
    expect(
      deploymentProblems({
        status: {
          conditions: [
            {
              type: 'Progressing',
              status: 'True',
              reason: 'ReplicaSetUpdated',
            },
          ],
        },
      }),
    ).toEqual([]);
  });
});

describe('jobProblems', () => {
  const job = (conditions: JobObject['status']) => ({
    metadata: { name: 'report-29926980' },
    status: conditions,
  });

  it('reports a last run that failed', () => {
    expect(
      jobProblems(
        job({
          conditions: [
            {
              type: 'Failed',
              status: 'True',
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
              lastTransitionTime: '2026-11-25T15:02:10Z',
            },
          ],
        }),
      ),
    ).toEqual([
      {
        kind: 'JobFailed',
        reason: 'BackoffLimitExceeded',
        message:
          'Job report-29926980: Job has reached the specified backoff limit',
        at: '2026-11-25T15:02:10Z',
      },
    ]);
  });

  it('has nothing to say about a last run that completed or still runs', () => {
    expect(
      jobProblems(job({ conditions: [{ type: 'Complete', status: 'True' }] })),
    ).toEqual([]);
    expect(jobProblems(job({ active: 1 }))).toEqual([]);
    expect(jobProblems(undefined)).toEqual([]);
  });
});
