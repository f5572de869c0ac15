import type {
  Restarts,
  WorkloadHealth,
} from '@internal/plugin-kubernetes-common';
import type { JobRun } from '@internal/plugin-kubernetes-common';

/** "3 minutes ago", "2 days ago": how long before `now` the time `at` was. @public */
export function formatAge(at: string, now: Date = new Date()): string {
  const seconds = Math.round((new Date(at).getTime() - now.getTime()) / 1000);
  const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) {
      return rtf.format(Math.trunc(seconds / size), unit);
    }
  }
  return rtf.format(seconds, 'second');
}

/**
 * "2 in the last hour (7 since the pods started)": recent restarts, named with their window.
 * "at least" when Kubernetes' counts cannot say exactly how many were recent.
 */
export function formatRestarts(
  restarts: Restarts,
  windowLabel: string,
): string {
  const recent =
    restarts.recent === 0
      ? `none in ${windowLabel}`
      : `${restarts.recentIsExact ? '' : 'at least '}${
          restarts.recent
        } in ${windowLabel}`;
  return restarts.total > restarts.recent
    ? `${recent} (${restarts.total} since the pods started)`
    : recent;
}

/** "2/3 pods ready (1 starting, 1 shutting down)". */
export function formatReady(workload: WorkloadHealth): string {
  const extra = [
    workload.starting > 0 ? `${workload.starting} starting` : undefined,
    workload.terminating > 0
      ? `${workload.terminating} shutting down`
      : undefined,
  ].filter(Boolean);
  return `${workload.ready}/${workload.desired} pods ready${
    extra.length > 0 ? ` (${extra.join(', ')})` : ''
  }`;
}

const RUN_OUTCOME: Record<JobRun['outcome'], string> = {
  running: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
};

/**
 * A CronJob's earlier failed runs, which no longer count against it:
 * "report-29926920 failed 1 hour ago" or "2 failed, the latest report-29926920 1 hour ago".
 */
export function formatEarlierFailures(
  runs: JobRun[],
  now: Date = new Date(),
): string {
  const [latest] = runs;
  const age = latest.at ? ` ${formatAge(latest.at, now)}` : '';
  return runs.length === 1
    ? `${latest.job} failed${age}`
    : `${runs.length} failed, the latest ${latest.job}${age}`;
}

/** "succeeded 23 minutes ago (report-29926980)". */
export function formatRun(run: JobRun, now: Date = new Date()): string {
  return `${RUN_OUTCOME[run.outcome]}${
    run.at ? ` ${formatAge(run.at, now)}` : ''
  } (${run.job})`;
}
