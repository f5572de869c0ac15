/**
 * Which catalog entities the Kubernetes plugin finds workloads for, in one place for every plugin
 * that shows something about those workloads.
 *
 * @packageDocumentation
 */
export {
  isKubernetesAvailable,
  kubernetesAnnotationPredicate,
  kubernetesIdPredicate,
} from './annotations';
