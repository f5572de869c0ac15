import type { Entity } from '@backstage/catalog-model';
import {
  FilterPredicate,
  filterPredicateToFilterFunction,
} from '@backstage/filter-predicates';

/**
 * Entities with the annotations the golden path's checks need (`GOLDEN_PATH_ANNOTATIONS` and
 * `targetOfEntity` in `@internal/plugin-golden-path-node`; the backend answers 400 naming them
 * when one is missing): the Deployment and `app` label (`backstage.io/kubernetes-id`) and its
 * namespace (`backstage.io/kubernetes-namespace`). The service template writes both.
 *
 * @public
 */
export const goldenPathPredicate: FilterPredicate = {
  $all: [
    { 'metadata.annotations.backstage.io/kubernetes-id': { $exists: true } },
    {
      'metadata.annotations.backstage.io/kubernetes-namespace': {
        $exists: true,
      },
    },
  ],
};

/**
 * {@link goldenPathPredicate} as a function, for the legacy system's `EntitySwitch.Case`.
 *
 * @public
 */
export const isGoldenPathAvailable: (entity: Entity) => boolean =
  filterPredicateToFilterFunction<Entity>(goldenPathPredicate);
