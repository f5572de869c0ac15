/**
 * Which catalog entities the Kubernetes plugin finds workloads for, and how healthy those
 * workloads are, in one place for every plugin and backend check that shows or judges them.
 *
 * @packageDocumentation
 */
export {
  isKubernetesAvailable,
  kubernetesAnnotationPredicate,
  kubernetesIdPredicate,
} from './annotations';
export {
  summarizePodHealth,
  podsNeedingEvents,
  podKey,
} from './health/summary';
export type {
  HealthStatus,
  LastTermination,
  PodEvents,
  PodHealthSummary,
  PodRef,
  Restarts,
  SummarizeOptions,
  WorkloadHealth,
} from './health/summary';
export type { JobRun, WorkloadChange, WorkloadKind } from './health/workloads';
export { RECENT_WINDOW } from './health/recent';
export { podSelectorOf } from './health/podSelector';
export type { PodSelector } from './health/podSelector';
export { describeClusterError } from './health/clusterErrors';
export type { ClusterProblem } from './health/clusterErrors';
export type { PodProblem, PodProblemKind } from './health/problems';
export type { EventObject, PodObject } from './health/kubernetesObjects';
