import {
  ALERT_RULES,
  prometheusExpression,
  prometheusRuleGroups,
  scopedRuleValue,
} from './alertRules';
import { PODS_OF_WORKLOADS } from './workload';

describe('ALERT_RULES', () => {
  it('names each alert once, with a severity and a runbook section named after it', () => {
    const names = ALERT_RULES.map(r => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of ALERT_RULES) {
      expect(rule.runbook).toBe(`operations/#${rule.alert.toLowerCase()}`);
      expect(['warning', 'critical']).toContain(rule.severity);
    }
  });

  it('ties pods to their service through their Deployment, never through kube_pod_labels', () => {
    for (const rule of ALERT_RULES) {
      expect(rule.value).not.toContain('kube_pod_labels');
    }
    for (const rule of ALERT_RULES.filter(r =>
      r.value.includes('kube_pod_owner'),
    )) {
      expect(rule.value).toContain('by (cluster, namespace, app)');
      expect(rule.value).toContain(PODS_OF_WORKLOADS);
    }
  });

  it('counts only pods that run or will run, so an evicted pod is left out', () => {
    expect(PODS_OF_WORKLOADS).toContain(
      'kube_pod_status_phase{phase=~"Pending|Running|Unknown"} == 1',
    );
  });
});

describe('prometheusRuleGroups', () => {
  it('writes each rule as its value compared with its threshold, with the runbook annotation', () => {
    const [group] = prometheusRuleGroups().groups;
    const down = group.rules.find(r => r.alert === 'ServiceMetricsDown')!;
    expect(down).toEqual({
      alert: 'ServiceMetricsDown',
      expr: 'up{app!=""}\n< 1',
      for: '5m',
      labels: { severity: 'warning' },
      annotations: expect.objectContaining({
        runbook_url: 'operations/#servicemetricsdown',
      }),
    });
    expect(group.rules.map(r => r.expr)).toEqual(
      ALERT_RULES.map(prometheusExpression),
    );
  });
});

describe('scopedRuleValue', () => {
  it('escapes the service values for the string literals they sit in', () => {
    const rule = ALERT_RULES[0];
    expect(scopedRuleValue(rule, { namespace: 'a"b', app: 'c\\d' })).toContain(
      'label_replace(label_replace(vector(1), "namespace", "a\\"b", "", ""), "app", "c\\\\d", "", "")',
    );
  });
});
