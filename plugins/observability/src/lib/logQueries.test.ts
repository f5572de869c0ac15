/*
 * The dashboard's log queries and the "Explore logs" query find the service's lines whichever
 * reference agent ships them (Promtail or Alloy through k8s-monitoring, with their chart
 * defaults, into Loki 3), and no other service's. The queries are parsed with Grafana's own
 * LogQL grammar (@grafana/lezer-logql); their stream selectors are matched against the stream
 * labels each agent writes (./__testUtils__/logAgents.ts).
 */
import { parser } from '@grafana/lezer-logql';
import {
  DASHBOARD_PANELS,
  fillVariables,
} from '@internal/plugin-observability-common';
import {
  LoggedPod,
  alloyLabels,
  lokiIngest,
  promtailLabels,
} from './__testUtils__/logAgents';

/** The stream selectors' matchers of a LogQL query, and its parse errors. */
function streamSelectors(expr: string) {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: Array<Array<{ name: string; op: string; value: string }>> =
    [];
  tree.iterate({
    enter: node => {
      if (node.type.isError) errors.push(`at ${node.from}`);
      if (node.type.name === 'Selector') {
        const matchers: Array<{ name: string; op: string; value: string }> = [];
        node.node.getChildren('Matchers').forEach(list => {
          const visit = (n: typeof list) => {
            for (const m of n.getChildren('Matcher')) {
              const [name, op, literal] = [
                m.firstChild!,
                m.firstChild!.nextSibling!,
                m.lastChild!,
              ].map(c => expr.slice(c.from, c.to));
              matchers.push({ name, op, value: JSON.parse(literal) });
            }
            n.getChildren('Matchers').forEach(visit);
          };
          visit(list);
        });
        selectors.push(matchers);
      }
    },
  });
  return { errors, selectors };
}

const matches = (
  labels: Record<string, string>,
  matchers: Array<{ name: string; op: string; value: string }>,
) =>
  matchers.every(({ name, op, value }) => {
    const actual = labels[name] ?? '';
    if (op === '=') return actual === value;
    if (op === '!=') return actual !== value;
    const re = new RegExp(`^(?:${value})$`);
    return op === '=~' ? re.test(actual) : !re.test(actual);
  });

/** Pods as the service template deploys them (labels from its deployment.yaml). */
const pod = (namespace: string, app: string, suffix = 'abcde'): LoggedPod => ({
  namespace,
  pod: `${app}-7d9f8b6c5-${suffix}`,
  container: 'dashboard',
  node: 'node-1',
  controller: `${app}-7d9f8b6c5`,
  labels: {
    'app.kubernetes.io/name': app,
    'backstage.io/kubernetes-id': app,
    'pod-template-hash': '7d9f8b6c5',
  },
});

const SERVICE = pod('dashboards', 'sales-dashboard');
const OTHERS = [
  pod('dashboards', 'other-dashboard'),
  pod('finance', 'sales-dashboard'),
];

const logQueries = DASHBOARD_PANELS.flatMap(panel =>
  panel.queries
    .filter(q => q.language === 'logql')
    .map(q => [`${panel.title} ${q.refId}`, q.expr] as const),
);

describe.each([
  ['Promtail', promtailLabels],
  ['Alloy (k8s-monitoring)', alloyLabels],
])('log queries with %s', (_agent, agentLabels) => {
  it.each(logQueries)(
    "%s selects the service's streams and no other",
    (_name, expr) => {
      const filled = fillVariables(expr, {
        namespace: 'dashboards',
        app: 'sales-dashboard',
      });
      const { errors, selectors } = streamSelectors(filled);
      expect(errors).toEqual([]);
      expect(selectors).toHaveLength(1);
      expect(matches(lokiIngest(agentLabels(SERVICE)), selectors[0])).toBe(
        true,
      );
      for (const other of OTHERS) {
        expect(matches(lokiIngest(agentLabels(other)), selectors[0])).toBe(
          false,
        );
      }
    },
  );
});

describe('the log agent models', () => {
  it('differ in the label they name the app by, so a selector on `app` finds only Promtail streams', () => {
    const appOnly = [{ name: 'app', op: '=', value: 'sales-dashboard' }];
    expect(matches(lokiIngest(promtailLabels(SERVICE)), appOnly)).toBe(true);
    expect(matches(lokiIngest(alloyLabels(SERVICE)), appOnly)).toBe(false);
  });
});
