/**
 * @jest-environment node
 */
/*
 * The relabel rules docs/observability.md gives for a plain Prometheus pod job, run as written on
 * a real Prometheus. Kubernetes service discovery cannot run here, so the job's
 * `kubernetes_sd_configs` is swapped for `file_sd_configs` targets carrying the
 * `__meta_kubernetes_pod_*` labels Kubernetes' pod role gives: one target per declared container
 * port, `__address__` on that port. The rules must keep the annotated pods, scrape them on the
 * annotated port and path, and label them so the dashboard's queries find the app.
 */
import { readFileSync } from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import { join, resolve } from 'path';
import { parse, stringify } from 'yaml';
import {
  DASHBOARD_PANELS,
  fillVariables,
} from '@internal/plugin-observability-common';
import {
  TestPrometheus,
  freePort,
  sleep,
  startPrometheus,
} from '@internal/plugin-observability-common/testing';

jest.setTimeout(60_000);

const DOCS = resolve(__dirname, '../../../../docs/observability.md');
const NAMESPACE = 'dashboards';
const APP = 'sales-dashboard';

/** The YAML block of the docs that defines the `kubernetes-pods` job. */
function documentedJob(): any {
  const blocks = [
    ...readFileSync(DOCS, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g),
  ].map(m => m[1]);
  const block = blocks.find(b => b.includes('job_name: kubernetes-pods'));
  if (!block)
    throw new Error('docs/observability.md has no kubernetes-pods job');
  return parse(block).scrape_configs[0];
}

let exporter: http.Server;
const scrapedPaths: string[] = [];
let prometheus: TestPrometheus;

/** What Kubernetes' pod role gives for one container port of one pod. */
function podTarget(options: {
  pod: string;
  app: string;
  port: number;
  metricsPort: number;
  annotated: boolean;
}) {
  return {
    targets: [`127.0.0.1:${options.port}`],
    labels: {
      __meta_kubernetes_namespace: NAMESPACE,
      __meta_kubernetes_pod_name: options.pod,
      __meta_kubernetes_pod_ip: '127.0.0.1',
      __meta_kubernetes_pod_container_name: 'dashboard',
      __meta_kubernetes_pod_container_port_number: String(options.port),
      __meta_kubernetes_pod_label_app_kubernetes_io_name: options.app,
      __meta_kubernetes_pod_label_backstage_io_kubernetes_id: options.app,
      __meta_kubernetes_pod_labelpresent_app_kubernetes_io_name: 'true',
      ...(options.annotated
        ? {
            __meta_kubernetes_pod_annotation_prometheus_io_scrape: 'true',
            __meta_kubernetes_pod_annotation_prometheus_io_port: String(
              options.metricsPort,
            ),
            __meta_kubernetes_pod_annotation_prometheus_io_path: '/metrics',
          }
        : {}),
    },
  };
}

beforeAll(async () => {
  let scrapes = 0;
  exporter = http.createServer((req, res) => {
    scrapedPaths.push(req.url ?? '');
    scrapes += 1;
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(
      [
        '# TYPE dashboard_page_views_total counter',
        `dashboard_page_views_total{page="home"} ${10 * scrapes}`,
        '# TYPE dashboard_interactions_total counter',
        `dashboard_interactions_total{widget="points"} ${3 * scrapes}`,
        '# TYPE dashboard_render_seconds histogram',
        `dashboard_render_seconds_bucket{page="home",le="0.1"} ${scrapes}`,
        `dashboard_render_seconds_bucket{page="home",le="+Inf"} ${scrapes}`,
        `dashboard_render_seconds_sum{page="home"} ${0.05 * scrapes}`,
        `dashboard_render_seconds_count{page="home"} ${scrapes}`,
        '',
      ].join('\n'),
    );
  });
  await new Promise<void>(r => exporter.listen(0, '127.0.0.1', r));
  const metricsPort = (exporter.address() as AddressInfo).port;
  // The app port: nothing listens there, so a target left on it would be down.
  const httpPort = await freePort();

  const pods = [
    { pod: `${APP}-7d9f8b6c5-abcde`, app: APP, annotated: true },
    { pod: `${APP}-7d9f8b6c5-fghij`, app: APP, annotated: true },
    { pod: 'other-app-5c6d7e8f9-zzzzz', app: 'other-app', annotated: true },
    {
      pod: 'unannotated-6f7g8h9i0-yyyyy',
      app: 'unannotated',
      annotated: false,
    },
  ];
  const targets = pods.flatMap(pod =>
    [httpPort, metricsPort].map(port =>
      podTarget({ ...pod, port, metricsPort }),
    ),
  );

  const job = documentedJob();
  if (JSON.stringify(job.kubernetes_sd_configs) !== '[{"role":"pod"}]') {
    throw new Error('the documented job must discover pods (role: pod)');
  }
  delete job.kubernetes_sd_configs;
  prometheus = await startPrometheus({
    files: { 'pods.json': JSON.stringify(targets) },
    config: dir =>
      stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        scrape_configs: [
          {
            ...job,
            file_sd_configs: [{ files: [join(dir, 'pods.json')] }],
          },
        ],
      }),
  });
  // Ready once the targets have been scraped a few times, so rate() has samples.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await prometheus.query('min(count_over_time(up[1m]))');
    if (Number(res.data?.result?.[0]?.value?.[1]) >= 5) break;
    if (Date.now() > deadline) {
      throw new Error(`targets not scraped in time:\n${prometheus.log()}`);
    }
    await sleep(500);
  }
});

afterAll(async () => {
  await prometheus?.stop();
  await new Promise(r => (exporter ? exporter.close(r) : r(undefined)));
});

describe('the documented pod job relabel rules on a real Prometheus', () => {
  it('scrapes each annotated pod once, on its metrics port and path, with the labels of the contract', async () => {
    const res = await prometheus.query('up');
    const targets = res.data.result.map((r: any) => ({
      ...r.metric,
      value: r.value[1],
    }));
    expect(
      targets.sort((a: any, b: any) => a.pod.localeCompare(b.pod)),
    ).toEqual([
      expect.objectContaining({
        namespace: NAMESPACE,
        app: 'other-app',
        pod: 'other-app-5c6d7e8f9-zzzzz',
        container: 'dashboard',
        value: '1',
      }),
      expect.objectContaining({
        namespace: NAMESPACE,
        app: APP,
        pod: `${APP}-7d9f8b6c5-abcde`,
        container: 'dashboard',
        value: '1',
      }),
      expect.objectContaining({
        namespace: NAMESPACE,
        app: APP,
        pod: `${APP}-7d9f8b6c5-fghij`,
        container: 'dashboard',
        value: '1',
      }),
    ]);
    expect(new Set(scrapedPaths)).toEqual(new Set(['/metrics']));
  });

  const vars = {
    namespace: NAMESPACE,
    app: APP,
    rateInterval: '1m',
    interval: '15s',
    range: '5m',
  };
  const appQueries = DASHBOARD_PANELS.filter(p =>
    ['targetsUp', 'pageViews', 'interactions', 'renderTime'].includes(p.key),
  ).flatMap(p => p.queries.map(q => [`${p.title} ${q.refId}`, q.expr]));

  it("checks every query of the panels on the app's own series", () => {
    expect(appQueries).toHaveLength(5);
  });

  it.each(appQueries)(
    'the dashboard query %s returns the series of the app',
    async (_name, expr) => {
      const res = await prometheus.query(fillVariables(expr, vars));
      expect(res.status).toBe('success');
      expect(res.data.result.length).toBeGreaterThan(0);
    },
  );

  it('counts the two pods of the app as targets up', async () => {
    const expr = DASHBOARD_PANELS.find(p => p.key === 'targetsUp')!.queries[0]
      .expr;
    const res = await prometheus.query(fillVariables(expr, vars));
    expect(Number(res.data.result[0].value[1])).toBe(2);
  });
});
