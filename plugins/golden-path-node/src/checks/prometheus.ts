import { escapeQueryString } from '@internal/plugin-observability-common';
import { Endpoint, getJson } from '../lib/http';
import type { CheckResult, GoldenPathTarget } from './types';
import { unavailable } from './types';

/*
 * Prometheus' HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/): instant
 * queries (`/api/v1/query`), targets (`/api/v1/targets`) and rules (`/api/v1/rules`). Grafana's
 * data source proxy (`/api/datasources/proxy/uid/<uid>`) passes the same paths through, so the
 * endpoint may be either.
 */

interface Envelope<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
}

/** One series of an instant vector. */
export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Runs one instant query; the series it returned. */
export async function instantQuery(
  prometheus: Endpoint,
  expr: string,
): Promise<Sample[]> {
  const body = await getJson<
    Envelope<{ resultType: string; result: Sample[] }>
  >(prometheus, 'Prometheus', '/api/v1/query', { query: expr });
  if (body.status !== 'success') {
    throw new Error(`Prometheus refused the query ${expr}: ${body.error}`);
  }
  return body.data.result;
}

interface Target {
  labels: Record<string, string>;
  scrapePool: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
}

const selectorOf = (target: GoldenPathTarget) =>
  `namespace="${escapeQueryString(target.namespace)}", app="${escapeQueryString(
    target.app,
  )}"`;

const labelsText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/**
 * Scraped: Prometheus has an active target for the service's pods (labels `namespace` and
 * `app`, docs/contract.md) that was scraped successfully, and `up` is stored for it. When there
 * is none it tells apart a PodMonitor Prometheus did not select (no scrape pool for it) from one
 * that selects no pod, and a target that is down (its last error).
 *
 * @public
 */
export async function checkScraped(
  target: GoldenPathTarget,
  prometheus: Endpoint | undefined,
): Promise<CheckResult> {
  const id = 'scraped' as const;
  if (!prometheus) {
    return unavailable(
      id,
      'no Prometheus is configured (goldenPath.prometheus.url).',
    );
  }
  const body = await getJson<Envelope<{ activeTargets: Target[] }>>(
    prometheus,
    'Prometheus',
    '/api/v1/targets',
    { state: 'active' },
  );
  const all = body.data.activeTargets;
  const mine = all.filter(
    t => t.labels.namespace === target.namespace && t.labels.app === target.app,
  );
  const poolPrefix = `podMonitor/${target.namespace}/${target.app}/`;
  const pool =
    mine[0]?.scrapePool ??
    all.find(t => t.scrapePool.startsWith(poolPrefix))?.scrapePool;
  const evidence = [
    {
      title: 'Prometheus targets',
      url: `${prometheus.url.replace(/\/+$/, '')}/targets${
        pool ? `?scrapePool=${encodeURIComponent(pool)}` : ''
      }`,
    },
  ];
  const labels = target.podMonitorLabels;
  if (mine.length === 0) {
    if (!pool) {
      return {
        id,
        state: 'fail',
        summary: `No scrape target for the pods of ${target.app} in ${target.namespace}.`,
        cause: `No scrape target for these pods: Prometheus has no scrape pool for the PodMonitor ${
          target.namespace
        }/${target.app}, so it did not select it${
          labels ? ` (its labels: ${labelsText(labels)})` : ''
        }: the PodMonitor lacks the label your Prometheus selects.`,
        fix: `Give the PodMonitor the labels of your Prometheus' podMonitorSelector (kubectl get prometheus -A -o jsonpath='{..podMonitorSelector}'; kube-prometheus-stack selects release=<its Helm release>) in the form's "PodMonitor labels", or in kubernetes/podmonitor.yaml, and push to main.`,
        evidence,
      };
    }
    return {
      id,
      state: 'fail',
      summary: `The PodMonitor's scrape pool ${pool} has no target among the pods of ${target.app}.`,
      cause:
        'Prometheus selected the PodMonitor, but its selector or port name matches no running pod of the service.',
      fix: 'The PodMonitor must select app.kubernetes.io/name of the service and the container port named metrics (docs/contract.md).',
      evidence,
    };
  }
  const up = mine.filter(t => t.health === 'up');
  if (up.length === 0) {
    const t = mine[0];
    return {
      id,
      state: 'fail',
      summary: `${mine.length} target(s) of ${target.app}, none up.`,
      cause: `Scraping ${t.scrapeUrl} failed${
        t.lastError ? `: ${t.lastError}` : ' (not scraped yet)'
      }.`,
      fix: 'The app must serve /metrics on the metrics port (9102) from the start (docs/contract.md); check the container port and the NetworkPolicy.',
      evidence,
    };
  }
  const stored = await instantQuery(
    prometheus,
    `up{${selectorOf(target)}} == 1`,
  );
  if (stored.length === 0) {
    return {
      id,
      state: 'fail',
      summary: `${up.length} target(s) up, but no up series with namespace and app labels is stored.`,
      cause:
        'The scrape does not copy app.kubernetes.io/name to the app label.',
      fix: 'Add the relabeling of kubernetes/podmonitor.yaml (or docs/observability.md for a plain Prometheus).',
      evidence,
    };
  }
  return {
    id,
    state: 'pass',
    summary: `${up.length} of ${mine.length} target(s) up; last scrape ${up[0].lastScrape}.`,
    evidence,
  };
}

/** A rule as the rules API lists it (Prometheus, and Grafana's Prometheus-compatible API). */
interface Rule {
  name: string;
  health: string;
  lastError?: string;
  lastEvaluation?: string;
  type?: string;
}

/** Where the entity's alert rules are evaluated and how its group is named there. @public */
export interface RulesSource {
  /** `/api/v1/rules` of Prometheus, or Grafana's `/api/prometheus/grafana/api/v1/rules`. */
  endpoint: Endpoint;
  path: string;
  /** `Prometheus` or `Grafana`, for the messages. */
  service: string;
  /** Whether a group is the entity's. */
  groupOf(group: {
    name: string;
    file?: string;
    rules: { name: string }[];
  }): boolean;
  /** The rules the group must hold (alert names, or the titles Grafana gives them). */
  expected: string[];
  /** Link to where a person sees the rules. */
  url: string;
}

const NEVER = /^0001-01-01/;

/**
 * Alerts: the entity's rule group is loaded, holds every expected rule, and each was evaluated
 * (a `lastEvaluation` other than the zero time) without error.
 *
 * @public
 */
export async function checkAlerts(
  target: GoldenPathTarget,
  source: RulesSource | undefined,
): Promise<CheckResult> {
  const id = 'alerts' as const;
  if (!source) {
    return unavailable(
      id,
      'no rules API is configured (goldenPath.grafana for Grafana-managed rules, or goldenPath.prometheus.url).',
    );
  }
  const body = await getJson<
    Envelope<{ groups: { name: string; file?: string; rules: Rule[] }[] }>
  >(source.endpoint, source.service, source.path, { type: 'alert' });
  const groups = body.data.groups.filter(g => source.groupOf(g));
  const evidence = [
    { title: `${source.service} alert rules`, url: source.url },
  ];
  if (groups.length === 0) {
    return {
      id,
      state: 'fail',
      summary: `${source.service} has no alert rule group for ${target.entityRef}.`,
      cause:
        'The rules were not provisioned, or into another Grafana or folder.',
      fix: 'Run the Grafana step again (grafana:dashboard:apply, or yarn provision-all for existing entities).',
      evidence,
    };
  }
  const rules = groups.flatMap(g => g.rules);
  // Grafana-managed rules are titled with the entity too (`<alert> (<entity>)`-like), so contain the name.
  const missing = source.expected.filter(
    n => !rules.some(r => r.name === n || r.name.includes(n)),
  );
  if (missing.length) {
    return {
      id,
      state: 'fail',
      summary: `The rule group lacks ${missing.join(', ')}.`,
      cause: 'Rules were removed or renamed after provisioning.',
      fix: 'Run the Grafana step again; it restores the rules the portal manages.',
      evidence,
    };
  }
  const broken = rules.find(r => r.health === 'err' || r.health === 'error');
  if (broken) {
    return {
      id,
      state: 'fail',
      summary: `Rule ${broken.name} fails to evaluate.`,
      cause: broken.lastError || `health ${broken.health}`,
      fix: "Check the rule's data source (its uid is grafanaProvisioning.prometheusDatasourceUid) and its query in Grafana.",
      evidence,
    };
  }
  const waiting = rules.filter(
    r => !r.lastEvaluation || NEVER.test(r.lastEvaluation),
  );
  if (waiting.length) {
    return {
      id,
      state: 'fail',
      summary: `${waiting.length} of ${rules.length} rules not evaluated yet.`,
      cause: 'The rule group has not been evaluated since it was loaded.',
      fix: 'Wait one evaluation interval (1 minute by default).',
      evidence,
    };
  }
  return {
    id,
    state: 'pass',
    summary: `${rules.length} rules loaded and evaluating.`,
    evidence,
  };
}
