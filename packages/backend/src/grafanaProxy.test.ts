/*
 * The Grafana proxy endpoints of app-config.production.yaml in the real proxy backend, in front of
 * a local server standing in for Grafana that records what reaches it: only the endpoints the
 * observability plugin calls get through, read-only, with the token; nothing else of Grafana's
 * API (data source proxy, queries) is reachable through the portal.
 */
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import proxyPlugin from '@backstage/plugin-proxy-backend';
import request from 'supertest';
import { parse } from 'yaml';

const TOKEN = 'glsa_viewer_Zx8Qw2Lp5Rt7';

describe('the Grafana proxy endpoints of app-config.production.yaml', () => {
  let upstream: http.Server;
  const reached: Array<{ method: string; url: string; auth?: string }> = [];
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      reached.push({
        method: req.method!,
        url: req.url!,
        auth: req.headers.authorization,
      });
      res.setHeader('content-type', 'application/json');
      res.end('{"database":"ok"}');
    });
    await new Promise<void>(r => upstream.listen(0, '127.0.0.1', r));
    const grafanaUrl = `http://127.0.0.1:${
      (upstream.address() as AddressInfo).port
    }`;
    const text = fs
      .readFileSync(
        path.resolve(__dirname, '../../../app-config.production.yaml'),
        'utf8',
      )
      .replaceAll('${GRAFANA_URL}', grafanaUrl)
      .replaceAll('${GRAFANA_TOKEN}', TOKEN);
    const { proxy } = parse(text);
    backend = await startTestBackend({
      features: [
        proxyPlugin,
        mockServices.rootConfig.factory({ data: { proxy } }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await new Promise(r => upstream?.close(r));
  });

  beforeEach(() => {
    reached.length = 0;
  });

  const get = (url: string) =>
    request(backend.server)
      .get(url)
      .set('Authorization', mockCredentials.user.header());

  it.each([
    ['/api/proxy/grafana/api/health', '/api/health'],
    [
      '/api/proxy/grafana/api/dashboards/uid/service-overview',
      '/api/dashboards/uid/service-overview',
    ],
    ['/api/proxy/grafana/alerts', '/api/prometheus/grafana/api/v1/alerts'],
  ])('forwards %s to %s with the token', async (from, to) => {
    const res = await get(from);
    expect(res.status).toBe(200);
    expect(reached).toEqual([
      { method: 'GET', url: to, auth: `Bearer ${TOKEN}` },
    ]);
  });

  it.each([
    '/api/proxy/grafana/api/dashboards/uid/another-teams-dashboard',
    '/api/proxy/grafana/api/datasources/proxy/uid/prometheus/api/v1/query?query=up',
    '/api/proxy/grafana/api/ds/query',
    '/api/proxy/grafana/api/search?query=',
    '/api/proxy/grafana/api/datasources',
    '/api/proxy/grafana/api/users',
  ])('does not reach Grafana for %s', async url => {
    const res = await get(url);
    expect(res.status).toBe(404);
    expect(reached).toEqual([]);
  });

  it('refuses writes', async () => {
    const res = await request(backend.server)
      .post('/api/proxy/grafana/api/dashboards/uid/service-overview')
      .set('Authorization', mockCredentials.user.header())
      .send({});
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(reached).toEqual([]);
  });

  it('sends anything below the health, dashboard and alerts endpoints to exactly their one path', async () => {
    await get('/api/proxy/grafana/api/health/../../datasources');
    await get('/api/proxy/grafana/api/health/x/y?query=up');
    await get('/api/proxy/grafana/alerts/api/v1/query?query=up');
    // The public-dashboard settings hold its access token; versions and permissions of the
    // dashboard are not the plugin's business either.
    await get(
      '/api/proxy/grafana/api/dashboards/uid/service-overview/public-dashboards',
    );
    await get(
      '/api/proxy/grafana/api/dashboards/uid/service-overview/versions',
    );
    expect(reached.map(r => r.url)).toEqual([
      '/api/health',
      '/api/prometheus/grafana/api/v1/alerts',
      '/api/dashboards/uid/service-overview',
      '/api/dashboards/uid/service-overview',
    ]);
  });

  it('does not let a dot-dot path climb out of an allowed endpoint', async () => {
    for (const url of [
      '/api/proxy/grafana/api/dashboards/uid/../../datasources/proxy/1/api/v1/query',
      '/api/proxy/grafana/api/dashboards/uid/%2e%2e/%2e%2e/datasources/proxy/1',
      '/api/proxy/grafana/api/health/../datasources',
    ]) {
      await get(url);
    }
    for (const { url } of reached) {
      expect(url).not.toMatch(/(^|\/)(\.\.|%2e%2e)(\/|$)/i);
      expect(url).not.toContain('datasources');
    }
  });
});
