/**
 * The Golden path card: whether a service is built, deployed, scraped, logging, on its
 * dashboard and alerting, as of now.
 *
 * @packageDocumentation
 */
import { filterPredicateToFilterFunction } from '@backstage/filter-predicates';
import type { Entity } from '@backstage/catalog-model';
import { goldenPathPredicate } from './lib/filter';

export { goldenPathPlugin, EntityGoldenPathCard } from './plugin';
export { goldenPathPredicate } from './lib/filter';
export { goldenPathApiRef } from './api/GoldenPathApi';
export type {
  GoldenPathApi,
  GoldenPathCheck,
  GoldenPathCheckId,
  GoldenPathReport,
} from './api/GoldenPathApi';
export { GoldenPathClient } from './api/GoldenPathClient';

/**
 * Whether the entity has what the card needs, for the legacy system's `EntitySwitch.Case`.
 *
 * @public
 */
export const isGoldenPathAvailable: (entity: Entity) => boolean =
  filterPredicateToFilterFunction<Entity>(goldenPathPredicate);
