/*
 * The alerting rules of every golden-path service, as code. From these definitions come:
 * - grafana/alerts/service.rules.yml in the observability plugin (Prometheus `rule_files`, one rule
 *   per alert for every service; `yarn generate:dashboard` writes it, a test fails when stale),
 * - the Grafana-managed rules the `grafana:dashboard:apply` scaffolder action provisions per
 *   entity (the value query scoped to the entity, the comparison as a threshold expression).
 *
 * Each rule is a value and a comparison rather than one expression, because Grafana evaluates the
 * comparison as a separate threshold step. Values group by `cluster` too: where several clusters
 * send series with a `cluster` label their pods are not summed together, and where the label does
 * not exist grouping by it changes nothing. Pod labels are joined with `max by`, as the dashboard
 * does, so duplicate `kube_pod_labels` series (two kube-state-metrics replicas, a restart) do not
 * break the join.
 */

import { escapeQueryString } from './escape';

/** @public */
export interface AlertRuleDefinition {
  /** Alert name (`alertname`). */
  alert: string;
  /** PromQL of the value compared; one series per cluster, namespace and app (and pod). */
  value: string;
  /** The alert fires while the value is above (`>`) or below (`<`) the threshold. */
  comparison: { op: '>' | '<'; threshold: number };
  /** How long the condition must hold before the alert fires (pending until then). */
  for?: string;
  severity: 'warning' | 'critical';
  /** One line; may use `{{ $labels.<name> }}`. */
  summary: string;
  /** May use `{{ $labels.<name> }}` and `{{ $value }}`. */
  description: string;
  /**
   * Where the runbook is: a path below the entity's TechDocs site (the service template's
   * `docs/operations.md` has a section per alert).
   */
  runbook: string;
}

/** The pod label app.kubernetes.io/name as `app`, one series per pod. */
const APP_OF_POD =
  'max by (cluster, namespace, pod, app) (label_replace(kube_pod_labels{label_app_kubernetes_io_name!=""}, "app", "$1", "label_app_kubernetes_io_name", "(.+)"))';

/** Sums a per-pod vector by app. */
const sumByApp = (vector: string) =>
  `sum by (cluster, namespace, app) (\n  ${vector}\n  * on (cluster, namespace, pod) group_left (app)\n    ${APP_OF_POD}\n)`;

/**
 * The alerting rules, in the order of the rule file.
 *
 * @public
 */
export const ALERT_RULES: readonly AlertRuleDefinition[] = [
  {
    alert: 'ServicePodsNotReady',
    value: `count by (cluster, namespace, app) (\n  ${APP_OF_POD}\n)\n- ${sumByApp(
      'kube_pod_status_ready{condition="true"}',
    )}`,
    comparison: { op: '>', threshold: 0 },
    for: '10m',
    severity: 'warning',
    summary:
      '{{ $labels.app }} in {{ $labels.namespace }} has pods that are not ready',
    description: '{{ $value }} pods have not been ready for 10 minutes.',
    runbook: 'operations/#servicepodsnotready',
  },
  {
    alert: 'ServiceContainerRestarting',
    value: sumByApp('increase(kube_pod_container_status_restarts_total[15m])'),
    comparison: { op: '>', threshold: 2 },
    severity: 'warning',
    summary: '{{ $labels.app }} in {{ $labels.namespace }} restarts',
    description: '{{ $value }} container restarts in 15 minutes.',
    runbook: 'operations/#servicecontainerrestarting',
  },
  {
    alert: 'ServiceMemoryNearLimit',
    value: `${sumByApp(
      'container_memory_working_set_bytes{container!="", container!="POD"}',
    )}\n/ ${sumByApp('kube_pod_container_resource_limits{resource="memory"}')}`,
    comparison: { op: '>', threshold: 0.9 },
    for: '15m',
    severity: 'warning',
    summary:
      '{{ $labels.app }} in {{ $labels.namespace }} is close to its memory limit',
    description:
      'Working set at {{ $value | humanizePercentage }} of the limit.',
    runbook: 'operations/#servicememorynearlimit',
  },
  {
    alert: 'ServiceMetricsDown',
    value: 'up{app!=""}',
    comparison: { op: '<', threshold: 1 },
    for: '5m',
    severity: 'warning',
    summary:
      '{{ $labels.app }} in {{ $labels.namespace }}: /metrics not scraped',
    description: 'Prometheus cannot scrape {{ $labels.pod }}.',
    runbook: 'operations/#servicemetricsdown',
  },
];

/**
 * The Prometheus expression of a rule: its value compared with its threshold.
 *
 * @public
 */
export function prometheusExpression(rule: AlertRuleDefinition): string {
  const { op, threshold } = rule.comparison;
  return `${rule.value}\n${op} ${threshold}`;
}

/**
 * The rules as a Prometheus rule file's `groups` (also the `spec` of a PrometheusRule).
 *
 * @public
 */
export function prometheusRuleGroups() {
  return {
    groups: [
      {
        name: 'golden-path-service',
        rules: ALERT_RULES.map(rule => ({
          alert: rule.alert,
          expr: prometheusExpression(rule),
          ...(rule.for ? { for: rule.for } : {}),
          labels: { severity: rule.severity },
          annotations: {
            summary: rule.summary,
            description: rule.description,
            runbook_url: rule.runbook,
          },
        })),
      },
    ],
  };
}

/**
 * A rule's value kept to the series of one service: `and on (namespace, app)` a one-sample vector
 * carrying the service's labels, so the rule's own grouping and labels are left as they are. The
 * values are escaped for the string literals they sit in.
 *
 * @public
 */
export function scopedRuleValue(
  rule: AlertRuleDefinition,
  service: { namespace: string; app: string },
): string {
  const namespace = escapeQueryString(service.namespace);
  const app = escapeQueryString(service.app);
  return `(${rule.value})\nand on (namespace, app)\n  label_replace(label_replace(vector(1), "namespace", "${namespace}", "", ""), "app", "${app}", "", "")`;
}
