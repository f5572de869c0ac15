/**
 * The golden-path backend: the Golden path card's checks for one catalog entity.
 *
 * @packageDocumentation
 */
export { goldenPathPlugin as default } from './plugin';
export type { CardCheck, GoldenPathReport } from './service/GoldenPathService';
