/**
 * The Golden path card: whether a service is built, deployed, scraped, logging, on its
 * dashboard and alerting, as of now.
 *
 * @packageDocumentation
 */
export { goldenPathPlugin, EntityGoldenPathCard } from './plugin';
export { goldenPathPredicate, isGoldenPathAvailable } from './lib/filter';
export { goldenPathApiRef } from './api/GoldenPathApi';
export type {
  GoldenPathApi,
  GoldenPathCheck,
  GoldenPathCheckId,
  GoldenPathReport,
} from './api/GoldenPathApi';
export { GoldenPathClient } from './api/GoldenPathClient';
