/**
 * @jest-environment node
 */
/*
 * Evaluates every PromQL expression of the dashboard, and the alert rules' expressions, on a real
 * Prometheus server (Debian's `prometheus` package) fed series shaped as a default
 * kube-prometheus-stack stores them (../__testUtils__/kubePrometheusStack.ts): kube-state-metrics
 * without a label allowlist and cAdvisor behind `honorLabels: true` ServiceMonitors, and the app
 * scraped through the template's PodMonitor as the operator turns it into a scrape job. Each
 * query must return data for the app, and only for the app.
 */
import http from 'http';
import { AddressInfo } from 'net';
import { join } from 'path';
import { readFileSync, writeFileSync } from 'fs';
import { parse, stringify } from 'yaml';
import {
  ALERT_RULES,
  DASHBOARD_PANELS,
  fillVariables,
  prometheusExpression,
} from '@internal/plugin-observability-common';
import {
  TestPrometheus,
  freePort,
  sleep,
  startPrometheus,
} from '@internal/plugin-observability-common/testing';
import {
  KPS_RELEASE,
  KubernetesPod,
  PodMonitor,
  kubernetesJobs,
  kubernetesSeries,
  podMonitorJobs,
  podTargetGroup,
} from '../__testUtils__/kubePrometheusStack';

jest.setTimeout(90_000);

/** The PodMonitor labels the service template's form gives by default. */
const TEMPLATE_PODMONITOR_LABELS: Record<string, string> = parse(
  readFileSync(
    join(
      __dirname,
      '../../../../templates/python-dashboard-service/template.yaml',
    ),
    'utf8',
  ),
).spec.parameters.find((page: any) => page.properties?.podMonitorLabels)
  .properties.podMonitorLabels.default;

const NAMESPACE = 'dashboards';
const APP = 'sales-dashboard';
const RS = `${APP}-7d9f8b6c5`;
const APP_PODS = [`${RS}-abcde`, `${RS}-fghij`];

/** The template's PodMonitor (templates/python-dashboard-service), with the given labels. */
function podMonitorOf(
  namespace: string,
  name: string,
  labels: Record<string, string>,
): PodMonitor {
  return {
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/name': name, ...labels },
    },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      podMetricsEndpoints: [
        {
          port: 'metrics',
          path: '/metrics',
          relabelings: [
            {
              sourceLabels: [
                '__meta_kubernetes_pod_label_app_kubernetes_io_name',
              ],
              targetLabel: 'app',
            },
          ],
        },
      ],
    },
  };
}

let scrapes = 0;

/** The pods: the app's two healthy ones, and the failing and evicted cases of other services. */
function pods(): KubernetesPod[] {
  const n = scrapes;
  return [
    ...APP_PODS.map(pod => ({
      namespace: NAMESPACE,
      pod,
      replicaSet: RS,
      phase: 'Running' as const,
      ready: true,
      restarts: 1,
      workingSetBytes: 104857600,
      cpuSeconds: n * 0.1,
    })),
    {
      namespace: NAMESPACE,
      pod: 'other-app-5c6d7e8f9-zzzzz',
      replicaSet: 'other-app-5c6d7e8f9',
      phase: 'Running',
      ready: true,
      restarts: 0,
      workingSetBytes: 1,
      cpuSeconds: n,
    },
    // broken: never ready, restarting on every scrape, at 99 % of its memory limit, /metrics down.
    {
      namespace: 'failing',
      pod: 'broken-6d5c4b3a2-x',
      replicaSet: 'broken-6d5c4b3a2',
      phase: 'Running',
      ready: false,
      restarts: n,
      workingSetBytes: Math.round(536870912 * 0.99),
      cpuSeconds: n * 0.01,
    },
    // cart: two ready pods and an evicted one (phase Failed) nobody deleted.
    ...['a', 'b'].map(x => ({
      namespace: 'shop',
      pod: `cart-6f7d8c9b-${x}`,
      replicaSet: 'cart-6f7d8c9b',
      phase: 'Running' as const,
      ready: true,
      restarts: 0,
      workingSetBytes: 1048576,
      cpuSeconds: n * 0.01,
    })),
    {
      namespace: 'shop',
      pod: 'cart-6f7d8c9b-evicted',
      replicaSet: 'cart-6f7d8c9b',
      phase: 'Failed',
      ready: false,
      restarts: 0,
    },
  ];
}

const REPLICA_SETS = [
  { namespace: NAMESPACE, replicaSet: RS, deployment: APP },
  {
    namespace: NAMESPACE,
    replicaSet: 'other-app-5c6d7e8f9',
    deployment: 'other-app',
  },
  {
    namespace: 'failing',
    replicaSet: 'broken-6d5c4b3a2',
    deployment: 'broken',
  },
  { namespace: 'shop', replicaSet: 'cart-6f7d8c9b', deployment: 'cart' },
];

/** The same app in two more clusters, one pod each, from a kube-state-metrics with `cluster`. */
function clusterSeries(): string {
  return ['east', 'west']
    .flatMap(cluster => {
      const l = `cluster="${cluster}",namespace="${NAMESPACE}"`;
      const pod = `${RS}-${cluster}`;
      return [
        `kube_replicaset_owner{${l},replicaset="${RS}",owner_kind="Deployment",owner_name="${APP}"} 1`,
        `kube_pod_owner{${l},pod="${pod}",owner_kind="ReplicaSet",owner_name="${RS}"} 1`,
        `kube_pod_status_phase{${l},pod="${pod}",phase="Running"} 1`,
        `kube_pod_status_ready{${l},pod="${pod}",condition="true"} 1`,
      ];
    })
    .join('\n');
}

/** The app's own exporter (prometheus_client), without Kubernetes labels. */
function appSeries(): string {
  const n = scrapes;
  return [
    '# TYPE dashboard_page_views_total counter',
    `dashboard_page_views_total{page="overview"} ${10 * n}`,
    '# TYPE dashboard_interactions_total counter',
    `dashboard_interactions_total{widget="date_range"} ${3 * n}`,
    '# TYPE dashboard_render_seconds histogram',
    `dashboard_render_seconds_bucket{page="overview",le="0.1"} ${2 * n}`,
    `dashboard_render_seconds_bucket{page="overview",le="0.5"} ${8 * n}`,
    `dashboard_render_seconds_bucket{page="overview",le="+Inf"} ${10 * n}`,
    `dashboard_render_seconds_sum{page="overview"} ${2 * n}`,
    `dashboard_render_seconds_count{page="overview"} ${10 * n}`,
    '',
  ].join('\n');
}

let exporter: http.Server;
let prometheus: TestPrometheus;

async function query(expr: string): Promise<any> {
  return prometheus.query(expr);
}

beforeAll(async () => {
  exporter = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    if (req.url === '/kube-state-metrics') {
      scrapes += 1;
      res.end(
        `${
          kubernetesSeries(pods(), REPLICA_SETS).kubeStateMetrics
        }${clusterSeries()}\n`,
      );
    } else if (req.url === '/metrics/cadvisor') {
      res.end(kubernetesSeries(pods(), REPLICA_SETS).cadvisor);
    } else {
      res.end(appSeries());
    }
  });
  await new Promise<void>(r => exporter.listen(0, '127.0.0.1', r));
  const exporterAddress = `127.0.0.1:${
    (exporter.address() as AddressInfo).port
  }`;
  // Where nothing listens: the broken pod's /metrics.
  const closedAddress = `127.0.0.1:${await freePort()}`;

  const target = (
    namespace: string,
    pod: string,
    app: string,
    phase: KubernetesPod['phase'],
    address = exporterAddress,
  ) =>
    podTargetGroup({
      address,
      namespace,
      pod,
      container: 'app',
      portName: 'metrics',
      phase,
      labels: {
        'app.kubernetes.io/name': app,
        'backstage.io/kubernetes-id': app,
      },
    });
  const sd = [
    ...APP_PODS.map(pod => target(NAMESPACE, pod, APP, 'Running')),
    target('failing', 'broken-6d5c4b3a2-x', 'broken', 'Running', closedAddress),
    target('shop', 'cart-6f7d8c9b-a', 'cart', 'Running'),
    target('shop', 'cart-6f7d8c9b-b', 'cart', 'Running'),
    target('shop', 'cart-6f7d8c9b-evicted', 'cart', 'Failed', closedAddress),
    target(NAMESPACE, 'unselected-1-x', 'unselected', 'Running'),
  ];
  const release = TEMPLATE_PODMONITOR_LABELS;
  const podMonitors = [
    podMonitorOf(NAMESPACE, APP, release),
    podMonitorOf('failing', 'broken', release),
    podMonitorOf('shop', 'cart', release),
    // Without the release label: the stack's Prometheus does not select it.
    podMonitorOf(NAMESPACE, 'unselected', {}),
  ];

  prometheus = await startPrometheus({
    config: dir => {
      const sdFile = join(dir, 'pods.json');
      writeFileSync(sdFile, JSON.stringify(sd));
      return stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [
          ...kubernetesJobs(exporterAddress),
          ...podMonitorJobs(podMonitors, sdFile),
        ],
      });
    },
  });

  // Ready once the targets have been scraped a few times, so rate() has samples to work on.
  const deadline = Date.now() + 45_000;
  for (;;) {
    const res = await query(
      'min(count_over_time(up{job="kube-state-metrics"}[1m])) and min(count_over_time(up{app="sales-dashboard"}[1m]))',
    );
    if (Number(res.data?.result?.[0]?.value?.[1]) >= 5) break;
    if (Date.now() > deadline) {
      throw new Error(
        `prometheus did not scrape the exporter in time:\n${prometheus.log()}`,
      );
    }
    await sleep(500);
  }
});

afterAll(async () => {
  await prometheus?.stop();
  await new Promise(r => (exporter ? exporter.close(r) : r(undefined)));
});

const vars = {
  namespace: NAMESPACE,
  app: APP,
  rateInterval: '1m',
  interval: '15s',
  range: '5m',
};

const promqlQueries = DASHBOARD_PANELS.flatMap(panel =>
  panel.queries
    .filter(q => q.language === 'promql')
    .map(q => [`${panel.title} ${q.refId}`, q.expr] as const),
);

describe('dashboard PromQL on a real Prometheus', () => {
  it('reports syntax errors as bad_data (so the checks below can fail)', async () => {
    const res = await query('sum(rate(up[1m])');
    expect(res.status).toBe('error');
    expect(res.errorType).toBe('bad_data');
  });

  it.each(promqlQueries)(
    '%s evaluates and returns data for the app',
    async (_n, expr) => {
      const res = await query(fillVariables(expr, vars));
      expect(res).toMatchObject({ status: 'success' });
      expect(res.data.result.length).toBeGreaterThan(0);
    },
  );

  const value = async (expr: string) => {
    const res = await query(fillVariables(expr, vars));
    expect(res.status).toBe('success');
    return Number(res.data.result[0].value[1]);
  };
  const panelQuery = (key: string, refId = 'A') =>
    DASHBOARD_PANELS.find(p => p.key === key)!.queries.find(
      q => q.refId === refId,
    )!.expr;

  it('counts only the pods of the app', async () => {
    expect(await value(panelQuery('readyPods', 'A'))).toBe(2);
    expect(await value(panelQuery('readyPods', 'B'))).toBe(2);
    expect(await value(panelQuery('targetsUp'))).toBe(2);
  });

  it('shows one cluster at a time where series carry a cluster label, instead of summing them', async () => {
    const ready = panelQuery('readyPods', 'A');
    for (const cluster of ['east', 'west']) {
      const res = await query(fillVariables(ready, { ...vars, cluster }));
      expect(Number(res.data.result[0].value[1])).toBe(1);
    }
    // No cluster given (the label does not exist): only the series without it.
    expect(await value(ready)).toBe(2);
  });

  it('sums requests and limits of the app containers', async () => {
    expect(await value(panelQuery('cpu', 'B'))).toBeCloseTo(0.5);
    expect(await value(panelQuery('cpu', 'C'))).toBeCloseTo(1);
    expect(await value(panelQuery('memory', 'C'))).toBe(2 * 536870912);
    expect(await value(panelQuery('memory', 'A'))).toBe(2 * 104857600);
  });

  it('leaves the pod-level cgroup series out of CPU use', async () => {
    // Two containers at 0.1 CPU-seconds per scrape second; the pod cgroup series would add 20.
    expect(await value(panelQuery('cpu', 'A'))).toBeLessThan(1);
  });

  it('returns nothing for an injection attempt in the app label', async () => {
    const attack = fillVariables(panelQuery('targetsUp'), {
      ...vars,
      app: `${APP}"} or vector(1) #`,
    });
    const res = await query(attack);
    expect(res.status).toBe('success');
    expect(res.data.result).toEqual([]);
  });

  it("gives PodMonitors by default the label a kube-prometheus-stack release's Prometheus selects", () => {
    expect(TEMPLATE_PODMONITOR_LABELS).toEqual({ release: KPS_RELEASE });
  });

  it('returns nothing for a PodMonitor the stack does not select (no release label)', async () => {
    const res = await query('up{app="unselected"}');
    expect(res.data.result).toEqual([]);
    expect((await query('up{app="sales-dashboard"}')).data.result).toHaveLength(
      2,
    );
  });
});

describe('alert rules on kube-prometheus-stack series', () => {
  const firing = async (alert: string) => {
    const rule = ALERT_RULES.find(r => r.alert === alert)!;
    const res = await query(prometheusExpression(rule));
    expect(res.status).toBe('success');
    return res.data.result
      .map((r: any) => `${r.metric.namespace}/${r.metric.app}`)
      .sort();
  };

  it.each(ALERT_RULES.map(r => r.alert))(
    '%s holds for the failing pod only',
    async alert => {
      expect(await firing(alert)).toEqual(['failing/broken']);
    },
  );

  it('does not count an evicted pod beside healthy ones as not ready', async () => {
    const rule = ALERT_RULES.find(r => r.alert === 'ServicePodsNotReady')!;
    const res = await query(rule.value);
    const cart = res.data.result.find((r: any) => r.metric.app === 'cart');
    expect(Number(cart.value[1])).toBe(0);
  });
});
