/**
 * A compact pod-health card for catalog entities deployed to Kubernetes.
 *
 * @packageDocumentation
 */
export { podHealthPlugin, EntityPodHealthCard } from './plugin';
export { isPodHealthAvailable } from './lib/filter';
// The judgement lives in @internal/plugin-kubernetes-common, shared with the backend checks.
export {
  summarizePodHealth,
  podsNeedingEvents,
  podKey,
  RECENT_WINDOW,
  podSelectorOf,
  describeClusterError,
} from '@internal/plugin-kubernetes-common';
export type {
  HealthStatus,
  LastTermination,
  PodEvents,
  PodHealthSummary,
  PodRef,
  Restarts,
  SummarizeOptions,
  WorkloadHealth,
  JobRun,
  WorkloadChange,
  WorkloadKind,
  PodSelector,
  ClusterProblem,
  PodProblem,
  PodProblemKind,
  EventObject,
  PodObject,
} from '@internal/plugin-kubernetes-common';
export { formatAge } from './components/EntityPodHealthCard/format';
