import type { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CheckResult,
  CheckSources,
  runAllChecks,
  targetOfEntity,
} from '@internal/plugin-golden-path-node';
import type { CheckStateStore } from '../lib/checkStates';
import { NOT_CONFIGURED } from './sources';

/** One check as the card shows it. @public */
export type CardCheck = CheckResult & {
  /** When the check entered its current state (ISO 8601), as far as the portal has seen. */
  since: string;
};

/** The answer for one entity. @public */
export interface GoldenPathReport {
  entityRef: string;
  /** When the checks ran (ISO 8601). */
  checkedAt: string;
  /** In the golden path's order. */
  checks: CardCheck[];
  /** The first check that fails, whose cause and fix the card shows. */
  firstFailing?: CardCheck['id'];
  /**
   * True when the portal has none of the checks' sources (Azure DevOps, a cluster, Prometheus,
   * Loki, Grafana): every check says "cannot check", and the card says so once instead.
   */
  noSourceConfigured: boolean;
}

/** @public */
export interface GoldenPathServiceOptions {
  sources: () => Promise<CheckSources>;
  store: CheckStateStore;
  /** How long a report is served again before the checks run anew. */
  maxAgeMs: number;
  now?: () => number;
}

/**
 * Runs the six checks for an entity, remembers since when each holds or fails, and reuses a
 * recent answer (per replica, in memory) so that many page views do not each query every backend.
 * Concurrent requests for one entity share one round of checks.
 *
 * @public
 */
export class GoldenPathService {
  private readonly options: GoldenPathServiceOptions;
  private readonly recent = new Map<
    string,
    { at: number; report: Promise<GoldenPathReport> }
  >();

  constructor(options: GoldenPathServiceOptions) {
    this.options = options;
  }

  async reportFor(
    entity: Entity,
    { fresh }: { fresh: boolean },
  ): Promise<GoldenPathReport> {
    const found = targetOfEntity(entity);
    if ('missing' in found) {
      throw new InputError(
        `The entity has no golden path to check: it lacks the annotation(s) ${found.missing.join(
          ', ',
        )}, which the service template writes.`,
      );
    }
    const { target } = found;
    const now = this.options.now ?? Date.now;
    const cached = this.recent.get(target.entityRef);
    if (!fresh && cached && now() - cached.at < this.options.maxAgeMs) {
      return cached.report;
    }
    const report = this.run(target.entityRef, target);
    this.recent.set(target.entityRef, { at: now(), report });
    report.catch(() => this.recent.delete(target.entityRef));
    return report;
  }

  private async run(
    entityRef: string,
    target: Parameters<typeof runAllChecks>[0],
  ): Promise<GoldenPathReport> {
    const now = this.options.now ?? Date.now;
    const sources = await this.options.sources();
    const checkedAt = now();
    const results = (
      await runAllChecks(target, sources, { now: checkedAt })
    ).map(r => explainUnavailable(r, target, sources));
    const since = await this.options.store.record(
      entityRef,
      results,
      new Date(checkedAt),
    );
    const checks = results.map(r => ({ ...r, since: since[r.id] }));
    return {
      entityRef,
      checkedAt: new Date(checkedAt).toISOString(),
      checks,
      firstFailing: checks.find(c => c.state === 'fail')?.id,
      noSourceConfigured: Object.values(sources).every(s => s === undefined),
    };
  }
}

/** Names this plugin's own setting where a check cannot run for want of it. */
function explainUnavailable(
  result: CheckResult,
  target: Parameters<typeof runAllChecks>[0],
  sources: CheckSources,
): CheckResult {
  if (result.state !== 'unavailable') {
    return result;
  }
  if (result.id === 'built' && target.pipeline && !sources.azure) {
    return { ...result, summary: NOT_CONFIGURED.azure };
  }
  if (result.id === 'deployed' && !sources.kubernetes) {
    return { ...result, summary: NOT_CONFIGURED.kubernetes };
  }
  return result;
}
