import type { JsonValue } from '@backstage/types';
import { CheckId, CHECK_IDS, WaitSettings } from '../lib/config';
import { Checkpoint, Clock, systemClock, waitFor } from '../lib/poller';
import { runCheck } from './runChecks';
import type { CheckSources } from './sources';
import type { CheckResult, Evidence, GoldenPathTarget } from './types';

/** How one stage of {@link verifyGoldenPath} ended. @public */
export interface StageOutcome {
  id: CheckId;
  /** `skipped`: not looked at, because an earlier stage failed. */
  state: 'pass' | 'unavailable' | 'fail' | 'skipped';
  result?: CheckResult;
  /** True when a stored pass was reused instead of looking again (a recovered or retried task). */
  resumed?: boolean;
  /** How long the stage waited before it failed, and how long it was allowed to. */
  waitedMs?: number;
  timeoutMs?: number;
}

/** @public */
export interface VerifyOutcome {
  passed: boolean;
  stages: StageOutcome[];
  /** The stage that failed, when one did. */
  failed?: StageOutcome & { result: CheckResult };
}

/** @public */
export interface VerifyOptions {
  target: GoldenPathTarget;
  sources: CheckSources;
  settings: WaitSettings;
  /** The scaffolder's `ctx.checkpoint`; stages that passed are stored there. */
  checkpoint: Checkpoint;
  clock?: Clock;
  /**
   * The tag the rollout must run; by default the id of the run that built it (the service
   * template's pipeline tags the image with `$(Build.BuildId)`, which is the run's id).
   */
  imageTag?: string;
  /** Told one line per stage as it passes, cannot be checked, or fails, and when a wait changes. */
  log(line: string): void;
  /** The stages to follow, in order; all six by default. */
  stages?: readonly CheckId[];
}

/** A failure that waiting will not mend: a pipeline run that finished without success. */
class StageFailed extends Error {
  constructor(readonly result: CheckResult) {
    super(result.summary);
  }
}

const minutes = (ms: number) =>
  ms >= 60_000
    ? `${Math.round(ms / 6_000) / 10} min`
    : `${Math.round(ms / 1000)} s`;

const links = (evidence?: Evidence[]) =>
  (evidence ?? [])
    .filter(e => e.url)
    .map(e => `${e.title}: ${e.url}`)
    .join('; ');

/** What a check result is worth storing: its JSON, without the built check's bookkeeping. */
function stored(result: CheckResult & { runId?: number; finished?: boolean }) {
  return JSON.parse(JSON.stringify(result)) as JsonValue;
}

/** Waits for one stage; `last` is the last result seen, for the wording of a failure. */
async function waitForStage(
  id: CheckId,
  options: VerifyOptions,
  clock: Clock,
  imageTag: string | undefined,
) {
  const { target, sources, settings, checkpoint, log } = options;
  const timeoutMs = settings.timeoutsMs[id];
  let last: CheckResult | undefined;
  let lastSaid = '';
  const outcome = await waitFor<JsonValue>({
    key: `golden-path.${id}`,
    timeoutMs,
    intervalMs: settings.intervalMs,
    checkpoint,
    clock,
    probe: async () => {
      const result = await runCheck(id, target, sources, {
        imageTag,
        now: clock.now(),
      });
      last = result;
      if (result.state !== 'fail') {
        return { done: true, value: stored(result) };
      }
      if (id === 'built' && result.finished) {
        // Thrown so that the stage is stored as failed: a retry after a new run looks again.
        throw new StageFailed(result);
      }
      return {
        done: false,
        evidence: `${result.summary}${
          result.cause ? ` (${result.cause})` : ''
        }`,
      };
    },
    onPending: (evidence, waitedMs) => {
      // One line when what is seen changes, not one per look.
      if (evidence !== lastSaid) {
        lastSaid = evidence;
        log(
          `${id}: waiting (${minutes(waitedMs)} of ${minutes(
            timeoutMs,
          )}): ${evidence}`,
        );
      }
    },
  }).catch(e => {
    if (e instanceof StageFailed) {
      return { passed: false as const, terminal: e.result };
    }
    throw e;
  });
  return { outcome, last: last as CheckResult | undefined };
}

/**
 * Follows a new service through the golden path's stages, in order: built (the pipeline run),
 * deployed (the rollout at the run's image), scraped, logging, dashboard, alerts. Each stage
 * waits through {@link waitFor} up to its configured timeout, so that a stage that passed is not
 * looked at again when the task is recovered or retried, and a recovered wait keeps its
 * deadline. A stage the portal cannot check (nothing configured for it) says so and the next one
 * starts. The first stage that fails ends the walk: its result names the cause and the fix; the
 * stages after it are skipped. Nothing is changed anywhere: every stage only reads.
 *
 * @public
 */
export async function verifyGoldenPath(
  options: VerifyOptions,
): Promise<VerifyOutcome> {
  const { log } = options;
  const clock = options.clock ?? systemClock;
  const stages: StageOutcome[] = [];
  let imageTag = options.imageTag;
  let failed: VerifyOutcome['failed'];

  for (const id of options.stages ?? CHECK_IDS) {
    if (failed) {
      stages.push({ id, state: 'skipped' });
      continue;
    }
    const { outcome, last } = await waitForStage(id, options, clock, imageTag);

    if ('terminal' in outcome) {
      failed = { id, state: 'fail', result: outcome.terminal };
    } else if (!outcome.passed) {
      const result: CheckResult = last ?? {
        id,
        state: 'fail',
        summary: outcome.evidence,
      };
      failed = {
        id,
        state: 'fail',
        result,
        waitedMs: outcome.waitedMs,
        timeoutMs: outcome.timeoutMs,
      };
    }
    if (failed) {
      stages.push(failed);
      const r = failed.result;
      log(
        `${id}: FAILED${
          failed.timeoutMs ? ` after ${minutes(failed.timeoutMs)}` : ''
        }: ${r.summary}${r.cause ? ` Cause: ${r.cause}` : ''}${
          r.fix ? ` Fix: ${r.fix}` : ''
        }${links(r.evidence) ? ` Evidence: ${links(r.evidence)}` : ''}`,
      );
      continue;
    }
    const passed = outcome as { value: JsonValue; resumed: boolean };
    const result = passed.value as unknown as CheckResult & { runId?: number };
    if (id === 'built' && result.state === 'pass' && result.runId) {
      imageTag ??= String(result.runId);
    }
    const {
      runId: _r,
      finished: _f,
      ...shown
    } = result as CheckResult & {
      runId?: number;
      finished?: boolean;
    };
    stages.push({
      id,
      state: shown.state as 'pass' | 'unavailable',
      result: shown,
      resumed: passed.resumed,
    });
    log(
      `${id}: ${shown.state === 'pass' ? 'passed' : 'not checked'}${
        passed.resumed ? ' (before the task was resumed)' : ''
      }: ${shown.summary}${
        links(shown.evidence) ? ` (${links(shown.evidence)})` : ''
      }`,
    );
  }
  return { passed: !failed, stages, ...(failed ? { failed } : {}) };
}
