import type { Entity } from '@backstage/catalog-model';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';

/** The kubernetes backend reads the entity's namespace from this annotation. */
const NAMESPACE_ANNOTATION = 'backstage.io/kubernetes-namespace';

/** Which pods the kubernetes backend looks for, and which annotation says so. @public */
export interface PodSelector {
  /** The annotation to change to look for other pods. */
  annotation:
    | typeof KUBERNETES_ANNOTATION
    | typeof KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION;
  labelSelector: string;
  /** Absent: every namespace. */
  namespace?: string;
}

/**
 * The label selector and namespace the kubernetes backend lists the entity's objects with:
 * `backstage.io/kubernetes-label-selector` when set, otherwise
 * `backstage.io/kubernetes-id=<kubernetes-id or entity name>` (the backend's own rule, in
 * `KubernetesFanOutHandler`).
 *
 * @public
 */
export function podSelectorOf(entity: Entity): PodSelector {
  const annotations = entity.metadata.annotations ?? {};
  const namespace = annotations[NAMESPACE_ANNOTATION] || undefined;
  const selector = annotations[KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION];
  if (selector) {
    return {
      annotation: KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
      labelSelector: selector,
      namespace,
    };
  }
  const id = annotations[KUBERNETES_ANNOTATION] || entity.metadata.name;
  return {
    annotation: KUBERNETES_ANNOTATION,
    labelSelector: `${KUBERNETES_ANNOTATION}=${id}`,
    namespace,
  };
}
