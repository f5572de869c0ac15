// A stand-in for Grafana on loopback, for the browser test of the Observability tab: the two API
// calls the tab makes through the backend's proxy (health, the dashboard by uid) answered from the
// provisioned dashboard (plugins/observability/grafana/dashboards/), the alerts list the alerts
// card reads (GET /api/prometheus/grafana/api/v1/alerts, Prometheus' alerts format as Grafana
// serves it for its own rules, RouteGetGrafanaAlertStatuses in grafana/grafana
// pkg/api/docs/clients/go/docs/PrometheusApi.md: one firing ServiceMetricsDown of sales-dashboard
// and one alert of another app, which the card must leave out), and a small page for each
// /d-solo/<uid> panel URL naming the panel and the variables it was asked for. A panel id the
// dashboard does not have, or another uid, gets a 404, as from Grafana.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export async function startGrafanaStandIn({ port = 0, dashboardsDir }) {
  const dashboards = new Map();
  for (const file of fs.readdirSync(dashboardsDir)) {
    if (!file.endsWith('.json')) continue;
    const dashboard = JSON.parse(
      fs.readFileSync(path.join(dashboardsDir, file), 'utf8'),
    );
    dashboards.set(dashboard.uid, dashboard);
  }
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let m;
    if (req.method !== 'GET') return send(res, 405, 'text/plain', '');
    if (url.pathname === '/api/health') {
      return json(res, 200, {
        commit: 'stand-in',
        database: 'ok',
        version: '11.0.0',
      });
    }
    if (url.pathname === '/api/prometheus/grafana/api/v1/alerts') {
      const alert = (app, pod) => ({
        labels: {
          alertname: 'ServiceMetricsDown',
          severity: 'warning',
          namespace: 'dashboards',
          app,
          pod,
          managed_by: 'backstage-portal',
        },
        annotations: {
          summary: `${app} in dashboards: /metrics not scraped`,
          description: `Prometheus cannot scrape ${pod}.`,
          runbook_url: 'operations/#servicemetricsdown',
        },
        state: 'Alerting',
        activeAt: new Date(Date.now() - 7 * 60_000).toISOString(),
        value: '0e+00',
      });
      return json(res, 200, {
        status: 'success',
        data: {
          alerts: [
            alert('sales-dashboard', 'sales-dashboard-7d9f8b6c5-fghij'),
            alert('other-app', 'other-app-5c6d7e8f9-zzzzz'),
          ],
        },
      });
    }
    if ((m = url.pathname.match(/^\/api\/dashboards\/uid\/([^/]+)$/))) {
      const dashboard = dashboards.get(decodeURIComponent(m[1]));
      if (!dashboard) return json(res, 404, { message: 'Dashboard not found' });
      return json(res, 200, { dashboard, meta: { slug: dashboard.uid } });
    }
    if ((m = url.pathname.match(/^\/d-solo\/([^/]+)$/))) {
      const dashboard = dashboards.get(decodeURIComponent(m[1]));
      const panelId = Number(url.searchParams.get('panelId'));
      const panel = dashboard?.panels?.find(p => p.id === panelId);
      if (!panel) return send(res, 404, 'text/plain', 'Panel not found');
      const vars = ['namespace', 'app']
        .map(v => `${v}=${url.searchParams.get(`var-${v}`) ?? ''}`)
        .join(', ');
      const dark = url.searchParams.get('theme') === 'dark';
      return send(
        res,
        200,
        'text/html; charset=utf-8',
        `<!doctype html><html><head><title>${escape(
          panel.title,
        )}</title></head>` +
          `<body style="margin:0;padding:8px 12px;font:14px sans-serif;` +
          `background:${dark ? '#181b1f' : '#fff'};color:${
            dark ? '#ccccdc' : '#24292e'
          }">` +
          `<h1 style="font-size:14px;margin:0 0 6px">${escape(
            panel.title,
          )}</h1>` +
          `<p style="margin:0;opacity:.7">${escape(
            panel.type,
          )} panel ${panelId} of ` +
          `${escape(dashboard.title)}; ${escape(vars)}</p></body></html>`,
      );
    }
    console.error(`grafana stand-in: unhandled ${req.method} ${req.url}`);
    json(res, 404, { message: 'Not found' });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () =>
      new Promise(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function escape(text) {
  return String(text).replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]),
  );
}

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function json(res, status, value) {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}
