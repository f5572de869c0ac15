import { Clock, isRecent } from './recent';
import {
  Condition,
  ContainerSpec,
  ContainerStatus,
  DeploymentObject,
  EventObject,
  JobObject,
  PodObject,
  toIso,
  toMillis,
} from './kubernetesObjects';

/** Why a pod or workload needs attention. @public */
export type PodProblemKind =
  | 'CrashLoopBackOff'
  | 'OOMKilled'
  | 'Error'
  | 'FailingProbe'
  | 'Pending'
  | 'Waiting'
  | 'RolloutStuck'
  | 'JobFailed'
  | 'NodeUnreachable';

/** One thing wrong with one pod (or its workload), in words a service owner can act on. @public */
export interface PodProblem {
  kind: PodProblemKind;
  /** The pod, unless the problem is the workload's own (a stuck rollout, a failed Job). */
  pod?: string;
  namespace?: string;
  container?: string;
  /** Short label, for example `CrashLoopBackOff` or `Unschedulable`. */
  reason: string;
  /** The cluster's own explanation, when it gave one. */
  message?: string;
  /** When it happened, when the cluster says (RFC 3339). */
  at?: string;
  /**
   * Which logs explain it: `previous` for a container that restarted (the logs of the run that
   * ended), `current` for one that runs or ran once. Absent when the pod has no logs yet.
   */
  logs?: 'current' | 'previous';
}

/** Waiting reasons of a container that is being created, not of one that is stuck. */
const STARTING_REASONS = new Set(['ContainerCreating', 'PodInitializing']);

/** Whether the pod's `Ready` condition is true. */
export function isPodReady(pod: PodObject): boolean {
  return (
    pod.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ) ?? false
  );
}

/** A Job's pod that ran to the end, or any pod that will not run again. */
export function isPodCompleted(pod: PodObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** A pod that is shutting down (a rollout or scale-down deleted it). */
export function isPodTerminating(pod: PodObject): boolean {
  return Boolean(pod.metadata?.deletionTimestamp);
}

/**
 * Whether a running, unready container may still pass its readiness probe: the kubelet only
 * calls a probe failed after `initialDelaySeconds + periodSeconds × failureThreshold`, the
 * grace the Kubernetes plugin's own error detection allows too.
 */
function isWithinReadinessGrace(
  spec: ContainerSpec | undefined,
  status: ContainerStatus,
  clock: Clock,
): boolean {
  const startedAt = status.state?.running?.startedAt;
  if (!startedAt) return false;
  // The API server's defaults, for objects that come without them.
  const probe = spec?.readinessProbe;
  const graceSeconds =
    (probe?.initialDelaySeconds ?? 0) +
    (probe?.periodSeconds ?? 10) * (probe?.failureThreshold ?? 3);
  return toMillis(startedAt) + graceSeconds * 1000 > clock.now.getTime();
}

function exitOf(terminated: { reason?: string; exitCode?: number }) {
  return `${terminated.reason}${
    terminated.exitCode !== undefined
      ? ` (exit code ${terminated.exitCode})`
      : ''
  }`;
}

function crashLoop(
  where: { pod: string; namespace?: string },
  status: ContainerStatus,
  reason: string,
): PodProblem {
  const last = status.lastState?.terminated;
  return {
    kind: 'CrashLoopBackOff',
    ...where,
    container: status.name,
    reason,
    message: [
      `restarted ${status.restartCount ?? 0} times`,
      last?.reason ? `last exit: ${exitOf(last)}` : undefined,
    ]
      .filter(Boolean)
      .join(', '),
    logs: 'previous',
  };
}

/** What one app container's status says is wrong with it now or in the recent window. */
export function containerProblems(
  where: { pod: string; namespace?: string },
  status: ContainerStatus,
  spec: ContainerSpec | undefined,
  clock: Clock,
): PodProblem[] {
  const problems: PodProblem[] = [];
  const waiting = status.state?.waiting;
  const last = status.lastState?.terminated;
  if (waiting?.reason === 'CrashLoopBackOff') {
    problems.push(crashLoop(where, status, 'CrashLoopBackOff'));
  } else if (waiting?.reason && !STARTING_REASONS.has(waiting.reason)) {
    problems.push({
      kind: 'Waiting',
      ...where,
      container: status.name,
      reason: waiting.reason,
      message: waiting.message,
    });
  }
  // An OOM kill weeks ago says nothing about today; only recent ones count.
  if (last?.reason === 'OOMKilled' && isRecent(last.finishedAt, clock)) {
    problems.push({
      kind: 'OOMKilled',
      ...where,
      container: status.name,
      reason: 'OOMKilled',
      message: 'killed for exceeding its memory limit',
      at: toIso(last.finishedAt),
      logs: 'previous',
    });
  }
  if (
    status.state?.running &&
    status.started !== false &&
    !status.ready &&
    !isWithinReadinessGrace(spec, status, clock)
  ) {
    problems.push({
      kind: 'FailingProbe',
      ...where,
      container: status.name,
      reason: 'Not ready',
      message: 'running, but its readiness probe is failing',
      logs: 'current',
    });
  }
  return problems;
}

/** Init containers that keep failing hold the pod in `Init:<reason>`, as kubectl shows it. */
function initContainerProblems(
  where: { pod: string; namespace?: string },
  pod: PodObject,
): PodProblem[] {
  const problems: PodProblem[] = [];
  for (const status of pod.status?.initContainerStatuses ?? []) {
    const waiting = status.state?.waiting;
    if (waiting?.reason === 'CrashLoopBackOff') {
      problems.push(crashLoop(where, status, 'Init:CrashLoopBackOff'));
    } else if (waiting?.reason && !STARTING_REASONS.has(waiting.reason)) {
      problems.push({
        kind: 'Waiting',
        ...where,
        container: status.name,
        reason: `Init:${waiting.reason}`,
        message: waiting.message,
      });
    }
  }
  return problems;
}

/** Why a pending pod is not running: the scheduler's reason, or a container stuck waiting. */
function pendingProblems(
  where: { pod: string; namespace?: string },
  pod: PodObject,
): PodProblem[] {
  const scheduled = pod.status?.conditions?.find(
    c => c.type === 'PodScheduled',
  );
  if (scheduled?.status === 'False') {
    return [
      {
        kind: 'Pending',
        ...where,
        reason: scheduled.reason ?? 'Unschedulable',
        message: scheduled.message,
      },
    ];
  }
  const init = initContainerProblems(where, pod);
  if (init.length > 0) return init;
  const waiting = pod.status?.containerStatuses
    ?.map(s => s.state?.waiting)
    .find(w => w?.reason && !STARTING_REASONS.has(w.reason));
  // Scheduled, with containers being created: the pod is starting, not stuck.
  if (!waiting) return [];
  return [
    {
      kind: 'Pending',
      ...where,
      reason: waiting.reason ?? 'Pending',
      message: waiting.message,
    },
  ];
}

/**
 * The pod's node stopped reporting, so its status is the last the kubelet sent. The node
 * lifecycle controller then sets only the pod's `Ready` condition to False and leaves the
 * container statuses as they were (`MarkPodsNotReady` in kubernetes/kubernetes
 * `pkg/controller/util/node/controller_utils.go`): a pod not ready whose every container still
 * says ready cannot be "starting". When the controller evicts such a pod it sets the pod's reason
 * to `NodeLost` (`SetPodTerminationReason`, same file), and the pod stays terminating until the
 * node comes back. Unmet readiness gates (`ReadinessGatesNotReady`) also leave containers ready
 * and the pod not: that is not a lost node.
 */
export function nodeUnreachableProblem(pod: PodObject): PodProblem | undefined {
  const where = {
    pod: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace,
  };
  if (pod.status?.reason === 'NodeLost') {
    return {
      kind: 'NodeUnreachable',
      ...where,
      reason: 'NodeLost',
      message: pod.status.message ?? 'its node stopped reporting',
    };
  }
  if (pod.status?.phase !== 'Running' || isPodTerminating(pod))
    return undefined;
  const ready = pod.status.conditions?.find(c => c.type === 'Ready');
  const containers = pod.status.containerStatuses ?? [];
  if (
    ready?.status === 'False' &&
    ready.reason !== 'ReadinessGatesNotReady' &&
    containers.length > 0 &&
    containers.every(c => c.ready)
  ) {
    return {
      kind: 'NodeUnreachable',
      ...where,
      reason: 'Node not reporting',
      message:
        "marked not ready by the control plane while its containers' last status says ready: its node stopped reporting",
      at: toIso(ready.lastTransitionTime),
    };
  }
  return undefined;
}

/**
 * What is wrong with one pod, judged at `clock.now`. Pods that are shutting down or completed
 * successfully have nothing wrong; a pod that failed counts while the failure is recent.
 */
export function podProblems(pod: PodObject, clock: Clock): PodProblem[] {
  const where = {
    pod: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace,
  };
  const unreachable = nodeUnreachableProblem(pod);
  if (unreachable) return [unreachable];
  if (isPodTerminating(pod) || pod.status?.phase === 'Succeeded') return [];
  if (pod.status?.phase === 'Failed') {
    const terminated = pod.status.containerStatuses
      ?.map(s => ({ name: s.name, t: s.state?.terminated }))
      .find(s => s.t?.reason);
    const at = terminated?.t?.finishedAt;
    if (!isRecent(at, clock)) return [];
    return [
      {
        kind: 'Error',
        ...where,
        container: terminated?.name,
        reason: pod.status.reason ?? 'Failed',
        message: terminated?.t ? `exit: ${exitOf(terminated.t)}` : undefined,
        at: toIso(at),
        logs: 'current',
      },
    ];
  }
  if (pod.status?.phase === 'Pending') return pendingProblems(where, pod);
  const specs = new Map(pod.spec?.containers?.map(c => [c.name, c]));
  return (pod.status?.containerStatuses ?? []).flatMap(status =>
    containerProblems(where, status, specs.get(status.name), clock),
  );
}

/**
 * A pod that is not ready yet and has nothing wrong: created moments ago, or running but inside
 * its readiness grace.
 */
export function isPodStarting(pod: PodObject, clock: Clock): boolean {
  return (
    !isPodReady(pod) &&
    !isPodCompleted(pod) &&
    !isPodTerminating(pod) &&
    podProblems(pod, clock).length === 0
  );
}

const isTrue = (c: Condition) => c.status === 'True';

/** A Deployment whose rollout gave up (`ProgressDeadlineExceeded`) or cannot create pods. */
export function deploymentProblems(deployment: DeploymentObject): PodProblem[] {
  const conditions = deployment.status?.conditions ?? [];
  const problems: PodProblem[] = [];
  const progressing = conditions.find(c => c.type === 'Progressing');
  if (
    progressing?.status === 'False' &&
    progressing.reason === 'ProgressDeadlineExceeded'
  ) {
    problems.push({
      kind: 'RolloutStuck',
      reason: 'ProgressDeadlineExceeded',
      message: progressing.message,
      at: toIso(progressing.lastUpdateTime ?? progressing.lastTransitionTime),
    });
  }
  const replicaFailure = conditions.find(
    c => c.type === 'ReplicaFailure' && isTrue(c),
  );
  if (replicaFailure) {
    problems.push({
      kind: 'RolloutStuck',
      reason: replicaFailure.reason ?? 'ReplicaFailure',
      message: replicaFailure.message,
      at: toIso(replicaFailure.lastTransitionTime),
    });
  }
  return problems;
}

/** The newest run of a Job or CronJob failed (`BackoffLimitExceeded`, `DeadlineExceeded`). */
export function jobProblems(newest: JobObject | undefined): PodProblem[] {
  const failed = newest?.status?.conditions?.find(
    c => c.type === 'Failed' && isTrue(c),
  );
  if (!failed) return [];
  return [
    {
      kind: 'JobFailed',
      reason: failed.reason ?? 'Failed',
      message: `Job ${newest?.metadata?.name}${
        failed.message ? `: ${failed.message}` : ' failed'
      }`,
      at: toIso(failed.lastTransitionTime),
    },
  ];
}

/**
 * What the pod's events add: probe failures, which the pod status cannot explain. Only recent
 * warnings count, and none for a pod that is still starting or already shutting down.
 */
export function problemFromEvents(
  pod: PodObject,
  events: EventObject[],
  clock: Clock,
): PodProblem | undefined {
  if (isPodTerminating(pod) || isPodCompleted(pod) || isPodStarting(pod, clock))
    return undefined;
  const unhealthy = events
    .filter(
      e =>
        e.reason === 'Unhealthy' &&
        e.type !== 'Normal' &&
        isRecent(e.lastTimestamp ?? e.eventTime, clock),
    )
    .sort(
      (a, b) =>
        toMillis(b.lastTimestamp ?? b.eventTime) -
        toMillis(a.lastTimestamp ?? a.eventTime),
    )[0];
  if (!unhealthy) return undefined;
  return {
    kind: 'FailingProbe',
    pod: pod.metadata?.name ?? '',
    namespace: pod.metadata?.namespace,
    reason: 'Unhealthy',
    message: `${unhealthy.message ?? 'probe failed'}${
      unhealthy.count && unhealthy.count > 1
        ? ` (${unhealthy.count} times)`
        : ''
    }`,
    logs: 'current',
  };
}
