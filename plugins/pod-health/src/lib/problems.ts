import {
  ContainerStatus,
  EventObject,
  PodObject,
  toIso,
  toMillis,
} from './kubernetesObjects';

/** Why a pod needs attention. @public */
export type PodProblemKind =
  | 'CrashLoopBackOff'
  | 'OOMKilled'
  | 'Error'
  | 'FailingProbe'
  | 'Pending'
  | 'Waiting';

/** One thing wrong with one pod, in words a service owner can act on. @public */
export interface PodProblem {
  kind: PodProblemKind;
  pod: string;
  container?: string;
  /** Short label, for example `CrashLoopBackOff` or `Unschedulable`. */
  reason: string;
  /** The cluster's own explanation, when it gave one. */
  message?: string;
  /** When it happened, when the cluster says (RFC 3339). */
  at?: string;
}

/** Whether the pod's `Ready` condition is true. */
export function isPodReady(pod: PodObject): boolean {
  return (
    pod.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ) ?? false
  );
}

/** What one container's status says is wrong with it. */
export function containerProblems(
  pod: string,
  status: ContainerStatus,
): PodProblem[] {
  const problems: PodProblem[] = [];
  const waiting = status.state?.waiting;
  const last = status.lastState?.terminated;
  if (waiting?.reason === 'CrashLoopBackOff') {
    const lastExit = last?.reason
      ? `last exit: ${last.reason}${
          last.exitCode !== undefined ? ` (exit code ${last.exitCode})` : ''
        }`
      : undefined;
    problems.push({
      kind: 'CrashLoopBackOff',
      pod,
      container: status.name,
      reason: 'CrashLoopBackOff',
      message: [`restarted ${status.restartCount ?? 0} times`, lastExit]
        .filter(Boolean)
        .join(', '),
    });
  } else if (waiting?.reason && waiting.reason !== 'ContainerCreating') {
    problems.push({
      kind: 'Waiting',
      pod,
      container: status.name,
      reason: waiting.reason,
      message: waiting.message,
    });
  }
  if (last?.reason === 'OOMKilled') {
    problems.push({
      kind: 'OOMKilled',
      pod,
      container: status.name,
      reason: 'OOMKilled',
      message: 'killed for exceeding its memory limit',
      at: toIso(last.finishedAt),
    });
  }
  if (status.state?.running && status.started !== false && !status.ready) {
    problems.push({
      kind: 'FailingProbe',
      pod,
      container: status.name,
      reason: 'Not ready',
      message: 'running, but its readiness probe is failing',
    });
  }
  return problems;
}

/** Why a pending pod is not running yet: the scheduler's reason, or its container's. */
export function pendingProblem(pod: string, p: PodObject): PodProblem {
  const scheduled = p.status?.conditions?.find(c => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return {
      kind: 'Pending',
      pod,
      reason: scheduled.reason ?? 'Unschedulable',
      message: scheduled.message,
    };
  }
  const waiting = p.status?.containerStatuses?.find(s => s.state?.waiting)
    ?.state?.waiting;
  return {
    kind: 'Pending',
    pod,
    reason: waiting?.reason ?? p.status?.reason ?? 'Pending',
    message: waiting?.message ?? p.status?.message,
  };
}

/** What the pods' events add: probe failures, which the pod status cannot explain. */
export function problemsFromEvents(
  pods: PodObject[],
  events: Record<string, EventObject[]>,
): PodProblem[] {
  const problems: PodProblem[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const newest = (reason: string) =>
      (events[name] ?? [])
        .filter(e => e.reason === reason && e.type !== 'Normal')
        .sort(
          (a, b) =>
            toMillis(b.lastTimestamp ?? b.eventTime) -
            toMillis(a.lastTimestamp ?? a.eventTime),
        )[0];
    const unhealthy = newest('Unhealthy');
    if (unhealthy) {
      problems.push({
        kind: 'FailingProbe',
        pod: name,
        reason: 'Unhealthy',
        message: `${unhealthy.message ?? 'probe failed'}${
          unhealthy.count && unhealthy.count > 1
            ? ` (${unhealthy.count} times)`
            : ''
        }`,
      });
    }
  }
  return problems;
}
