import {
  DASHBOARD_PANELS,
  fillVariables,
  PanelKey,
} from '@internal/plugin-observability-common';
import { Endpoint, getJson } from '../lib/http';
import { instantQuery } from './prometheus';
import type { CheckResult, GoldenPathTarget } from './types';
import { unavailable } from './types';

/** The panels a service's dashboard must show data in to be of use. @public */
export const MAIN_PANELS: readonly PanelKey[] = [
  'readyPods',
  'targetsUp',
  'logs',
];

/**
 * Dashboard: each main panel's queries (observability-common's, with the entity's values filled
 * in as the embedded panels fill them) return data from the data sources the dashboard reads.
 *
 * @public
 */
export async function checkDashboard(
  target: GoldenPathTarget,
  sources: { prometheus?: Endpoint; loki?: Endpoint; dashboardUrl?: string },
  now = Date.now(),
): Promise<CheckResult> {
  const id = 'dashboard' as const;
  if (!sources.prometheus) {
    return unavailable(
      id,
      'no Prometheus is configured (goldenPath.prometheus.url).',
    );
  }
  const vars = {
    cluster: target.cluster,
    namespace: target.namespace,
    app: target.app,
  };
  const empty: string[] = [];
  const skipped: string[] = [];
  for (const key of MAIN_PANELS) {
    const panel = DASHBOARD_PANELS.find(p => p.key === key)!;
    for (const q of panel.queries) {
      const expr = fillVariables(q.expr, vars);
      if (q.language === 'promql') {
        if ((await instantQuery(sources.prometheus, expr)).length === 0) {
          empty.push(`${panel.title} (${q.refId})`);
        }
      } else if (!sources.loki) {
        skipped.push(panel.title);
      } else {
        const body = await getJson<{ data: { result: unknown[] } }>(
          sources.loki,
          'Loki',
          '/loki/api/v1/query_range',
          {
            query: expr,
            limit: '1',
            start: `${BigInt(now - 3_600_000) * 1_000_000n}`,
            end: `${BigInt(now) * 1_000_000n}`,
          },
        );
        if ((body.data?.result ?? []).length === 0) {
          empty.push(`${panel.title} (${q.refId})`);
        }
      }
    }
  }
  const evidence = [{ title: 'Dashboard', url: sources.dashboardUrl }];
  if (empty.length) {
    return {
      id,
      state: 'fail',
      summary: `No data in ${empty.join(', ')}.`,
      cause:
        "The panels' queries return nothing: the series they join (kube-state-metrics kube_pod_owner and kube_replicaset_owner, up with namespace and app, the log streams) are missing for this service.",
      fix: 'See the scraped and logging checks; Ready pods also needs kube-state-metrics scraped by the same Prometheus (docs/contract.md).',
      evidence,
    };
  }
  return {
    id,
    state: 'pass',
    summary: `The main panels return data${
      skipped.length
        ? ` (not checked, no Loki configured: ${skipped.join(', ')})`
        : ''
    }.`,
    evidence,
  };
}
