import {
  escapeQueryString,
  isDns1123Label,
  isGrafanaUid,
  isKubernetesLabelValue,
  labelMatcher,
} from '@internal/plugin-observability-common';
import { parseQuery } from './__testUtils__/parse';

describe('escapeQueryString', () => {
  it.each([
    ['plain', 'sales-dashboard', 'sales-dashboard'],
    ['a quote', 'a"b', 'a\\"b'],
    ['a backslash before a quote', 'a\\"b', 'a\\\\\\"b'],
    ['a newline', 'a\nb', 'a\\nb'],
    ['a control character', 'a\u0001b', 'a\\u0001b'],
  ])('escapes %s', (_name, input, expected) => {
    expect(escapeQueryString(input)).toBe(expected);
  });

  const attacks = [
    'x"} or vector(1) #',
    'x\\"} or vector(1) #',
    'x", namespace=~".*',
    'x\\',
    'x\n} | drop',
    '`x` {a="b"}',
  ];

  it.each(attacks)('keeps %j inside one PromQL string literal', attack => {
    const parsed = parseQuery('promql', `up{${labelMatcher('app', attack)}}`);
    expect(parsed.errors).toEqual([]);
    expect(parsed.matchers).toEqual([{ name: 'app', op: '=', value: attack }]);
  });

  it.each(attacks)('keeps %j inside one LogQL string literal', attack => {
    const parsed = parseQuery('logql', `{${labelMatcher('app', attack)}}`);
    expect(parsed.errors).toEqual([]);
    expect(parsed.matchers).toEqual([{ name: 'app', op: '=', value: attack }]);
  });

  it('would let the same attack out without escaping', () => {
    const parsed = parseQuery('promql', `up{app="${attacks[0]}"}`);
    expect(parsed.matchers).not.toEqual([
      { name: 'app', op: '=', value: attacks[0] },
    ]);
  });
});

describe('labelMatcher', () => {
  it('refuses a label name that is not an identifier', () => {
    expect(() => labelMatcher('app"}', 'x')).toThrow(/Invalid label name/);
  });
});

describe('validators', () => {
  it('accepts Kubernetes label values and refuses anything with quotes or too long', () => {
    expect(isKubernetesLabelValue('sales-dashboard')).toBe(true);
    expect(isKubernetesLabelValue('My_App.v2')).toBe(true);
    expect(isKubernetesLabelValue('a"b')).toBe(false);
    expect(isKubernetesLabelValue('a\\b')).toBe(false);
    expect(isKubernetesLabelValue('-a')).toBe(false);
    expect(isKubernetesLabelValue('a'.repeat(64))).toBe(false);
    expect(isKubernetesLabelValue('')).toBe(false);
  });

  it('accepts DNS-1123 labels as namespaces', () => {
    expect(isDns1123Label('dashboards')).toBe(true);
    expect(isDns1123Label('Dashboards')).toBe(false);
    expect(isDns1123Label('a.b')).toBe(false);
  });

  it('accepts Grafana uids and refuses path tricks', () => {
    expect(isGrafanaUid('service-overview')).toBe(true);
    expect(isGrafanaUid('../admin')).toBe(false);
    expect(isGrafanaUid('a/b')).toBe(false);
    expect(isGrafanaUid('a'.repeat(41))).toBe(false);
  });
});
