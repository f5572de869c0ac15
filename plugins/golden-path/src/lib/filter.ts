import type { FilterPredicate } from '@backstage/filter-predicates';

/**
 * Entities with the annotations the golden path's checks need (`targetOfEntity` in
 * `@internal/plugin-golden-path-node`, which the backend answers 400 without): the Deployment
 * and `app` label (`backstage.io/kubernetes-id`) and its namespace
 * (`backstage.io/kubernetes-namespace`). The service template writes both.
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
