import { CheckId, CHECK_IDS } from '../lib/config';
import { checkBuilt } from './built';
import { checkDashboard } from './dashboard';
import { checkDeployed } from './deployed';
import { checkLogging } from './loki';
import { checkAlerts, checkScraped } from './prometheus';
import type { CheckSources } from './sources';
import type { CheckResult, GoldenPathTarget } from './types';

/** Options of one check run. @public */
export interface CheckOptions {
  /** The image tag the deployed check expects; the built run's id when it passed. */
  imageTag?: string;
  now?: number;
}

/**
 * Runs one check. An error reading a backend (refused credential, unreachable) is a failing
 * check that says so, not an exception.
 *
 * @public
 */
export async function runCheck(
  id: CheckId,
  target: GoldenPathTarget,
  sources: CheckSources,
  options: CheckOptions = {},
): Promise<CheckResult & { runId?: number; finished?: boolean }> {
  try {
    switch (id) {
      case 'built':
        return await checkBuilt(target, sources.azure);
      case 'deployed':
        return await checkDeployed(target, sources.kubernetes, {
          imageTag: options.imageTag,
          now: options.now ? new Date(options.now) : undefined,
        });
      case 'scraped':
        return await checkScraped(target, sources.prometheus);
      case 'logging':
        return await checkLogging(target, sources.loki, options.now);
      case 'dashboard':
        return await checkDashboard(
          target,
          {
            prometheus: sources.prometheus,
            loki: sources.loki,
            dashboardUrl: sources.dashboardUrl?.(target),
          },
          options.now,
        );
      case 'alerts':
        return await checkAlerts(target, sources.rules?.(target));
      default:
        throw new Error(`Unknown check ${id}`);
    }
  } catch (e) {
    return {
      id,
      state: 'fail',
      summary: `The ${id} check could not read its backend.`,
      cause: (e as Error).message,
      fix: "Check the portal's configuration for this backend and that it is reachable from the portal.",
    };
  }
}

/**
 * Every check, in the golden path's order; the deployed check expects the image of the latest
 * successful run.
 *
 * @public
 */
export async function runAllChecks(
  target: GoldenPathTarget,
  sources: CheckSources,
  options: Omit<CheckOptions, 'imageTag'> = {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let imageTag: string | undefined;
  for (const id of CHECK_IDS) {
    const result = await runCheck(id, target, sources, {
      ...options,
      imageTag,
    });
    if (id === 'built' && result.state === 'pass' && result.runId) {
      imageTag = String(result.runId);
    }
    const { runId: _r, finished: _f, ...shown } = result;
    results.push(shown);
  }
  return results;
}
