/**
 * A compact pod-health card for catalog entities deployed to Kubernetes.
 *
 * @packageDocumentation
 */
export { podHealthPlugin, EntityPodHealthCard } from './plugin';
export { isPodHealthAvailable } from './lib/filter';
export { summarizePodHealth, podsNeedingEvents } from './lib/summary';
export type {
  HealthStatus,
  LastTermination,
  PodHealthSummary,
  WorkloadChange,
  WorkloadHealth,
} from './lib/summary';
export { describeClusterError } from './lib/clusterErrors';
export type { ClusterProblem } from './lib/clusterErrors';
export type { PodProblem, PodProblemKind } from './lib/problems';
export type { EventObject, PodObject } from './lib/kubernetesObjects';
export { formatAge } from './components/EntityPodHealthCard/format';
