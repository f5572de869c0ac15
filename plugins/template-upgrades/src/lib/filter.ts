import type { Entity } from '@backstage/catalog-model';
import {
  FilterPredicate,
  filterPredicateToFilterFunction,
} from '@backstage/filter-predicates';
import { SOURCE_TEMPLATE_ANNOTATION } from './annotations';

/**
 * Entities made from a template: the scaffolder's `catalog:write` and the service template's
 * catalog entry set {@link SOURCE_TEMPLATE_ANNOTATION}. The card is shown only on them.
 *
 * @public
 */
export const templateUpgradesPredicate: FilterPredicate = {
  [`metadata.annotations.${SOURCE_TEMPLATE_ANNOTATION}`]: { $exists: true },
};

/**
 * {@link templateUpgradesPredicate} as a function, for the legacy system's `EntitySwitch.Case`.
 *
 * @public
 */
export const isTemplateUpgradeAvailable: (entity: Entity) => boolean =
  filterPredicateToFilterFunction<Entity>(templateUpgradesPredicate);
