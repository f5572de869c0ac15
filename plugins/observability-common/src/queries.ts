import { escapeQueryString } from './escape';
import { podsOfWorkloads } from './workload';

/*
 * The queries of the service overview dashboard. They are written once, with Grafana's template
 * variables, and used by the dashboard generator (src/dashboard), by the plugin's "Explore" link
 * (variables filled in from the entity) and by the tests that parse them and evaluate them on a
 * real Prometheus server.
 *
 * `$cluster`, `$namespace` and `$app` only ever appear inside double-quoted string literals, so
 * filling them in means writing an escaped string.
 *
 * Every Prometheus selector also matches `cluster="$cluster"`: where series of several clusters
 * carry a `cluster` label, the dashboard shows one cluster at a time instead of summing them. Where
 * there is no such label the variable has no values, Grafana fills in an empty string, and
 * `cluster=""` matches exactly the series without the label.
 *
 * Series and labels follow docs/contract.md: the app's own series (and `up`) carry `app`,
 * `namespace`, `pod`, `container`. cAdvisor and kube-state-metrics series are per pod and have no
 * `app` label; they are joined on (namespace, pod) with the service's live pods, found through
 * their Deployment (./workload.ts), which needs no kube-state-metrics label allowlist.
 *
 * Logs are selected by `namespace` and `service_name`: the one stream label both reference log
 * agents end up with for a pod labelled app.kubernetes.io/name (docs/observability.md, "Logs").
 */

/** @public */
export type QueryLanguage = 'promql' | 'logql';

/** @public */
export interface DashboardQuery {
  refId: string;
  language: QueryLanguage;
  expr: string;
  legendFormat?: string;
}

/** @public */
export type PanelKind = 'timeseries' | 'stat' | 'logs';

/** @public */
export interface DashboardPanel {
  /** Grafana panel id; the plugin embeds panels by this id. */
  id: number;
  key: PanelKey;
  title: string;
  description: string;
  kind: PanelKind;
  unit?: string;
  queries: DashboardQuery[];
  /**
   * The first version of the service template whose code provides what the panel reads (its
   * metrics, labels, log fields); the portal provisions it only for services at that version or
   * later (./templateVersions.ts).
   */
  since: string;
}

/** @public */
export type PanelKey =
  | 'readyPods'
  | 'restarts'
  | 'targetsUp'
  | 'errorLogs'
  | 'cpu'
  | 'memory'
  | 'pageViews'
  | 'interactions'
  | 'renderTime'
  | 'logVolume'
  | 'logs';

const APP_PODS = podsOfWorkloads(
  'cluster="$cluster", namespace="$namespace"',
  '"$app"',
);

/** Restricts a per-pod vector to the pods of the app. */
const forAppPods = (vector: string) =>
  `${vector} * on (namespace, pod) group_left () ${APP_PODS}`;

const CONTAINERS =
  'cluster="$cluster", namespace="$namespace", container!="", container!="POD"';
const APP = 'cluster="$cluster", namespace="$namespace", app="$app"';
/**
 * The stream label the log queries select the service by. Grafana Alloy through the k8s-monitoring
 * chart sets `service_name` from the pod label app.kubernetes.io/name; Loki 3 derives
 * `service_name` from the `app` label the Promtail chart sets from that same pod label.
 *
 * @public
 */
export const LOG_SERVICE_LABEL = 'service_name';
const LOG_STREAM = `{namespace="$namespace", ${LOG_SERVICE_LABEL}="$app"}`;

const promql = (
  refId: string,
  expr: string,
  legendFormat?: string,
): DashboardQuery => ({ refId, language: 'promql', expr, legendFormat });

const logql = (
  refId: string,
  expr: string,
  legendFormat?: string,
): DashboardQuery => ({ refId, language: 'logql', expr, legendFormat });

/**
 * The panels of the service overview dashboard, in layout order.
 *
 * @public
 */
export const DASHBOARD_PANELS: readonly DashboardPanel[] = [
  {
    id: 1,
    key: 'readyPods',
    since: '1.0.0',
    title: 'Ready pods',
    description:
      'Pods of the service that pass their readiness probe, out of all its pods.',
    kind: 'stat',
    unit: 'none',
    queries: [
      promql(
        'A',
        `sum(${forAppPods(
          'kube_pod_status_ready{cluster="$cluster", namespace="$namespace", condition="true"}',
        )})`,
        'ready',
      ),
      promql('B', `count(${APP_PODS})`, 'pods'),
    ],
  },
  {
    id: 2,
    key: 'restarts',
    since: '1.0.0',
    title: 'Container restarts',
    description:
      'Container restarts of the service in the selected time range.',
    kind: 'stat',
    unit: 'none',
    queries: [
      promql(
        'A',
        `sum(${forAppPods(
          'increase(kube_pod_container_status_restarts_total{cluster="$cluster", namespace="$namespace"}[$__range])',
        )})`,
        'restarts',
      ),
    ],
  },
  {
    id: 3,
    key: 'targetsUp',
    since: '1.0.0',
    title: 'Metrics targets up',
    description:
      'Pods whose /metrics endpoint Prometheus scraped successfully.',
    kind: 'stat',
    unit: 'none',
    queries: [promql('A', `sum(up{${APP}})`, 'up')],
  },
  {
    id: 4,
    key: 'errorLogs',
    since: '1.0.0',
    title: 'Error logs',
    description:
      'Log lines at level error or critical in the selected time range.',
    kind: 'stat',
    unit: 'none',
    queries: [
      logql(
        'A',
        `sum(count_over_time(${LOG_STREAM} | json | level=~"error|critical" [$__range]))`,
        'errors',
      ),
    ],
  },
  {
    id: 5,
    key: 'cpu',
    since: '1.0.0',
    title: 'CPU',
    description:
      'CPU used by the containers of the service, against their requests and limits.',
    kind: 'timeseries',
    unit: 'cores',
    queries: [
      promql(
        'A',
        `sum(${forAppPods(
          `rate(container_cpu_usage_seconds_total{${CONTAINERS}}[$__rate_interval])`,
        )})`,
        'used',
      ),
      promql(
        'B',
        `sum(${forAppPods(
          'kube_pod_container_resource_requests{cluster="$cluster", namespace="$namespace", resource="cpu"}',
        )})`,
        'requested',
      ),
      promql(
        'C',
        `sum(${forAppPods(
          'kube_pod_container_resource_limits{cluster="$cluster", namespace="$namespace", resource="cpu"}',
        )})`,
        'limit',
      ),
    ],
  },
  {
    id: 6,
    key: 'memory',
    since: '1.0.0',
    title: 'Memory',
    description:
      'Working set of the containers of the service (what the OOM killer looks at), against the limit.',
    kind: 'timeseries',
    unit: 'bytes',
    queries: [
      promql(
        'A',
        `sum(${forAppPods(
          `container_memory_working_set_bytes{${CONTAINERS}}`,
        )})`,
        'working set',
      ),
      promql(
        'B',
        `sum(${forAppPods(
          'kube_pod_container_resource_requests{cluster="$cluster", namespace="$namespace", resource="memory"}',
        )})`,
        'requested',
      ),
      promql(
        'C',
        `sum(${forAppPods(
          'kube_pod_container_resource_limits{cluster="$cluster", namespace="$namespace", resource="memory"}',
        )})`,
        'limit',
      ),
    ],
  },
  {
    id: 7,
    key: 'pageViews',
    since: '1.0.0',
    title: 'Page views',
    description: 'Page views per second, by page (dashboard_page_views_total).',
    kind: 'timeseries',
    unit: 'reqps',
    queries: [
      promql(
        'A',
        `sum by (page) (rate(dashboard_page_views_total{${APP}}[$__rate_interval]))`,
        '{{page}}',
      ),
    ],
  },
  {
    id: 8,
    key: 'interactions',
    since: '1.0.0',
    title: 'Widget interactions',
    description:
      'Widget interactions per second, by widget (dashboard_interactions_total).',
    kind: 'timeseries',
    unit: 'ops',
    queries: [
      promql(
        'A',
        `sum by (widget) (rate(dashboard_interactions_total{${APP}}[$__rate_interval]))`,
        '{{widget}}',
      ),
    ],
  },
  {
    id: 9,
    key: 'renderTime',
    since: '1.0.0',
    title: 'Render time',
    description:
      'Median and 95th percentile page render time, by page (dashboard_render_seconds).',
    kind: 'timeseries',
    unit: 's',
    queries: [
      promql(
        'A',
        `histogram_quantile(0.5, sum by (le, page) (rate(dashboard_render_seconds_bucket{${APP}}[$__rate_interval])))`,
        'p50 {{page}}',
      ),
      promql(
        'B',
        `histogram_quantile(0.95, sum by (le, page) (rate(dashboard_render_seconds_bucket{${APP}}[$__rate_interval])))`,
        'p95 {{page}}',
      ),
    ],
  },
  {
    id: 10,
    key: 'logVolume',
    since: '1.0.0',
    title: 'Log volume by level',
    description:
      'Log lines per interval, by the level field of the JSON log line.',
    kind: 'timeseries',
    unit: 'short',
    queries: [
      logql(
        'A',
        `sum by (level) (count_over_time(${LOG_STREAM} | json | __error__="" [$__interval]))`,
        '{{level}}',
      ),
    ],
  },
  {
    id: 11,
    key: 'logs',
    since: '1.0.0',
    title: 'Logs',
    description: 'The log lines of every container of the service.',
    kind: 'logs',
    queries: [logql('A', LOG_STREAM)],
  },
];

/**
 * The dashboard's variables that pin its panels to one service. They are text boxes, hidden: the
 * portal passes their values in the panel URL (`var-cluster`, `var-namespace`, `var-app`), and a
 * text box keeps the value it was given. A query variable would not: Grafana re-validates it
 * against its options on every refresh and replaces a value that is not among them by the first
 * option, or by `''` when there are none (grafana/scenes `MultiValueVariable.ts`,
 * `getStateUpdateGivenNewOptions`), which switched embedded panels to another service or to a
 * whole namespace.
 *
 * @public
 */
export const PINNED_VARIABLES = ['cluster', 'namespace', 'app'] as const;

/** @public */
export const LOG_STREAM_SELECTOR = LOG_STREAM;

/**
 * Values for the variables of a query. Interval variables are written verbatim (they are
 * durations chosen by the caller); label values are escaped.
 *
 * @public
 */
export interface QueryVariables {
  /** Defaults to the empty string: series without a `cluster` label. */
  cluster?: string;
  namespace: string;
  app: string;
  /** Defaults to `5m`. */
  rateInterval?: string;
  /** Defaults to `1m`. */
  interval?: string;
  /** Defaults to `1h`. */
  range?: string;
}

const DURATION = /^[0-9]+(?:ms|s|m|h|d|w|y)$/;

/**
 * Fills Grafana's variables into a query template the way Grafana would, but with the label
 * values escaped for the string literal they sit in.
 *
 * @public
 */
export function fillVariables(template: string, vars: QueryVariables): string {
  const durations: Record<string, string> = {
    __rate_interval: vars.rateInterval ?? '5m',
    __interval: vars.interval ?? '1m',
    __range: vars.range ?? '1h',
  };
  for (const [name, value] of Object.entries(durations)) {
    if (!DURATION.test(value)) {
      throw new Error(
        `Invalid duration for $${name}: ${JSON.stringify(value)}`,
      );
    }
  }
  // `$1` in label_replace is a regex group, not a variable (Grafana leaves it alone too).
  return template.replace(/\$([A-Za-z_]\w*)/g, (_match, name: string) => {
    if (name === 'cluster') return escapeQueryString(vars.cluster ?? '');
    if (name === 'namespace') return escapeQueryString(vars.namespace);
    if (name === 'app') return escapeQueryString(vars.app);
    if (name in durations) return durations[name];
    throw new Error(`Unknown variable $${name} in query template`);
  });
}

/**
 * Looks up a dashboard panel by key.
 *
 * @public
 */
export function getPanel(key: PanelKey): DashboardPanel {
  const panel = DASHBOARD_PANELS.find(p => p.key === key);
  if (!panel) {
    throw new Error(`No dashboard panel ${key}`);
  }
  return panel;
}
