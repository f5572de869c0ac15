import type { JsonValue } from '@backstage/types';

/** What the poller reads the time from and waits with; a fake one in tests. @public */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The wall clock. @public */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
};

/**
 * The scaffolder's `ctx.checkpoint`: runs `fn` once and stores what it returns in the task, so
 * that a recovered or retried task gets the stored value back instead of running `fn` again. A
 * failure is stored too, but not reused: the next attempt runs `fn` again.
 *
 * @public
 */
export type Checkpoint = <T extends JsonValue | void>(options: {
  key: string;
  fn: () => Promise<T> | T;
}) => Promise<T>;

/** A checkpoint that stores nothing, for callers outside a task (the entity card's backend). @public */
export const noCheckpoint: Checkpoint = ({ fn }) => Promise.resolve(fn());

/** One look at the outside system: passed with a value, or not yet, with what was seen. @public */
export type ProbeResult<T extends JsonValue> =
  | { done: true; value: T }
  | { done: false; evidence: string };

/** @public */
export interface WaitOptions<T extends JsonValue> {
  /** Names the stage's checkpoints; unique within the step. */
  key: string;
  timeoutMs: number;
  intervalMs: number;
  probe: () => Promise<ProbeResult<T>>;
  checkpoint: Checkpoint;
  clock?: Clock;
  /** Told about each look that did not pass (at most once per interval). */
  onPending?: (evidence: string, waitedMs: number) => void;
}

/** How a wait ended. @public */
export type WaitOutcome<T extends JsonValue> =
  | { passed: true; value: T; resumed: boolean }
  | { passed: false; evidence: string; waitedMs: number; timeoutMs: number };

class TimedOut extends Error {
  constructor() {
    super('The stage did not pass in time');
  }
}

/**
 * Waits until `probe` passes or the stage's time is up, through checkpoints:
 *
 * - A stage that passed is stored (`<key>.passed`): a re-run of the task returns its value
 *   without looking again.
 * - The deadline of each round of waiting is stored when the round starts
 *   (`<key>.round<n>`): a task recovered on another replica while it waits keeps waiting until
 *   the same deadline, not a fresh timeout.
 * - A round whose stored deadline has passed is over; a retry of a task that timed out starts
 *   the next round, with a fresh deadline.
 *
 * Returns the outcome rather than throwing, so the caller words the failure.
 *
 * @public
 */
export async function waitFor<T extends JsonValue>(
  options: WaitOptions<T>,
): Promise<WaitOutcome<T>> {
  const { key, checkpoint, probe } = options;
  const clock = options.clock ?? systemClock;
  let last: WaitOutcome<T> | undefined;
  let resumed = true;
  const value = await checkpoint<T | null>({
    key: `${key}.passed`,
    fn: async () => {
      resumed = false;
      const deadline = await currentDeadline(options, clock);
      const start = deadline - options.timeoutMs;
      for (;;) {
        const result = await probe();
        if (result.done) {
          return result.value;
        }
        const waitedMs = Math.max(0, clock.now() - start);
        if (clock.now() >= deadline) {
          last = {
            passed: false,
            evidence: result.evidence,
            waitedMs,
            timeoutMs: options.timeoutMs,
          };
          // Thrown so that the checkpoint is stored as failed, which a retry does not reuse.
          throw new TimedOut();
        }
        options.onPending?.(result.evidence, waitedMs);
        await clock.sleep(
          Math.max(0, Math.min(options.intervalMs, deadline - clock.now())),
        );
      }
    },
  }).catch(e => {
    if (e instanceof TimedOut && last) {
      return null;
    }
    throw e;
  });
  if (value === null && last) {
    return last;
  }
  return { passed: true, value: value as T, resumed };
}

/** The deadline of the round in progress, or of a new round when the stored ones are over. */
async function currentDeadline(
  options: Pick<WaitOptions<JsonValue>, 'key' | 'timeoutMs' | 'checkpoint'>,
  clock: Clock,
): Promise<number> {
  for (let round = 0; round < 1000; round++) {
    let fresh = false;
    const deadline = await options.checkpoint<number>({
      key: `${options.key}.round${round}`,
      fn: () => {
        fresh = true;
        return clock.now() + options.timeoutMs;
      },
    });
    if (fresh || deadline > clock.now()) {
      return deadline;
    }
  }
  throw new Error(`Stage ${options.key} was retried more than 1000 times`);
}
