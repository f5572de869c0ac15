import type { Entity } from '@backstage/catalog-model';
import {
  FilterPredicate,
  filterPredicateToFilterFunction,
} from '@backstage/filter-predicates';
import { TEMPLATE_NAME_ANNOTATION } from '@internal/plugin-template-upgrades-common';

/**
 * Entities made from a template: the service template's catalog entry carries the template's
 * name in `TEMPLATE_NAME_ANNOTATION` (`@internal/plugin-template-upgrades-common`). The card is
 * shown only on them.
 *
 * @public
 */
export const templateUpgradesPredicate: FilterPredicate = {
  [`metadata.annotations.${TEMPLATE_NAME_ANNOTATION}`]: { $exists: true },
};

/**
 * {@link templateUpgradesPredicate} as a function, for the legacy system's `EntitySwitch.Case`.
 *
 * @public
 */
export const isTemplateUpgradeAvailable: (entity: Entity) => boolean =
  filterPredicateToFilterFunction<Entity>(templateUpgradesPredicate);
