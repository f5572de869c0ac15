import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import { ClusterProblem, clusterProblems } from './clusterErrors';
import {
  ContainerStatus,
  EventObject,
  PodObject,
  toIso,
  toMillis,
} from './kubernetesObjects';
import {
  PodProblem,
  deploymentProblems,
  isPodCompleted,
  isPodReady,
  isPodStarting,
  isPodTerminating,
  jobProblems,
  podProblems,
  problemFromEvents,
} from './problems';
import { Clock, RECENT_WINDOW, isRecent } from './recent';
import {
  ClusterObjects,
  JobRun,
  WorkloadChange,
  WorkloadGroup,
  WorkloadKind,
  groupByWorkload,
  lastRollout,
  lastRun,
} from './workloads';

/** The most recent container termination among a workload's pods. @public */
export interface LastTermination {
  pod: string;
  container: string;
  reason: string;
  exitCode?: number;
  finishedAt?: string;
}

/**
 * Container restarts of a workload's pods. Kubernetes keeps only a count per container and the
 * time of its last termination, so the recent count is exact when the pods started inside the
 * window and a lower bound otherwise.
 *
 * @public
 */
export interface Restarts {
  /** Restarts since the pods started. */
  total: number;
  /** Restarts inside the recent window. */
  recent: number;
  /** False when `recent` is "at least": older pods restarted more than once lately. */
  recentIsExact: boolean;
}

/**
 * `healthy`, `progressing` (pods are still starting or shutting down, nothing is wrong yet),
 * `degraded` or `down`.
 *
 * @public
 */
export type HealthStatus = 'healthy' | 'progressing' | 'degraded' | 'down';

/** One workload (or the pods no known workload owns) in one cluster. @public */
export interface WorkloadHealth {
  /** The cluster's title, or its name. */
  cluster: string;
  /** The cluster's name, as the Kubernetes proxy knows it. */
  clusterName: string;
  kind: WorkloadKind;
  name: string;
  /** Pods that should be ready; for Jobs, the pods still running. */
  desired: number;
  ready: number;
  /** Pods that are neither completed nor shutting down. */
  pods: number;
  /** Pods still starting up. */
  starting: number;
  /** Pods shutting down. */
  terminating: number;
  restarts: Restarts;
  status: HealthStatus;
  lastTermination?: LastTermination;
  crashLooping: string[];
  problems: PodProblem[];
  lastChange?: WorkloadChange;
  lastRun?: JobRun;
  /**
   * A CronJob's earlier runs that failed, newest first, named by their Job: history, not current
   * problems, since the CronJob is judged by its newest run.
   */
  earlierFailedRuns?: JobRun[];
}

/** Everything the pod-health card shows. @public */
export interface PodHealthSummary {
  workloads: WorkloadHealth[];
  clusterErrors: ClusterProblem[];
  /** How far back restarts, OOM kills and probe failures count. */
  windowMs: number;
}

/** Where a pod is: the key of {@link PodEvents}. @public */
export interface PodRef {
  cluster: string;
  namespace: string;
  pod: string;
}

/**
 * Events per pod, keyed by {@link podKey}: pod names repeat across clusters and namespaces.
 *
 * @public
 */
export type PodEvents = Record<string, EventObject[]>;

/** The key of a pod's events in {@link PodEvents}. @public */
export function podKey(ref: PodRef): string {
  return `${ref.cluster}/${ref.namespace}/${ref.pod}`;
}

/** @public */
export interface SummarizeOptions {
  /** Events of pods, from {@link podsNeedingEvents}; they add probe failures. */
  events?: PodEvents;
  /** The moment to judge the pods at; now by default. */
  now?: Date;
  /** How far back restarts, OOM kills and probe failures count; {@link RECENT_WINDOW} by default. */
  windowMs?: number;
}

function objectsOf(
  item: ObjectsByEntityResponse['items'][number],
): ClusterObjects {
  const of = <T>(type: string): T[] =>
    item.resources
      .filter(r => r.type === type)
      .flatMap(r => r.resources as unknown as T[]);
  return {
    pods: of('pods'),
    deployments: of('deployments'),
    replicaSets: of('replicasets'),
    statefulSets: of('statefulsets'),
    daemonSets: of('daemonsets'),
    jobs: of('jobs'),
    cronJobs: of('cronjobs'),
  };
}

const containersOf = (pod: PodObject): ContainerStatus[] => [
  ...(pod.status?.initContainerStatuses ?? []),
  ...(pod.status?.containerStatuses ?? []),
];

/** Restarts in all, and those inside the window (see {@link Restarts}). */
function countRestarts(pods: PodObject[], clock: Clock): Restarts {
  const restarts: Restarts = { total: 0, recent: 0, recentIsExact: true };
  for (const pod of pods) {
    const podIsRecent = isRecent(pod.status?.startTime, clock);
    for (const status of containersOf(pod)) {
      const count = status.restartCount ?? 0;
      restarts.total += count;
      if (count === 0) continue;
      if (podIsRecent) {
        restarts.recent += count;
      } else if (isRecent(status.lastState?.terminated?.finishedAt, clock)) {
        restarts.recent += 1;
        if (count > 1) restarts.recentIsExact = false;
      }
    }
  }
  return restarts;
}

/** The newest termination of any container of the pods. */
function lastTerminationOf(pods: PodObject[]): LastTermination | undefined {
  let latest: LastTermination | undefined;
  for (const pod of pods) {
    for (const status of containersOf(pod)) {
      const t = status.state?.terminated ?? status.lastState?.terminated;
      // A Job's container that exited 0 finished its work; that is not a termination to report.
      if (!t?.reason || t.reason === 'Completed') continue;
      if (!latest || toMillis(t.finishedAt) > toMillis(latest.finishedAt)) {
        latest = {
          pod: pod.metadata?.name ?? '',
          container: status.name,
          reason: t.reason,
          exitCode: t.exitCode,
          finishedAt: toIso(t.finishedAt),
        };
      }
    }
  }
  return latest;
}

function statusOf(
  desired: number,
  ready: number,
  changing: number,
  problems: PodProblem[],
): HealthStatus {
  if (problems.length === 0 && ready < desired && changing > 0) {
    return 'progressing';
  }
  if (desired > 0 && ready === 0) return 'down';
  if (ready < desired || problems.length > 0) return 'degraded';
  return 'healthy';
}

/** The Job that runs a pod, when a Job does. */
function jobOfPod(pod: PodObject): string | undefined {
  const refs = pod.metadata?.ownerReferences ?? [];
  const owner = refs.find(o => o.controller) ?? refs[0];
  return owner?.kind === 'Job' ? owner.name : undefined;
}

/**
 * The pods a workload is judged by. A CronJob is judged by its newest run: the finished pods of
 * its earlier Jobs are history (the kubernetes backend returns them while the CronJob keeps those
 * Jobs, `failedJobsHistoryLimit`), and their failures are not today's problems.
 */
function currentPods(group: WorkloadGroup): PodObject[] {
  const newest = group.jobs[0]?.metadata?.name;
  if (group.kind !== 'CronJob' || !newest) return group.pods;
  return group.pods.filter(
    pod => !isPodCompleted(pod) || (jobOfPod(pod) ?? newest) === newest,
  );
}

function summarizeGroup(
  group: WorkloadGroup,
  cluster: { name: string; title: string },
  objects: ClusterObjects,
  events: PodEvents,
  clock: Clock,
): WorkloadHealth {
  const pods = currentPods(group);
  const active = pods.filter(p => !isPodCompleted(p) && !isPodTerminating(p));
  const ready = active.filter(isPodReady).length;
  const starting = active.filter(p => isPodStarting(p, clock)).length;
  const terminating = pods.filter(isPodTerminating).length;
  const isJob = group.kind === 'Job' || group.kind === 'CronJob';
  // Completed Job pods did their work: only the running ones should be ready.
  const desired = group.desired ?? active.length;

  const problems: PodProblem[] = [
    ...(group.deployment ? deploymentProblems(group.deployment) : []),
    ...(isJob ? jobProblems(group.jobs[0]) : []),
  ];
  for (const pod of pods) {
    const own = podProblems(pod, clock);
    const key = podKey({
      cluster: cluster.name,
      namespace: pod.metadata?.namespace ?? '',
      pod: pod.metadata?.name ?? '',
    });
    const fromEvents = problemFromEvents(pod, events[key] ?? [], clock);
    if (fromEvents) {
      // An Unhealthy event explains a "Not ready" container better than the status does.
      const index = own.findIndex(p => p.kind === 'FailingProbe');
      if (index >= 0) {
        own[index] = { ...fromEvents, container: own[index].container };
      } else {
        own.push(fromEvents);
      }
    }
    problems.push(...own);
  }

  return {
    cluster: cluster.title,
    clusterName: cluster.name,
    kind: group.kind,
    name: group.name,
    desired,
    ready,
    pods: active.length,
    starting,
    terminating,
    restarts: countRestarts(
      pods.filter(p => !isPodTerminating(p)),
      clock,
    ),
    status: statusOf(desired, ready, starting + terminating, problems),
    lastTermination: lastTerminationOf(pods),
    crashLooping: [
      ...new Set(
        problems
          .filter(p => p.kind === 'CrashLoopBackOff' && p.pod)
          .map(p => p.pod!),
      ),
    ],
    problems,
    lastChange: group.deployment
      ? lastRollout(group.deployment, objects.replicaSets)
      : undefined,
    lastRun: isJob ? lastRun(group.jobs) : undefined,
    earlierFailedRuns:
      group.kind === 'CronJob'
        ? group.jobs
            .slice(1)
            .map(job => lastRun([job])!)
            .filter(run => run.outcome === 'failed')
        : undefined,
  };
}

/**
 * Summarises an entity's workloads per cluster: ready against desired pods, recent restarts, the
 * last termination, crash loops, failing probes, pending pods, stuck rollouts, failed Jobs, and
 * the last rollout or run.
 *
 * @param response - what `POST /api/kubernetes/services/:name` returned for the entity
 * @public
 */
export function summarizePodHealth(
  response: ObjectsByEntityResponse,
  options: SummarizeOptions = {},
): PodHealthSummary {
  const clock: Clock = {
    now: options.now ?? new Date(),
    windowMs: options.windowMs ?? RECENT_WINDOW.ms,
  };
  const workloads: WorkloadHealth[] = [];
  const clusterErrors: ClusterProblem[] = [];
  for (const item of response.items) {
    const cluster = {
      name: item.cluster.name,
      title: item.cluster.title ?? item.cluster.name,
    };
    clusterErrors.push(...clusterProblems(cluster.title, item.errors));
    const objects = objectsOf(item);
    for (const group of groupByWorkload(objects)) {
      workloads.push(
        summarizeGroup(group, cluster, objects, options.events ?? {}, clock),
      );
    }
  }
  return { workloads, clusterErrors, windowMs: clock.windowMs };
}

/** Pods the card should read events for: running pods that are not ready. @public */
export function podsNeedingEvents(response: ObjectsByEntityResponse): PodRef[] {
  const needs: PodRef[] = [];
  for (const item of response.items) {
    for (const pod of objectsOf(item).pods) {
      const name = pod.metadata?.name;
      const namespace = pod.metadata?.namespace;
      if (!name || !namespace) continue;
      if (isPodCompleted(pod) || isPodTerminating(pod)) continue;
      if (pod.status?.phase !== 'Running' || !isPodReady(pod)) {
        needs.push({ cluster: item.cluster.name, namespace, pod: name });
      }
    }
  }
  return needs;
}
