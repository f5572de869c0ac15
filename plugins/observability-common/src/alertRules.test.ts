import {
  ALERT_RULES,
  prometheusExpression,
  prometheusRuleGroups,
  scopedRuleValue,
} from './alertRules';

describe('ALERT_RULES', () => {
  it('names each alert once, with a severity and a runbook section named after it', () => {
    const names = ALERT_RULES.map(r => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of ALERT_RULES) {
      expect(rule.runbook).toBe(`operations/#${rule.alert.toLowerCase()}`);
      expect(['warning', 'critical']).toContain(rule.severity);
    }
  });

  it('groups every value by cluster, namespace and app, joining pod labels with max by', () => {
    for (const rule of ALERT_RULES.filter(r =>
      r.value.includes('kube_pod_labels'),
    )) {
      expect(rule.value).toContain('by (cluster, namespace, app)');
      expect(rule.value).not.toMatch(/group_left \(app\)\s+label_replace/);
      expect(rule.value).toContain('max by (cluster, namespace, pod, app)');
    }
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
