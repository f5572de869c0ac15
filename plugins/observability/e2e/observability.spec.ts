import http from 'node:http';
import { expect, test } from '@playwright/test';

/*
 * The Observability tab in the real app, served by the real backend, with a stand-in for the
 * local Grafana of app-config.yaml (http://localhost:3030): it answers the proxy's health and
 * dashboard checks and serves a page for each embedded panel that echoes the panel's parameters.
 */
let grafana: http.Server;
const grafanaRequests: string[] = [];

test.beforeAll(async () => {
  grafana = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost:3030');
    grafanaRequests.push(url.pathname);
    if (url.pathname === '/api/health') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ database: 'ok', version: '11.6.0' }));
    } else if (url.pathname === '/api/dashboards/uid/service-overview') {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          dashboard: { uid: 'service-overview', title: 'Service overview' },
        }),
      );
    } else if (url.pathname === '/d-solo/service-overview') {
      const p = url.searchParams;
      res.setHeader('content-type', 'text/html');
      res.end(
        `<p>panel ${p.get('panelId')} app=${p.get('var-app')} namespace=${p.get(
          'var-namespace',
        )} from=${p.get('from')}</p>`.replace(/[^\w\s<>/=.-]/g, ''),
      );
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    grafana.once('error', reject);
    grafana.listen(3030, '127.0.0.1', resolve);
  });
});

test.afterAll(async () => {
  await new Promise(resolve => grafana?.close(resolve));
});

test('the Observability tab embeds Grafana panels scoped to the entity', async ({
  page,
}, testInfo) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('link', { name: 'Create' })).toBeVisible();

  await page.goto('/catalog/default/component/sales-dashboard');
  // The entity page's tabs are links.
  await page.getByRole('link', { name: 'Observability', exact: true }).click();
  await expect(
    page.getByRole('link', { name: /Open in Grafana/ }),
  ).toBeVisible();

  const frames = page.locator('iframe[title$="(Grafana)"]');
  await expect(frames).toHaveCount(11);
  const cpu = page.locator('iframe[title="CPU, Service overview (Grafana)"]');
  const src = new URL((await cpu.getAttribute('src'))!);
  expect(src.origin).toBe('http://localhost:3030');
  expect(src.searchParams.get('var-app')).toBe('sales-dashboard');
  expect(src.searchParams.get('var-namespace')).toBe('dashboards');
  await cpu.scrollIntoViewIfNeeded();
  // The CSP's frame-src lets the frame load: its content comes from the stand-in.
  await expect(
    page
      .frameLocator('iframe[title="CPU, Service overview (Grafana)"]')
      .getByText(
        'panel 5 app=sales-dashboard namespace=dashboards from=now-1h',
      ),
  ).toBeVisible();
  expect(grafanaRequests).toContain('/api/health');

  await page.getByRole('button', { name: /^Time range/ }).click();
  await page.getByRole('option', { name: 'Last 6 hours' }).click();
  await expect(
    page
      .frameLocator('iframe[title="CPU, Service overview (Grafana)"]')
      .getByText('from=now-6h'),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('observability-tab.png'),
    fullPage: true,
  });

  // The portal's own entity has no Kubernetes annotations: no tab.
  await page.goto('/catalog/default/component/golden-path-portal');
  await expect(
    page.getByRole('link', { name: 'Overview', exact: true }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Observability', exact: true }),
  ).toHaveCount(0);
});
