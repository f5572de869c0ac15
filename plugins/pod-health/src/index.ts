/**
 * A compact pod-health card for catalog entities deployed to Kubernetes.
 *
 * @packageDocumentation
 */
export { podHealthPlugin, EntityPodHealthCard } from './plugin';
export { isPodHealthAvailable } from './lib/filter';
export {
  summarizePodHealth,
  describeClusterError,
  podsNeedingEvents,
  formatAge,
} from './lib/podHealth';
export type {
  ClusterProblem,
  EventObject,
  HealthStatus,
  LastTermination,
  PodHealthSummary,
  PodObject,
  PodProblem,
  PodProblemKind,
  WorkloadChange,
  WorkloadHealth,
} from './lib/podHealth';
