import { GrafanaInstance } from './config';
import { ObservabilityTarget } from './annotations';
import {
  DashboardQuery,
  fillVariables,
} from '@internal/plugin-observability-common';

/** @public */
export type GrafanaTheme = 'light' | 'dark';

/**
 * Relative time ranges the tab offers.
 *
 * @public
 */
export const TIME_RANGES = [
  { value: '15m', label: 'Last 15 minutes' },
  { value: '1h', label: 'Last hour' },
  { value: '6h', label: 'Last 6 hours' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
] as const;

/** @public */
export type TimeRange = (typeof TIME_RANGES)[number]['value'];

/**
 * Auto-refresh intervals the tab offers; `off` disables refresh.
 *
 * @public
 */
export const REFRESH_INTERVALS = ['off', '30s', '1m', '5m'] as const;

/** @public */
export type RefreshInterval = (typeof REFRESH_INTERVALS)[number];

/** @public */
export interface PanelUrlOptions {
  theme: GrafanaTheme;
  timeRange: TimeRange;
  refresh: RefreshInterval;
}

function checkTimeRange(timeRange: string): string {
  if (!TIME_RANGES.some(r => r.value === timeRange)) {
    throw new Error(`Unsupported time range ${JSON.stringify(timeRange)}`);
  }
  return `now-${timeRange}`;
}

/**
 * Builds a URL on a configured Grafana instance. Every URL the plugin hands to the browser comes
 * from here: the path is made of encoded segments below the instance's base URL, and the result
 * is checked to still be on the instance's origin and below its base path.
 *
 * @public
 */
export function grafanaUrl(
  instance: GrafanaInstance,
  segments: string[],
  params: Array<[string, string]>,
): string {
  const base = new URL(`${instance.url}/`);
  const path = segments.map(s => encodeURIComponent(s)).join('/');
  const url = new URL(path, base);
  for (const [key, value] of params) {
    url.searchParams.append(key, value);
  }
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new Error(`Refusing to build a URL outside ${instance.url}`);
  }
  return url.toString();
}

function dashboardParams(target: ObservabilityTarget): Array<[string, string]> {
  const { instance } = target;
  return [
    ['orgId', String(instance.orgId)],
    ['var-datasource', instance.datasources.prometheus],
    ['var-loki', instance.datasources.loki],
    // All three always: the dashboard's text boxes keep exactly what the URL gives them.
    ['var-cluster', target.cluster],
    ['var-namespace', target.namespace],
    ['var-app', target.app],
  ];
}

/**
 * URL of one panel of the entity's dashboard for an iframe (`/d-solo/<uid>`).
 *
 * @public
 */
export function buildPanelUrl(
  target: ObservabilityTarget,
  panelId: number,
  options: PanelUrlOptions,
): string {
  const params: Array<[string, string]> = [
    ...dashboardParams(target),
    ['panelId', String(panelId)],
    ['from', checkTimeRange(options.timeRange)],
    ['to', 'now'],
    ['theme', options.theme],
  ];
  if (options.refresh !== 'off') {
    params.push(['refresh', options.refresh]);
  }
  return grafanaUrl(target.instance, ['d-solo', target.dashboardUid], params);
}

/**
 * URL of the whole dashboard for the entity ("Open in Grafana").
 *
 * @public
 */
export function buildDashboardUrl(
  target: ObservabilityTarget,
  timeRange: TimeRange,
): string {
  return grafanaUrl(
    target.instance,
    ['d', target.dashboardUid],
    [
      ...dashboardParams(target),
      ['from', checkTimeRange(timeRange)],
      ['to', 'now'],
    ],
  );
}

/**
 * URL of Grafana Explore with one of the dashboard's queries, the entity's label values filled
 * in (escaped) so it runs without the dashboard's variables.
 *
 * @public
 */
export function buildExploreUrl(
  target: ObservabilityTarget,
  query: DashboardQuery,
  timeRange: TimeRange,
): string {
  const { instance } = target;
  const datasource =
    query.language === 'logql'
      ? instance.datasources.loki
      : instance.datasources.prometheus;
  const expr = fillVariables(query.expr, {
    cluster: target.cluster,
    namespace: target.namespace,
    app: target.app,
    range: timeRange,
  });
  const panes = {
    a: {
      datasource,
      queries: [{ refId: 'A', expr, datasource }],
      range: { from: checkTimeRange(timeRange), to: 'now' },
    },
  };
  return grafanaUrl(
    instance,
    ['explore'],
    [
      ['schemaVersion', '1'],
      ['orgId', String(instance.orgId)],
      ['panes', JSON.stringify(panes)],
    ],
  );
}
