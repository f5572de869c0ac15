import {
  CronJobObject,
  DaemonSetObject,
  DeploymentObject,
  JobObject,
  ObjectMeta,
  PodObject,
  ReplicaSetObject,
  StatefulSetObject,
  toIso,
  toMillis,
} from './kubernetesObjects';

/**
 * What owns a group of pods. `ReplicaSet` is a ReplicaSet no Deployment owns; `Pods` are pods
 * whose owner the backend did not return (or that have none).
 *
 * @public
 */
export type WorkloadKind =
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'CronJob'
  | 'Job'
  | 'ReplicaSet'
  | 'Pods';

/** The objects of one cluster the card groups pods by. */
export interface ClusterObjects {
  pods: PodObject[];
  deployments: DeploymentObject[];
  replicaSets: ReplicaSetObject[];
  statefulSets: StatefulSetObject[];
  daemonSets: DaemonSetObject[];
  jobs: JobObject[];
  cronJobs: CronJobObject[];
}

/** One workload and its pods. */
export interface WorkloadGroup {
  kind: WorkloadKind;
  name: string;
  pods: PodObject[];
  /** Pods this workload should run, when its kind says (Deployment, StatefulSet, DaemonSet). */
  desired?: number;
  deployment?: DeploymentObject;
  /** The Jobs of a Job or CronJob group, newest first. */
  jobs: JobObject[];
}

/** The owner that controls the object (the one with `controller: true`). */
function controllerOf(meta: ObjectMeta | undefined) {
  const refs = meta?.ownerReferences ?? [];
  return refs.find(o => o.controller) ?? refs[0];
}

function byRef<T extends { metadata?: ObjectMeta }>(
  objects: T[],
  ref: { uid?: string; name?: string },
): T | undefined {
  return objects.find(o =>
    ref.uid ? o.metadata?.uid === ref.uid : o.metadata?.name === ref.name,
  );
}

/** The workload that owns a pod: through its ReplicaSet to a Deployment, through its Job to a CronJob. */
export function ownerOfPod(
  pod: PodObject,
  objects: ClusterObjects,
): { kind: WorkloadKind; name: string } | undefined {
  const ref = controllerOf(pod.metadata);
  if (!ref?.name) return undefined;
  switch (ref.kind) {
    case 'ReplicaSet': {
      const rs = byRef(objects.replicaSets, ref);
      const owner = controllerOf(rs?.metadata);
      if (owner?.kind === 'Deployment' && owner.name) {
        return { kind: 'Deployment', name: owner.name };
      }
      // Without the ReplicaSet in the answer, its name still starts with its Deployment's.
      const deployment = rs
        ? undefined
        : objects.deployments.find(d =>
            ref.name!.startsWith(`${d.metadata?.name}-`),
          );
      return deployment?.metadata?.name
        ? { kind: 'Deployment', name: deployment.metadata.name }
        : { kind: 'ReplicaSet', name: ref.name };
    }
    case 'Job': {
      const owner = controllerOf(byRef(objects.jobs, ref)?.metadata);
      return owner?.kind === 'CronJob' && owner.name
        ? { kind: 'CronJob', name: owner.name }
        : { kind: 'Job', name: ref.name };
    }
    case 'StatefulSet':
    case 'DaemonSet':
      return { kind: ref.kind, name: ref.name };
    default:
      return undefined;
  }
}

const newestFirst = (a: JobObject, b: JobObject) =>
  toMillis(b.status?.startTime ?? b.metadata?.creationTimestamp) -
  toMillis(a.status?.startTime ?? a.metadata?.creationTimestamp);

/**
 * Groups a cluster's pods by the workload that owns them. Every Deployment, StatefulSet,
 * DaemonSet, CronJob and Job the backend returned gets a group, even without pods.
 */
export function groupByWorkload(objects: ClusterObjects): WorkloadGroup[] {
  const groups = new Map<string, WorkloadGroup>();
  const add = (group: Omit<WorkloadGroup, 'pods' | 'jobs'>) => {
    const key = `${group.kind}/${group.name}`;
    if (!groups.has(key)) groups.set(key, { ...group, pods: [], jobs: [] });
    return groups.get(key)!;
  };
  const name = (o: { metadata?: ObjectMeta }) => o.metadata?.name ?? '';

  for (const d of objects.deployments) {
    add({
      kind: 'Deployment',
      name: name(d),
      desired: d.spec?.replicas ?? 1,
      deployment: d,
    });
  }
  for (const s of objects.statefulSets) {
    add({ kind: 'StatefulSet', name: name(s), desired: s.spec?.replicas ?? 1 });
  }
  for (const d of objects.daemonSets) {
    add({
      kind: 'DaemonSet',
      name: name(d),
      desired: d.status?.desiredNumberScheduled,
    });
  }
  for (const c of objects.cronJobs) {
    add({ kind: 'CronJob', name: name(c) });
  }
  for (const job of objects.jobs) {
    const owner = controllerOf(job.metadata);
    const group =
      owner?.kind === 'CronJob' && owner.name
        ? add({ kind: 'CronJob', name: owner.name })
        : add({ kind: 'Job', name: name(job) });
    group.jobs.push(job);
  }
  for (const group of groups.values()) group.jobs.sort(newestFirst);

  for (const pod of objects.pods) {
    const owner = ownerOfPod(pod, objects) ?? {
      kind: 'Pods' as const,
      name: name(pod),
    };
    // Pods without an owner share one group, named after the first of them.
    const group =
      owner.kind === 'Pods'
        ? [...groups.values()].find(g => g.kind === 'Pods') ?? add(owner)
        : add(owner);
    group.pods.push(pod);
  }
  return [...groups.values()];
}

/** The newest rollout of a Deployment. @public */
export interface WorkloadChange {
  at: string;
  /** `deployment.kubernetes.io/revision` of the current ReplicaSet. */
  revision?: string;
  image?: string;
}

/** The newest rollout of a Deployment: its current ReplicaSet's revision, image and creation time. */
export function lastRollout(
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

/** The newest run of a Job or CronJob. @public */
export interface JobRun {
  job: string;
  outcome: 'running' | 'succeeded' | 'failed';
  at?: string;
}

/** How the newest Job of a group went. */
export function lastRun(jobs: JobObject[]): JobRun | undefined {
  const newest = jobs[0];
  if (!newest) return undefined;
  const done = (type: string) =>
    newest.status?.conditions?.find(
      c => c.type === type && c.status === 'True',
    );
  const failed = done('Failed');
  let outcome: JobRun['outcome'] = 'running';
  if (failed) outcome = 'failed';
  else if (done('Complete')) outcome = 'succeeded';
  return {
    job: newest.metadata?.name ?? '',
    outcome,
    at: toIso(
      failed?.lastTransitionTime ??
        newest.status?.completionTime ??
        newest.status?.startTime,
    ),
  };
}
