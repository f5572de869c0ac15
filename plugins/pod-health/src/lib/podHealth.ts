import type {
  KubernetesFetchError,
  ObjectsByEntityResponse,
} from '@backstage/plugin-kubernetes-common';

/*
 * The subset of Kubernetes objects the card reads. The kubernetes backend forwards the API
 * server's JSON unchanged, so timestamps are RFC 3339 strings (the client library's `Date` types
 * describe its own deserializer, not this JSON).
 */
type Timestamp = string | Date;

interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: Timestamp;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ kind?: string; name?: string; uid?: string }>;
}

interface ContainerState {
  running?: { startedAt?: Timestamp };
  waiting?: { reason?: string; message?: string };
  terminated?: {
    reason?: string;
    exitCode?: number;
    message?: string;
    finishedAt?: Timestamp;
  };
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface PodCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: Timestamp;
}

/** A pod as the Kubernetes API returns it (the fields the card reads). @public */
export interface PodObject {
  metadata?: ObjectMeta;
  spec?: { containers?: Array<{ name: string; image?: string }> };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: PodCondition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

interface DeploymentObject {
  metadata?: ObjectMeta;
  spec?: {
    replicas?: number;
    template?: { spec?: { containers?: Array<{ image?: string }> } };
  };
  status?: {
    conditions?: Array<PodCondition & { lastUpdateTime?: Timestamp }>;
  };
}

interface ReplicaSetObject {
  metadata?: ObjectMeta;
  spec?: { replicas?: number };
}

/** A core/v1 Event (the fields the card reads). @public */
export interface EventObject {
  involvedObject?: { kind?: string; name?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: Timestamp | null;
  eventTime?: Timestamp | null;
}

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

/** The most recent container termination among a workload's pods. @public */
export interface LastTermination {
  pod: string;
  container: string;
  reason: string;
  exitCode?: number;
  finishedAt?: string;
}

/** The newest rollout of a Deployment. @public */
export interface WorkloadChange {
  at: string;
  /** `deployment.kubernetes.io/revision` of the current ReplicaSet. */
  revision?: string;
  image?: string;
}

/** @public */
export type HealthStatus = 'healthy' | 'degraded' | 'down';

/** One Deployment (or the pods no Deployment owns) in one cluster. @public */
export interface WorkloadHealth {
  cluster: string;
  /** `Deployment` or `Pods` for pods without a known owner. */
  kind: string;
  name: string;
  desired: number;
  ready: number;
  pods: number;
  restarts: number;
  status: HealthStatus;
  lastTermination?: LastTermination;
  crashLooping: string[];
  problems: PodProblem[];
  lastChange?: WorkloadChange;
}

/** A cluster the backend could not read completely. @public */
export interface ClusterProblem {
  cluster: string;
  message: string;
}

/** Everything the pod-health card shows. @public */
export interface PodHealthSummary {
  workloads: WorkloadHealth[];
  clusterErrors: ClusterProblem[];
}

const iso = (t: Timestamp | null | undefined): string | undefined => {
  if (!t) return undefined;
  return t instanceof Date ? t.toISOString() : t;
};
const time = (t: Timestamp | null | undefined): number =>
  t ? new Date(t).getTime() : Number.NEGATIVE_INFINITY;

function isPodReady(pod: PodObject): boolean {
  return (
    pod.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ) ?? false
  );
}

/** Explains one fetch error of one cluster, the way an operator would want to read it. */
export function describeClusterError(
  cluster: string,
  error: KubernetesFetchError,
): string {
  if (error.errorType === 'FETCH_ERROR') {
    // node-fetch says "request to <full URL with query> failed, reason: <cause>"; the API
    // server's origin and the cause are what an operator needs.
    const fetchFailure = /^request to (\S+) failed, reason: (.*)$/s.exec(
      error.message,
    );
    if (fetchFailure) {
      let where = fetchFailure[1];
      try {
        where = new URL(where).origin;
      } catch {
        // keep the URL as reported
      }
      return `Cluster ${cluster} could not be reached at ${where}: ${fetchFailure[2]}`;
    }
    return `Cluster ${cluster} could not be reached: ${error.message}`;
  }
  const what = error.resourcePath ? ` for ${error.resourcePath}` : '';
  // The backend files 403 under UNKNOWN_ERROR; for a read-only service account it means RBAC.
  if (
    error.errorType === 'UNAUTHORIZED_ERROR' ||
    error.statusCode === 401 ||
    error.statusCode === 403
  ) {
    return `Cluster ${cluster} refused the portal's credentials (HTTP ${
      error.statusCode ?? 401
    })${what}: check the service-account token and its RBAC.`;
  }
  switch (error.errorType) {
    case 'NOT_FOUND':
      return `Cluster ${cluster} has no such resource (HTTP 404)${what}.`;
    default:
      return `Cluster ${cluster} answered HTTP ${
        error.statusCode ?? '(unknown)'
      } (${error.errorType})${what}.`;
  }
}

// metrics-server is optional: without it the backend reports a 404 for pod metrics, which says
// nothing about the pods' health.
const isMissingMetricsServer = (error: KubernetesFetchError) =>
  error.errorType !== 'FETCH_ERROR' &&
  error.statusCode === 404 &&
  (error.resourcePath ?? '').startsWith('/apis/metrics.k8s.io/');

function containerProblems(pod: string, status: ContainerStatus): PodProblem[] {
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
      at: iso(last.finishedAt),
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

function pendingProblem(pod: string, p: PodObject): PodProblem {
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

function lastTerminationOf(pods: PodObject[]): LastTermination | undefined {
  let latest: LastTermination | undefined;
  for (const pod of pods) {
    for (const status of pod.status?.containerStatuses ?? []) {
      const t = status.state?.terminated ?? status.lastState?.terminated;
      if (!t?.reason) continue;
      if (!latest || time(t.finishedAt) > time(latest.finishedAt)) {
        latest = {
          pod: pod.metadata?.name ?? '',
          container: status.name,
          reason: t.reason,
          exitCode: t.exitCode,
          finishedAt: iso(t.finishedAt),
        };
      }
    }
  }
  return latest;
}

/** Adds what the pods' events say: probe failures and scheduling failures. */
function problemsFromEvents(
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
            time(b.lastTimestamp ?? b.eventTime) -
            time(a.lastTimestamp ?? a.eventTime),
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

/**
 * Summarises a workload's pods: ready against desired, restarts, the last termination, crash loops,
 * failing probes, pending pods, and the last rollout.
 *
 * @param response - what `POST /api/kubernetes/services/:name` returned for the entity
 * @param events - optional events per pod name; they add probe failures the pod status cannot show
 * @public
 */
export function summarizePodHealth(
  response: ObjectsByEntityResponse,
  events: Record<string, EventObject[]> = {},
): PodHealthSummary {
  const workloads: WorkloadHealth[] = [];
  const clusterErrors: ClusterProblem[] = [];

  for (const item of response.items) {
    const cluster = item.cluster.title ?? item.cluster.name;
    for (const error of item.errors) {
      if (!isMissingMetricsServer(error)) {
        clusterErrors.push({
          cluster,
          message: describeClusterError(cluster, error),
        });
      }
    }
    const of = <T>(type: string): T[] =>
      item.resources
        .filter(r => r.type === type)
        .flatMap(r => r.resources as unknown as T[]);
    const pods = of<PodObject>('pods');
    const deployments = of<DeploymentObject>('deployments');
    const replicaSets = of<ReplicaSetObject>('replicasets');

    const ownerOf = (uid: string | undefined) =>
      replicaSets.find(rs => rs.metadata?.uid === uid);
    const deploymentOfPod = (pod: PodObject) => {
      const rsRef = pod.metadata?.ownerReferences?.find(
        o => o.kind === 'ReplicaSet',
      );
      const rs = rsRef ? ownerOf(rsRef.uid) : undefined;
      const rsName = rs?.metadata?.name ?? rsRef?.name;
      const dRef = rs?.metadata?.ownerReferences?.find(
        o => o.kind === 'Deployment',
      );
      return deployments.find(d =>
        dRef
          ? d.metadata?.uid === dRef.uid
          : rsName?.startsWith(`${d.metadata?.name}-`),
      );
    };

    const groups = new Map<DeploymentObject | undefined, PodObject[]>(
      deployments.map(d => [d, []]),
    );
    for (const pod of pods) {
      const d = deploymentOfPod(pod);
      groups.set(d, [...(groups.get(d) ?? []), pod]);
    }

    for (const [deployment, group] of groups) {
      const ready = group.filter(isPodReady).length;
      const desired = deployment
        ? deployment.spec?.replicas ?? 1
        : group.length;
      const problems: PodProblem[] = [];
      for (const pod of group) {
        const name = pod.metadata?.name ?? '';
        if (pod.status?.phase === 'Pending') {
          problems.push(pendingProblem(name, pod));
          continue;
        }
        for (const status of pod.status?.containerStatuses ?? []) {
          problems.push(...containerProblems(name, status));
        }
      }
      for (const problem of problemsFromEvents(group, events)) {
        // An Unhealthy event explains a "Not ready" container better than the status does.
        const index = problems.findIndex(
          p => p.kind === 'FailingProbe' && p.pod === problem.pod,
        );
        if (index >= 0) {
          problems[index] = {
            ...problem,
            container: problems[index].container,
          };
        } else {
          problems.push(problem);
        }
      }
      const crashLooping = [
        ...new Set(
          problems.filter(p => p.kind === 'CrashLoopBackOff').map(p => p.pod),
        ),
      ];
      const restarts = group
        .flatMap(p => p.status?.containerStatuses ?? [])
        .reduce((sum, s) => sum + (s.restartCount ?? 0), 0);

      let status: HealthStatus = 'healthy';
      if (desired > 0 && ready === 0) {
        status = 'down';
      } else if (ready < desired || problems.length > 0) {
        status = 'degraded';
      }

      workloads.push({
        cluster,
        kind: deployment ? 'Deployment' : 'Pods',
        name: deployment?.metadata?.name ?? group[0]?.metadata?.name ?? '',
        desired,
        ready,
        pods: group.length,
        restarts,
        status,
        lastTermination: lastTerminationOf(group),
        crashLooping,
        problems,
        lastChange: deployment
          ? lastRollout(deployment, replicaSets)
          : undefined,
      });
    }
  }
  return { workloads, clusterErrors };
}

function lastRollout(
  deployment: DeploymentObject,
  replicaSets: ReplicaSetObject[],
): WorkloadChange | undefined {
  const revision =
    deployment.metadata?.annotations?.['deployment.kubernetes.io/revision'];
  const owned = replicaSets.filter(rs =>
    rs.metadata?.ownerReferences?.some(
      o => o.kind === 'Deployment' && o.uid === deployment.metadata?.uid,
    ),
  );
  const current =
    owned.find(
      rs =>
        revision !== undefined &&
        rs.metadata?.annotations?.['deployment.kubernetes.io/revision'] ===
          revision,
    ) ??
    [...owned].sort(
      (a, b) =>
        time(b.metadata?.creationTimestamp) -
        time(a.metadata?.creationTimestamp),
    )[0];
  const image = deployment.spec?.template?.spec?.containers?.[0]?.image;
  const at =
    iso(current?.metadata?.creationTimestamp) ??
    iso(deployment.metadata?.creationTimestamp);
  if (!at) return undefined;
  return { at, revision, image };
}

/** Pod names the card should fetch events for: those with a problem. @public */
export function podsNeedingEvents(response: ObjectsByEntityResponse): Array<{
  cluster: string;
  namespace: string;
  pod: string;
}> {
  const needs: Array<{ cluster: string; namespace: string; pod: string }> = [];
  for (const item of response.items) {
    for (const r of item.resources) {
      if (r.type !== 'pods') continue;
      for (const pod of r.resources as unknown as PodObject[]) {
        const name = pod.metadata?.name;
        const namespace = pod.metadata?.namespace;
        if (!name || !namespace) continue;
        if (pod.status?.phase !== 'Running' || !isPodReady(pod)) {
          needs.push({ cluster: item.cluster.name, namespace, pod: name });
        }
      }
    }
  }
  return needs;
}

/** "3 minutes ago", "2 days ago": how long before `now` the time `at` was. @public */
export function formatAge(at: string, now: Date = new Date()): string {
  const seconds = Math.round((new Date(at).getTime() - now.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) {
      return rtf.format(Math.trunc(seconds / size), unit);
    }
  }
  return rtf.format(seconds, 'second');
}
