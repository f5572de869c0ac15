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
 * not exist grouping by it changes nothing.
 *
 * Pods are tied to their service through their workload, with series kube-state-metrics exports
 * with its default settings (no label allowlist, as in kube-prometheus-stack): a pod's
 * `kube_pod_owner` names its ReplicaSet, the ReplicaSet's `kube_replicaset_owner` its Deployment,
 * and the Deployment is named after the service (docs/contract.md). Only pods in phase Pending,
 * Running or Unknown count: an evicted pod (phase Failed) stays in the API until it is deleted
 * and must not keep a rule firing. Every join takes `max by` the join labels, so duplicate series
 * (two kube-state-metrics replicas, a restart) do not break it.
 */

import { escapeQueryString } from './escape';
import { PODS_OF_WORKLOADS } from './workload';

/**
 * The label that holds the alert's name on the Grafana-managed rules the portal provisions, whose
 * titles (and so their `alertname`) also name the entity.
 *
 * @public
 */
export const ALERT_NAME_LABEL = 'portal_alert';

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
  /**
   * What a Grafana-managed copy of the rule does when its query returns no series: `ok` (nothing
   * matches, the service is fine; the default) or `alert` (the rule's input is missing, e.g. no
   * `up` series because nothing scrapes the pods).
   */
  noData?: 'ok' | 'alert';
  /** One line; may use `{{ $labels.<name> }}`. */
  summary: string;
  /** May use `{{ $labels.<name> }}` and `{{ $value }}`. */
  description: string;
  /**
   * Where the runbook is: a path below the entity's TechDocs site (the service template's
   * `docs/operations.md` has a section per alert).
   */
  runbook: string;
  /**
   * The first version of the service template whose code provides what the rule reads; the
   * portal provisions it only for services at that version or later (./templateVersions.ts).
   */
  since: string;
}

/** One series per live pod of a Deployment, labelled with the Deployment's name as `app`. */
const APP_OF_POD = PODS_OF_WORKLOADS;

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
    since: '1.0.0',
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
    since: '1.0.0',
    value: sumByApp('increase(kube_pod_container_status_restarts_total[15m])'),
    comparison: { op: '>', threshold: 2 },
    severity: 'warning',
    summary: '{{ $labels.app }} in {{ $labels.namespace }} restarts',
    description: '{{ $value }} container restarts in 15 minutes.',
    runbook: 'operations/#servicecontainerrestarting',
  },
  {
    alert: 'ServiceMemoryNearLimit',
    since: '1.0.0',
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
    since: '1.0.0',
    value: 'up{app!=""}',
    comparison: { op: '<', threshold: 1 },
    for: '5m',
    severity: 'warning',
    noData: 'alert',
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
