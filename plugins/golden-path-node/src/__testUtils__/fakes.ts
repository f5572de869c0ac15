import type { JsonValue } from '@backstage/types';
import type { Checkpoint, Clock } from '../lib/poller';

/** A clock whose time moves only when something sleeps on it. */
export function fakeClock(start = Date.parse('2026-12-07T09:00:00Z')) {
  let now = start;
  const clock: Clock & { advance(ms: number): void; slept: number[] } = {
    now: () => now,
    sleep: async ms => {
      clock.slept.push(ms);
      now += ms;
    },
    advance: ms => {
      now += ms;
    },
    slept: [],
  };
  return clock;
}

/**
 * Checkpoints as the scaffolder keeps them in the task's state (NunjucksWorkflowRunner in
 * @backstage/plugin-scaffolder-backend): a stored success is returned without running `fn`; a
 * failure is recorded but runs `fn` again next time. `store` survives between "attempts", as the
 * task's state does in the database.
 */
export function fakeCheckpoints(
  store = new Map<
    string,
    { status: 'success' | 'failed'; value?: JsonValue }
  >(),
) {
  const runs: string[] = [];
  const checkpoint: Checkpoint = async ({ key, fn }) => {
    const prev = store.get(key);
    if (prev?.status === 'success') {
      return prev.value as any;
    }
    runs.push(key);
    try {
      const value = await fn();
      store.set(key, { status: 'success', value: value as JsonValue });
      return value;
    } catch (e) {
      store.set(key, { status: 'failed' });
      throw e;
    }
  };
  return { checkpoint, store, runs };
}
