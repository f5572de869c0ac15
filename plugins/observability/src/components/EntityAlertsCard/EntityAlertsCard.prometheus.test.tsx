/*
 * The alerts card against a real Prometheus (Debian's `prometheus`) evaluating the shipped rules
 * (grafana/alerts/service.rules.yml, generated from ALERT_RULES), with their `for` shortened to
 * seconds so the test does not wait minutes. A pod of the service stops answering its scrape:
 * the card shows ServiceMetricsDown pending, then firing, then gone once the pod answers again.
 * The card reads Prometheus' own GET /api/v1/alerts, the format the proxy route serves.
 */
import { readFileSync } from 'fs';
import http from 'http';
import { AddressInfo } from 'net';
import { join, resolve } from 'path';
import { screen, within } from '@testing-library/react';
import { ConfigReader } from '@backstage/config';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  TestApiProvider,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { observabilityApiRef } from '../../api/ObservabilityApi';
import { GrafanaClient } from '../../api/GrafanaClient';
import { makeEntity } from '../../lib/__testUtils__/fixtures';
import {
  TestPrometheus,
  sleep,
  startPrometheus,
} from '@internal/plugin-observability-common/testing';
import {
  ALERT_RULES,
  prometheusExpression,
  scopedRuleValue,
} from '@internal/plugin-observability-common';
import { EntityAlertsCard } from './EntityAlertsCard';

jest.setTimeout(90_000);

const RULES = resolve(__dirname, '../../../grafana/alerts/service.rules.yml');
const NAMESPACE = 'dashboards';
const APP = 'sales-dashboard';
const PODS = [`${APP}-7d9f8b6c5-abcde`, `${APP}-7d9f8b6c5-fghij`];
const OTHER_POD = 'other-app-5c6d7e8f9-zzzzz';

/** fetch over Node's http with a fresh agent (jest's global agent refuses the network). */
function nodeFetch(url: string): Promise<Response> {
  return new Promise((resolvePromise, reject) => {
    http
      .get(url, { agent: false }, res => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', chunk => (body += chunk));
        res.on('end', () =>
          resolvePromise({
            ok: res.statusCode! >= 200 && res.statusCode! < 300,
            status: res.statusCode!,
            statusText: res.statusMessage ?? '',
            headers: { get: () => 'application/json' },
            json: async () => JSON.parse(body),
            text: async () => body,
          } as unknown as Response),
        );
      })
      .on('error', reject);
  });
}

const down = new Set<string>([OTHER_POD]);
let exporter: http.Server;
let prometheus: TestPrometheus;

beforeAll(async () => {
  exporter = http.createServer((req, res) => {
    const pod = (req.url ?? '').split('/').pop()!;
    if (down.has(pod)) {
      res.statusCode = 503;
      res.end('down');
      return;
    }
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end('dashboard_page_views_total{page="home"} 1\n');
  });
  await new Promise<void>(r => exporter.listen(0, '127.0.0.1', r));
  const address = `127.0.0.1:${(exporter.address() as AddressInfo).port}`;
  const target = (pod: string, app: string) => `
      - targets: ['${address}']
        labels:
          __metrics_path__: /pods/${pod}
          namespace: ${NAMESPACE}
          app: ${app}
          pod: ${pod}`;
  // The shipped rules, with every `for` shortened to 3 seconds.
  const rules = readFileSync(RULES, 'utf8').replace(
    /^(\s+for:) .+$/gm,
    '$1 3s',
  );
  prometheus = await startPrometheus({
    files: { 'service.rules.yml': rules },
    config: dir => `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['${join(dir, 'service.rules.yml')}']
scrape_configs:
  - job_name: app
    static_configs:${PODS.map(p => target(p, APP)).join('')}${target(
      OTHER_POD,
      'other-app',
    )}
`,
  });
  // Ready once the rules are loaded and the targets scraped.
  for (const deadline = Date.now() + 30_000; ; ) {
    const res = await prometheus.query('count(up)');
    if (Number(res.data?.result?.[0]?.value?.[1]) === 3) break;
    if (Date.now() > deadline) {
      throw new Error(`targets not scraped:\n${prometheus.log()}`);
    }
    await sleep(300);
  }
});

afterAll(async () => {
  await prometheus?.stop();
  await new Promise(r => (exporter ? exporter.close(r) : r(undefined)));
});

it('shows ServiceMetricsDown pending, firing, then resolved as a pod stops and resumes answering', async () => {
  const client = new GrafanaClient({
    configApi: new ConfigReader({
      observability: { alerts: { proxyPath: '/api/v1/alerts' } },
    }),
    discoveryApi: { getBaseUrl: async () => prometheus.baseUrl },
    fetchApi: { fetch: nodeFetch as typeof fetch },
  });
  const entity = makeEntity({
    'backstage.io/kubernetes-id': APP,
    'backstage.io/kubernetes-namespace': NAMESPACE,
    'backstage.io/techdocs-ref': 'dir:.',
  });
  await renderInTestApp(
    <TestApiProvider apis={[[observabilityApiRef, client]]}>
      <EntityProvider entity={entity}>
        <EntityAlertsCard pollIntervalMs={250} />
      </EntityProvider>
    </TestApiProvider>,
  );

  // The other app's pod is down from the start; its alert is not this entity's.
  expect(
    await screen.findByText('No alerts firing or pending.', undefined, {
      timeout: 15_000,
    }),
  ).toBeInTheDocument();

  down.add(PODS[1]);
  const pending = await screen.findByLabelText(
    'ServiceMetricsDown pending',
    undefined,
    { timeout: 15_000 },
  );
  expect(within(pending).getByText('Pending')).toBeInTheDocument();

  const firing = await screen.findByLabelText(
    'ServiceMetricsDown firing',
    undefined,
    { timeout: 15_000 },
  );
  expect(within(firing).getByText('warning')).toBeInTheDocument();
  expect(
    within(firing).getByText(`${APP} in ${NAMESPACE}: /metrics not scraped.`),
  ).toBeInTheDocument();
  expect(
    within(firing).getByText(/^Firing for \d+ seconds?$/),
  ).toBeInTheDocument();
  expect(within(firing).getByRole('link', { name: 'Runbook' })).toHaveAttribute(
    'href',
    '/docs/default/component/sales-dashboard/operations/#servicemetricsdown',
  );
  // One alert: the pod that is down, not the other app's.
  expect(screen.getAllByRole('listitem')).toHaveLength(1);

  down.delete(PODS[1]);
  expect(
    await screen.findByText('No alerts firing or pending.', undefined, {
      timeout: 15_000,
    }),
  ).toBeInTheDocument();
});

it("keeps a rule to one service's series, as the rules provisioned into Grafana query it", async () => {
  const rule = ALERT_RULES.find(r => r.alert === 'ServiceMetricsDown')!;
  // The other app's pod is down throughout; the rule's unscoped value sees it.
  const all = await prometheus.query(prometheusExpression(rule));
  expect(all.data.result.map((r: any) => r.metric.app)).toEqual(['other-app']);
  const scoped = await prometheus.query(
    scopedRuleValue(rule, { namespace: NAMESPACE, app: APP }),
  );
  expect(scoped.status).toBe('success');
  expect(scoped.data.result.map((r: any) => r.metric.app)).toEqual([APP, APP]);
  const other = await prometheus.query(
    scopedRuleValue(rule, { namespace: NAMESPACE, app: 'other-app' }),
  );
  expect(other.data.result).toEqual([
    expect.objectContaining({
      metric: expect.objectContaining({ pod: OTHER_POD }),
      value: [expect.any(Number), '0'],
    }),
  ]);
});
