import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import { ClusterProblem, clusterProblems } from './clusterErrors';
import {
  DeploymentObject,
  EventObject,
  PodObject,
  ReplicaSetObject,
  toIso,
  toMillis,
} from './kubernetesObjects';
import {
  PodProblem,
  containerProblems,
  isPodReady,
  pendingProblem,
  problemsFromEvents,
} from './problems';

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

/** Everything the pod-health card shows. @public */
export interface PodHealthSummary {
  workloads: WorkloadHealth[];
  clusterErrors: ClusterProblem[];
}

/** The newest termination of any container of the pods. */
function lastTerminationOf(pods: PodObject[]): LastTermination | undefined {
  let latest: LastTermination | undefined;
  for (const pod of pods) {
    for (const status of pod.status?.containerStatuses ?? []) {
      const t = status.state?.terminated ?? status.lastState?.terminated;
      if (!t?.reason) continue;
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

/** The newest rollout of a Deployment: its current ReplicaSet's revision, image and creation time. */
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
        toMillis(b.metadata?.creationTimestamp) -
        toMillis(a.metadata?.creationTimestamp),
    )[0];
  const image = deployment.spec?.template?.spec?.containers?.[0]?.image;
  const at =
    toIso(current?.metadata?.creationTimestamp) ??
    toIso(deployment.metadata?.creationTimestamp);
  if (!at) return undefined;
  return { at, revision, image };
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
    clusterErrors.push(...clusterProblems(cluster, item.errors));
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
