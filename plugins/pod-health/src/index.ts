/**
 * A compact pod-health card for catalog entities deployed to Kubernetes.
 *
 * @packageDocumentation
 */
export { podHealthPlugin, EntityPodHealthCard } from './plugin';
export { isPodHealthAvailable } from './lib/filter';
export { summarizePodHealth, podsNeedingEvents, podKey } from './lib/summary';
export type {
  HealthStatus,
  LastTermination,
  PodEvents,
  PodHealthSummary,
  PodRef,
  Restarts,
  SummarizeOptions,
  WorkloadHealth,
} from './lib/summary';
export type { JobRun, WorkloadChange, WorkloadKind } from './lib/workloads';
export { RECENT_WINDOW } from './lib/recent';
export { podSelectorOf } from './lib/podSelector';
export type { PodSelector } from './lib/podSelector';
export { describeClusterError } from './lib/clusterErrors';
export type { ClusterProblem } from './lib/clusterErrors';
export type { PodProblem, PodProblemKind } from './lib/problems';
export type { EventObject, PodObject } from './lib/kubernetesObjects';
export { formatAge } from './components/EntityPodHealthCard/format';
