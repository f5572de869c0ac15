/**
 * @jest-environment node
 */
/*
 * Evaluates every PromQL expression of the dashboard on a real Prometheus server (Debian's
 * `prometheus` package), with the variables filled in as the plugin fills them. Prometheus scrapes
 * a local exporter that serves the series docs/contract.md promises: kube-state-metrics and
 * cAdvisor series per pod, and the app's own series with the `app` label added by the scrape
 * config. Each query must succeed and return data for the app, and only for the app.
 */
import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import {
  DASHBOARD_PANELS,
  VARIABLE_QUERIES,
  fillVariables,
} from '@internal/plugin-observability-common';
import {
  findPrometheus,
  freePort,
  getJson,
  sleep,
} from '../__testUtils__/prometheus';

jest.setTimeout(60_000);

const NAMESPACE = 'dashboards';
const APP = 'sales-dashboard';
const APP_PODS = [`${APP}-7d9f8b6c5-abcde`, `${APP}-7d9f8b6c5-fghij`];
const OTHER_POD = 'other-app-5c6d7e8f9-zzzzz';

let scrapes = 0;

/** kube-state-metrics and cAdvisor series for two pods of the app and one of another app. */
function kubernetesSeries(): string {
  scrapes += 1;
  const lines: string[] = [];
  const pods = [
    ...APP_PODS.map(pod => ({ pod, app: APP })),
    { pod: OTHER_POD, app: 'other-app' },
  ];
  for (const { pod, app } of pods) {
    const l = `namespace="${NAMESPACE}",pod="${pod}"`;
    lines.push(`kube_pod_labels{${l},label_app_kubernetes_io_name="${app}"} 1`);
    lines.push(`kube_pod_status_ready{${l},condition="true"} 1`);
    lines.push(`kube_pod_status_ready{${l},condition="false"} 0`);
    lines.push(
      `kube_pod_container_status_restarts_total{${l},container="app"} 1`,
    );
    const c = `${l},container="app"`;
    lines.push(
      `kube_pod_container_resource_requests{${c},resource="cpu",unit="core"} 0.25`,
    );
    lines.push(
      `kube_pod_container_resource_limits{${c},resource="cpu",unit="core"} 0.5`,
    );
    lines.push(
      `kube_pod_container_resource_requests{${c},resource="memory",unit="byte"} 268435456`,
    );
    lines.push(
      `kube_pod_container_resource_limits{${c},resource="memory",unit="byte"} 536870912`,
    );
    lines.push(`container_cpu_usage_seconds_total{${c}} ${scrapes * 0.1}`);
    // The pod-level cgroup series that the queries must leave out.
    lines.push(
      `container_cpu_usage_seconds_total{${l},container=""} ${scrapes * 10}`,
    );
    lines.push(`container_memory_working_set_bytes{${c}} 104857600`);
  }
  // The same app in two more clusters, one pod each, with a `cluster` label.
  for (const cluster of ['east', 'west']) {
    const l = `cluster="${cluster}",namespace="${NAMESPACE}",pod="${APP}-${cluster}"`;
    lines.push(`kube_pod_labels{${l},label_app_kubernetes_io_name="${APP}"} 1`);
    lines.push(`kube_pod_status_ready{${l},condition="true"} 1`);
  }
  return `${lines.join('\n')}\n`;
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
let prometheus: ChildProcess;
let prometheusLog = '';
let dataDir: string;
let baseUrl: string;

async function query(expr: string): Promise<any> {
  return getJson(`${baseUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
}

beforeAll(async () => {
  const binary = findPrometheus();
  exporter = http.createServer((req, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(req.url === '/kubernetes' ? kubernetesSeries() : appSeries());
  });
  await new Promise<void>(r => exporter.listen(0, '127.0.0.1', r));
  const exporterAddress = `127.0.0.1:${
    (exporter.address() as AddressInfo).port
  }`;

  dataDir = mkdtempSync(join(tmpdir(), 'observability-prometheus-'));
  const configFile = join(dataDir, 'prometheus.yml');
  // The app job gets the labels the cluster's scrape config copies from the pod (contract.md).
  const appTargets = APP_PODS.map(
    pod => `
      - targets: ['${exporterAddress}']
        labels:
          __metrics_path__: /app/${pod}
          app: ${APP}
          namespace: ${NAMESPACE}
          pod: ${pod}
          container: app`,
  ).join('');
  writeFileSync(
    configFile,
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kubernetes
    honor_labels: true
    metrics_path: /kubernetes
    static_configs:
      - targets: ['${exporterAddress}']
  - job_name: app
    static_configs:${appTargets}
`,
  );

  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--storage.tsdb.path=${join(dataDir, 'data')}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stdout!.on('data', d => (prometheusLog += d));
  prometheus.stderr!.on('data', d => (prometheusLog += d));

  // Ready once every target has been scraped a few times, so rate() has samples to work on.
  const deadline = Date.now() + 45_000;
  for (;;) {
    if (prometheus.exitCode !== null) {
      throw new Error(
        `prometheus exited with ${prometheus.exitCode}:\n${prometheusLog}`,
      );
    }
    try {
      const res = await query('min(count_over_time(up[1m]))');
      if (Number(res.data?.result?.[0]?.value?.[1]) >= 5) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(
        `prometheus did not scrape the exporter in time:\n${prometheusLog}`,
      );
    }
    await sleep(500);
  }
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise(r => prometheus.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await new Promise(r => (exporter ? exporter.close(r) : r(undefined)));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
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

  it.each(Object.entries(VARIABLE_QUERIES))(
    'variable %s selects series',
    async (_name, v) => {
      const res = await query(fillVariables(v.selector, vars));
      expect(res.status).toBe('success');
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
    // No cluster chosen (the label does not exist): only the series without it.
    expect(await value(ready)).toBe(2);
    const clusters = await query(VARIABLE_QUERIES.cluster.selector);
    expect(
      [
        ...new Set(
          clusters.data.result.map((r: any) => r.metric.cluster ?? '(none)'),
        ),
      ].sort(),
    ).toEqual(['(none)', 'east', 'west']);
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
});
