import { fakeCheckpoints, fakeClock } from '../__testUtils__/fakes';
import { ProbeResult, waitFor } from './poller';

const MINUTE = 60_000;

/** A probe that passes on its `passOn`-th look (1-based), counting looks. */
function countingProbe(passOn: number) {
  const probe = Object.assign(
    async (): Promise<ProbeResult<string>> => {
      probe.looks++;
      return probe.looks >= passOn
        ? { done: true, value: `passed on look ${probe.looks}` }
        : { done: false, evidence: `look ${probe.looks}: not yet` };
    },
    { looks: 0 },
  );
  return probe;
}

describe('waitFor', () => {
  it('looks every interval until the probe passes and returns its value', async () => {
    const clock = fakeClock();
    const { checkpoint } = fakeCheckpoints();
    const probe = countingProbe(3);
    const pending: string[] = [];
    const outcome = await waitFor({
      key: 'rollout',
      timeoutMs: 10 * MINUTE,
      intervalMs: 15_000,
      probe,
      checkpoint,
      clock,
      onPending: evidence => pending.push(evidence),
    });
    expect(outcome).toEqual({
      passed: true,
      value: 'passed on look 3',
      resumed: false,
    });
    expect(clock.slept).toEqual([15_000, 15_000]);
    expect(pending).toEqual(['look 1: not yet', 'look 2: not yet']);
  });

  it('gives up at the deadline with the last evidence, never sleeping past it', async () => {
    const clock = fakeClock();
    const { checkpoint } = fakeCheckpoints();
    const outcome = await waitFor({
      key: 'scrape',
      timeoutMs: 40_000,
      intervalMs: 15_000,
      probe: countingProbe(Infinity),
      checkpoint,
      clock,
    });
    expect(outcome).toEqual({
      passed: false,
      evidence: 'look 4: not yet',
      waitedMs: 40_000,
      timeoutMs: 40_000,
    });
    expect(clock.slept).toEqual([15_000, 15_000, 10_000]);
  });

  it('does not look again at a stage that passed when the task runs again', async () => {
    const clock = fakeClock();
    const { checkpoint, store } = fakeCheckpoints();
    await waitFor({
      key: 'build',
      timeoutMs: MINUTE,
      intervalMs: 1000,
      probe: countingProbe(2),
      checkpoint,
      clock,
    });
    const again = countingProbe(1);
    const outcome = await waitFor({
      key: 'build',
      timeoutMs: MINUTE,
      intervalMs: 1000,
      probe: again,
      checkpoint: fakeCheckpoints(store).checkpoint,
      clock,
    });
    expect(again.looks).toBe(0);
    expect(outcome).toEqual({
      passed: true,
      value: 'passed on look 2',
      resumed: true,
    });
  });

  it('keeps the deadline of a wait that a lost replica started: the recovered task waits only the time left', async () => {
    const clock = fakeClock();
    const store = new Map();
    // The first replica starts waiting and dies after two looks (its probe never returns).
    const dying = fakeCheckpoints(store);
    let looks = 0;
    void waitFor({
      key: 'rollout',
      timeoutMs: 10 * MINUTE,
      intervalMs: MINUTE,
      probe: () => {
        looks++;
        return looks < 3
          ? Promise.resolve({ done: false, evidence: 'starting' })
          : new Promise<never>(() => {});
      },
      checkpoint: dying.checkpoint,
      clock,
    });
    await new Promise(r => setImmediate(r));
    expect(looks).toBe(3);
    // Another replica picks the task up seven minutes into the wait.
    clock.advance(5 * MINUTE);
    const resumedClock = clock;
    resumedClock.slept.length = 0;
    const outcome = await waitFor({
      key: 'rollout',
      timeoutMs: 10 * MINUTE,
      intervalMs: MINUTE,
      probe: countingProbe(Infinity),
      checkpoint: fakeCheckpoints(store).checkpoint,
      clock: resumedClock,
    });
    expect(outcome).toMatchObject({ passed: false, waitedMs: 10 * MINUTE });
    expect(resumedClock.slept).toEqual([MINUTE, MINUTE, MINUTE]);
  });

  it('gives a retry of a stage that timed out a fresh deadline', async () => {
    const clock = fakeClock();
    const store = new Map();
    const first = await waitFor({
      key: 'logs',
      timeoutMs: 2 * MINUTE,
      intervalMs: MINUTE,
      probe: countingProbe(Infinity),
      checkpoint: fakeCheckpoints(store).checkpoint,
      clock,
    });
    expect(first.passed).toBe(false);
    clock.slept.length = 0;
    const retry = countingProbe(3);
    const second = await waitFor({
      key: 'logs',
      timeoutMs: 2 * MINUTE,
      intervalMs: MINUTE,
      probe: retry,
      checkpoint: fakeCheckpoints(store).checkpoint,
      clock,
    });
    expect(second).toEqual({
      passed: true,
      value: 'passed on look 3',
      resumed: false,
    });
    expect(store.has('logs.round1')).toBe(true);
  });

  it('lets an error of the probe through instead of waiting on', async () => {
    const { checkpoint } = fakeCheckpoints();
    await expect(
      waitFor({
        key: 'build',
        timeoutMs: MINUTE,
        intervalMs: 1000,
        probe: () => Promise.reject(new Error('Azure DevOps answered 401')),
        checkpoint,
        clock: fakeClock(),
      }),
    ).rejects.toThrow('Azure DevOps answered 401');
  });
});
