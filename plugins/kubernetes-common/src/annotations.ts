import type { Entity } from '@backstage/catalog-model';
import {
  FilterPredicate,
  filterPredicateToFilterFunction,
} from '@backstage/filter-predicates';
import {
  KUBERNETES_ANNOTATION,
  KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION,
} from '@backstage/plugin-kubernetes-common';

/**
 * Entities with `backstage.io/kubernetes-id`: their pods carry the label of that name, which the
 * metrics and logs of the cluster also carry (see docs/contract.md).
 *
 * @public
 */
export const kubernetesIdPredicate: FilterPredicate = {
  [`metadata.annotations.${KUBERNETES_ANNOTATION}`]: { $exists: true },
};

/**
 * Entities the Kubernetes plugin finds workloads for: those with `backstage.io/kubernetes-id` or
 * `backstage.io/kubernetes-label-selector`. It is the filter of the Kubernetes tab
 * (`@backstage/plugin-kubernetes/alpha`), so a card with it appears exactly where the tab does.
 *
 * @public
 */
export const kubernetesAnnotationPredicate: FilterPredicate = {
  $any: [
    kubernetesIdPredicate,
    {
      [`metadata.annotations.${KUBERNETES_LABEL_SELECTOR_QUERY_ANNOTATION}`]: {
        $exists: true,
      },
    },
  ],
};

/**
 * {@link kubernetesAnnotationPredicate} as a function, for the legacy frontend system's
 * `EntitySwitch.Case if={...}`.
 *
 * @public
 */
export const isKubernetesAvailable: (entity: Entity) => boolean =
  filterPredicateToFilterFunction<Entity>(kubernetesAnnotationPredicate);
