import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** The golden path's checks, in the order a new service passes them. @public */
export const CHECK_IDS = [
  'built',
  'deployed',
  'scraped',
  'logging',
  'dashboard',
  'alerts',
] as const;

/** @public */
export type CheckId = (typeof CHECK_IDS)[number];

const MINUTE = 60_000;

/**
 * How long the create task waits for each stage by default. A first pipeline run builds and
 * pushes an image and applies the manifests (20 minutes covers a cold agent pool); a rollout
 * pulls the image and passes its probes; a PodMonitor is picked up at the operator's next
 * reconcile and scraped on the next interval (30 s in kube-prometheus-stack); log agents ship
 * within seconds; Grafana evaluates a rule group every minute.
 *
 * @public
 */
export const DEFAULT_TIMEOUTS_MS: Record<CheckId, number> = {
  built: 20 * MINUTE,
  deployed: 10 * MINUTE,
  scraped: 5 * MINUTE,
  logging: 5 * MINUTE,
  dashboard: 5 * MINUTE,
  alerts: 5 * MINUTE,
};

/** How often a waiting stage looks again, by default. @public */
export const DEFAULT_INTERVAL_MS = 15_000;

/** @public */
export interface WaitSettings {
  timeoutsMs: Record<CheckId, number>;
  intervalMs: number;
}

/**
 * Reads `goldenPath.timeouts.<check>` and `goldenPath.interval` (each a duration: `{ minutes: 10 }`
 * or an ISO 8601 string such as `PT10M`); the defaults above where they are not set.
 *
 * @public
 */
export function readWaitSettings(config: Config): WaitSettings {
  const read = (key: string, fallback: number) => {
    if (!config.has(key)) {
      return fallback;
    }
    const ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
    if (!(ms > 0)) {
      throw new Error(
        `${key} must be a duration longer than zero, e.g. { minutes: 10 } or PT10M`,
      );
    }
    return ms;
  };
  return {
    timeoutsMs: Object.fromEntries(
      CHECK_IDS.map(id => [
        id,
        read(`goldenPath.timeouts.${id}`, DEFAULT_TIMEOUTS_MS[id]),
      ]),
    ) as Record<CheckId, number>,
    intervalMs: read('goldenPath.interval', DEFAULT_INTERVAL_MS),
  };
}
