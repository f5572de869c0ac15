/**
 * @jest-environment node
 */
import {
  ALERT_RULES,
  prometheusRuleGroups,
} from '@internal/plugin-observability-common';
import {
  freePort,
  sleep,
  startExporter,
  startPrometheus,
} from '@internal/plugin-observability-common/testing';
import { checkDashboard } from './dashboard';
import { checkAlerts, checkScraped, RulesSource } from './prometheus';
import type { GoldenPathTarget } from './types';

/*
 * The scrape, dashboard and rule checks against a real Prometheus, fed by an exporter that
 * stands for the service's pod and for kube-state-metrics. The scrape pools are named as
 * prometheus-operator names a PodMonitor's (`podMonitor/<namespace>/<name>/<endpoint index>`,
 * pkg/prometheus/promcfg.go) and carry the target labels its relabelings set.
 */

jest.setTimeout(60_000);

const target = (app: string): GoldenPathTarget => ({
  entityRef: `component:default/${app}`,
  app,
  namespace: 'dashboards',
  podMonitorLabels: { release: 'kube-prometheus-stack' },
});

const APP_METRICS =
  '# TYPE dashboard_page_views_total counter\ndashboard_page_views_total{page="home"} 3\n';
const KSM = [
  'kube_pod_owner{namespace="dashboards",pod="sales-dashboard-6d8f7c9b4d-7xk2p",owner_kind="ReplicaSet",owner_name="sales-dashboard-6d8f7c9b4d",owner_is_controller="true"} 1',
  'kube_replicaset_owner{namespace="dashboards",replicaset="sales-dashboard-6d8f7c9b4d",owner_kind="Deployment",owner_name="sales-dashboard",owner_is_controller="true"} 1',
  'kube_pod_status_phase{namespace="dashboards",pod="sales-dashboard-6d8f7c9b4d-7xk2p",phase="Running"} 1',
  'kube_pod_status_ready{namespace="dashboards",pod="sales-dashboard-6d8f7c9b4d-7xk2p",condition="true"} 1',
  '',
].join('\n');

const podJob = (app: string, address: string) => `
  - job_name: podMonitor/dashboards/${app}/0
    metrics_path: /metrics
    static_configs:
      - targets: ['${address}']
        labels: { namespace: dashboards, app: ${app}, pod: ${app}-6d8f7c9b4d-7xk2p, container: dashboard }`;

let prometheus: Awaited<ReturnType<typeof startPrometheus>>;
let exporter: Awaited<ReturnType<typeof startExporter>>;

beforeAll(async () => {
  exporter = await startExporter({ '/metrics': APP_METRICS, '/ksm': KSM });
  const nothing = `127.0.0.1:${await freePort()}`;
  prometheus = await startPrometheus({
    // JSON is YAML: the rule files are written as the observability plugin generates them.
    files: {
      'service.rules.yml': JSON.stringify(prometheusRuleGroups()),
    },
    config: () => `
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [service.rules.yml]
scrape_configs:${podJob('sales-dashboard', exporter.address)}${podJob(
      'broken-app',
      nothing,
    )}
  - job_name: kube-state-metrics
    honor_labels: true
    metrics_path: /ksm
    static_configs: [{ targets: ['${exporter.address}'] }]
`,
  });
  // Until every target was scraped once and both groups evaluated.
  for (let i = 0; i < 100; i++) {
    const targets = await (
      await fetch(`${prometheus.baseUrl}/api/v1/targets`)
    ).json();
    const rules = await (
      await fetch(`${prometheus.baseUrl}/api/v1/rules`)
    ).json();
    if (
      targets.data.activeTargets.length === 3 &&
      rules.data.groups.length === 1 &&
      targets.data.activeTargets.every((t: any) => t.health !== 'unknown') &&
      rules.data.groups.every((g: any) => !/^0001/.test(g.lastEvaluation))
    ) {
      return;
    }
    await sleep(300);
  }
  throw new Error(
    `Prometheus did not scrape and evaluate in time:\n${prometheus.log()}`,
  );
});

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.stop();
});

const endpoint = () => ({ url: prometheus.baseUrl });

describe('checkScraped on a real Prometheus', () => {
  it('passes when the pods are an active target that is up and up is stored', async () => {
    const result = await checkScraped(target('sales-dashboard'), endpoint());
    expect(result).toMatchObject({
      state: 'pass',
      summary: expect.stringMatching(/^1 of 1 target\(s\) up/),
    });
    expect(result.evidence![0].url).toBe(
      `${prometheus.baseUrl}/targets?scrapePool=${encodeURIComponent(
        'podMonitor/dashboards/sales-dashboard/0',
      )}`,
    );
  });

  it('says the PodMonitor lacks the label Prometheus selects when there is no scrape pool for it', async () => {
    const result = await checkScraped(target('unselected-app'), endpoint());
    expect(result.state).toBe('fail');
    expect(result.cause).toBe(
      'No scrape target for these pods: Prometheus has no scrape pool for the PodMonitor dashboards/unselected-app, so it did not select it (its labels: release=kube-prometheus-stack): the PodMonitor lacks the label your Prometheus selects.',
    );
    expect(result.fix).toMatch(/podMonitorSelector/);
  });

  it('names the scrape error of a target that is down', async () => {
    const result = await checkScraped(target('broken-app'), endpoint());
    expect(result.state).toBe('fail');
    expect(result.cause).toMatch(
      /^Scraping http:\/\/127\.0\.0\.1:\d+\/metrics failed: .*connection refused/,
    );
  });

  it('cannot check without a Prometheus and says what to configure', async () => {
    expect(await checkScraped(target('sales-dashboard'), undefined)).toEqual({
      id: 'scraped',
      state: 'unavailable',
      summary:
        'Cannot check: no Prometheus is configured (goldenPath.prometheus.url).',
    });
  });
});

describe('checkDashboard on a real Prometheus', () => {
  it("passes when the main panels' Prometheus queries return series, and says which it skipped without Loki", async () => {
    const result = await checkDashboard(target('sales-dashboard'), {
      prometheus: endpoint(),
    });
    expect(result).toMatchObject({
      state: 'pass',
      summary:
        'The main panels return data (not checked, no Loki configured: Logs).',
    });
  });

  it('names the panel without data', async () => {
    const result = await checkDashboard(target('broken-app'), {
      prometheus: endpoint(),
    });
    expect(result.state).toBe('fail');
    // `up` of the broken target is 0 (data); no kube-state-metrics series tie pods to it.
    expect(result.summary).toBe('No data in Ready pods (A), Ready pods (B).');
  });
});

describe('checkAlerts on a real Prometheus', () => {
  const source = (group: string): RulesSource => ({
    endpoint: endpoint(),
    path: '/api/v1/rules',
    service: 'Prometheus',
    groupOf: g => g.name === group,
    expected: ALERT_RULES.map(r => r.alert),
    url: `${prometheus.baseUrl}/rules`,
  });

  it('passes when the group holds every rule and each was evaluated', async () => {
    expect(
      await checkAlerts(
        target('sales-dashboard'),
        source('golden-path-service'),
      ),
    ).toMatchObject({
      state: 'pass',
      summary: `${ALERT_RULES.length} rules loaded and evaluating.`,
    });
  });

  it('fails when the entity has no rule group', async () => {
    const result = await checkAlerts(
      target('sales-dashboard'),
      source('sales-dashboard'),
    );
    expect(result).toMatchObject({
      state: 'fail',
      summary:
        'Prometheus has no alert rule group for component:default/sales-dashboard.',
    });
  });
});
