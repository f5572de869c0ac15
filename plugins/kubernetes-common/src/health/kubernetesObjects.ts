/*
 * The subset of Kubernetes objects the card reads. The kubernetes backend forwards the API
 * server's JSON unchanged, so timestamps are RFC 3339 strings (the client library's `Date` types
 * describe its own deserializer, not this JSON).
 */

/** An RFC 3339 time as the API server sends it (or a `Date`, as the client library types it). */
export type Timestamp = string | Date;

/** @public */
export interface OwnerReference {
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
}

/** @public */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  creationTimestamp?: Timestamp;
  deletionTimestamp?: Timestamp;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

/** @public */
export interface ContainerState {
  running?: { startedAt?: Timestamp };
  waiting?: { reason?: string; message?: string };
  terminated?: {
    reason?: string;
    exitCode?: number;
    message?: string;
    startedAt?: Timestamp;
    finishedAt?: Timestamp;
  };
}

/** @public */
export interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

/** A pod, deployment or job condition. @public */
export interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: Timestamp;
  lastUpdateTime?: Timestamp;
}

/** A container's readiness probe timing (the API server fills in the defaults). @public */
export interface Probe {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  failureThreshold?: number;
}

/** @public */
export interface ContainerSpec {
  name: string;
  image?: string;
  readinessProbe?: Probe;
}

/** A pod as the Kubernetes API returns it (the fields the card reads). @public */
export interface PodObject {
  metadata?: ObjectMeta;
  spec?: { containers?: ContainerSpec[]; initContainers?: ContainerSpec[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    startTime?: Timestamp;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** An apps/v1 Deployment (the fields the card reads). @public */
export interface DeploymentObject {
  metadata?: ObjectMeta;
  spec?: {
    replicas?: number;
    template?: { spec?: { containers?: Array<{ image?: string }> } };
  };
  status?: { conditions?: Condition[] };
}

/** An apps/v1 ReplicaSet (the fields the card reads). @public */
export interface ReplicaSetObject {
  metadata?: ObjectMeta;
  spec?: { replicas?: number };
}

/** An apps/v1 StatefulSet (the fields the card reads). @public */
export interface StatefulSetObject {
  metadata?: ObjectMeta;
  spec?: { replicas?: number };
}

/** An apps/v1 DaemonSet (the fields the card reads). @public */
export interface DaemonSetObject {
  metadata?: ObjectMeta;
  status?: { desiredNumberScheduled?: number };
}

/** A batch/v1 Job (the fields the card reads). @public */
export interface JobObject {
  metadata?: ObjectMeta;
  status?: {
    startTime?: Timestamp;
    completionTime?: Timestamp;
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: Condition[];
  };
}

/** A batch/v1 CronJob (the fields the card reads). @public */
export interface CronJobObject {
  metadata?: ObjectMeta;
}

/** A core/v1 Event (the fields the card reads). @public */
export interface EventObject {
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: Timestamp | null;
  eventTime?: Timestamp | null;
}

/** The time as an RFC 3339 string, or `undefined` when the object has none. */
export function toIso(t: Timestamp | null | undefined): string | undefined {
  if (!t) return undefined;
  return t instanceof Date ? t.toISOString() : t;
}

/** The time in milliseconds; a missing time sorts before every real one. */
export function toMillis(t: Timestamp | null | undefined): number {
  return t ? new Date(t).getTime() : Number.NEGATIVE_INFINITY;
}
