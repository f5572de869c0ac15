import { Timestamp, toMillis } from './kubernetesObjects';

/**
 * How far back restarts, OOM kills and probe failures count against a workload. A termination
 * older than this is history: the card still shows it as the last termination, but it no longer
 * makes the workload "Degraded".
 *
 * @public
 */
export const RECENT_WINDOW = {
  ms: 60 * 60 * 1000,
  /** How the card names the window, as in "restarts in the last hour". */
  label: 'the last hour',
} as const;

/** The moment the card judges the pods at, and how far back it looks. @public */
export interface Clock {
  now: Date;
  windowMs: number;
}

/** Whether `t` falls inside the window that ends at `clock.now`. */
export function isRecent(t: Timestamp | null | undefined, clock: Clock) {
  const at = toMillis(t);
  return at >= clock.now.getTime() - clock.windowMs;
}
