import { expect, test, type Page } from '@playwright/test';
import { GRAFANA_URL } from '../playwright.config';
import { screenshot, signInAsGuest } from './helpers';

// The example service (examples/entities.yaml) and what e2e/serve.mjs serves for it: the
// Kubernetes API stand-in replays the `healthy` recording of its two pods in the cluster
// `aks-production`, and the Grafana stand-in has the provisioned `service-overview` dashboard.
const ENTITY_PATH = '/catalog/default/component/sales-dashboard';
const PODS = [
  'sales-dashboard-6d8f7c9b4d-7xk2p',
  'sales-dashboard-6d8f7c9b4d-m4q9t',
];
const PANELS = [
  'Ready pods',
  'Container restarts',
  'Metrics targets up',
  'Error logs',
  'CPU',
  'Memory',
  'Page views',
  'Widget interactions',
  'Render time',
  'Log volume by level',
  'Logs',
];

// Tall enough for the whole overview, so its lazily loaded Grafana frames load too.
test.use({ viewport: { width: 1440, height: 2000 } });

function entityTab(page: Page, name: string) {
  return page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name, exact: true });
}

test.beforeEach(async ({ page }) => {
  await signInAsGuest(page);
  await page.goto(ENTITY_PATH);
  await expect(
    page.getByRole('heading', { name: 'Sales dashboard', exact: true }),
  ).toBeVisible();
});

test('the overview shows the pod-health card of the running service', async ({
  page,
}, testInfo) => {
  const card = page
    .getByRole('article')
    .filter({ has: page.getByRole('heading', { name: 'Pod health' }) });
  const deployment = card.getByRole('region', {
    name: 'Deployment sales-dashboard',
  });
  await expect(deployment).toBeVisible();
  await expect(deployment.getByText('Healthy', { exact: true })).toBeVisible();
  await expect(deployment.getByText('2/2 pods ready')).toBeVisible();
  await expect(
    deployment.getByText(/revision 7, sales-dashboard:1\.4\.2/),
  ).toBeVisible();

  // The overview's Observability card embeds panels of the same dashboard.
  const observability = page
    .getByRole('article')
    .filter({ has: page.getByRole('heading', { name: 'Observability' }) });
  await expect(
    observability.frameLocator('iframe').first().getByRole('heading'),
  ).toBeVisible();

  // The Alerts card lists the service's firing alert from Grafana, through the proxy's alerts
  // route, and leaves out the other app's.
  const alerts = page
    .getByRole('article')
    .filter({ has: page.getByRole('heading', { name: 'Alerts' }) });
  const firing = alerts.getByLabel('ServiceMetricsDown firing');
  await expect(firing).toBeVisible();
  await expect(firing).toContainText(
    'sales-dashboard in dashboards: /metrics not scraped.',
  );
  await expect(firing).toContainText(/Firing for 7 minutes/);
  await expect(alerts.getByRole('listitem')).toHaveCount(1);
  await screenshot(page, testInfo, 'overview');

  await card.getByRole('link', { name: 'Kubernetes tab' }).click();
  await expect(page).toHaveURL(new RegExp(`${ENTITY_PATH}/kubernetes$`));
});

test('the Kubernetes tab lists the pods of the service in its cluster', async ({
  page,
}, testInfo) => {
  await entityTab(page, 'Kubernetes').click();
  const cluster = page.getByRole('button', { name: /^aks-production Cluster/ });
  await expect(cluster).toBeVisible();
  await expect(cluster.getByText('2 pods')).toBeVisible();
  await expect(cluster.getByText('No pods with errors')).toBeVisible();
  await cluster.click();
  // The Deployment's row expands to its pods; its name is a button of its own that opens the
  // object's YAML, so the row is opened by its pod summary.
  const deployment = page.getByRole('button').filter({
    has: page.getByRole('button', { name: /^sales-dashboard Deployment/ }),
  });
  await deployment.getByText('No pods with errors').click();
  for (const pod of PODS) {
    await expect(page.getByText(pod, { exact: true })).toBeVisible();
  }
  await screenshot(page, testInfo, 'kubernetes-tab');
});

test('the Observability tab embeds the Grafana panels of the service', async ({
  page,
}, testInfo) => {
  await entityTab(page, 'Observability').click();
  await expect(page).toHaveURL(new RegExp(`${ENTITY_PATH}/observability$`));

  const frames = page.locator('iframe');
  await expect(frames).toHaveCount(PANELS.length);
  const panelIds = new Set<string>();
  for (const [i, panel] of PANELS.entries()) {
    const frame = frames.nth(i);
    await expect(frame).toHaveAttribute(
      'title',
      `${panel}, Service overview (Grafana)`,
    );
    const src = new URL((await frame.getAttribute('src')) ?? '');
    expect(src.origin).toBe(GRAFANA_URL);
    expect(src.pathname).toBe('/d-solo/service-overview');
    expect(Object.fromEntries(src.searchParams)).toMatchObject({
      orgId: '1',
      'var-datasource': 'Prometheus',
      'var-loki': 'Loki',
      // Always passed: the dashboard's hidden text boxes keep exactly what the URL gives.
      'var-cluster': '',
      'var-namespace': 'dashboards',
      'var-app': 'sales-dashboard',
      from: 'now-1h',
      to: 'now',
    });
    panelIds.add(src.searchParams.get('panelId') ?? '');
  }
  expect(panelIds.size).toBe(PANELS.length);

  // Each frame is the dashboard's panel of that name: the Grafana stand-in answers a panel URL
  // with the panel's title from the provisioned dashboard, and 404 for an id it does not have.
  for (const [i, panel] of PANELS.entries()) {
    await frames.nth(i).scrollIntoViewIfNeeded();
    const body = page.frameLocator('iframe').nth(i).locator('body');
    await expect(
      body.getByRole('heading', { name: panel, exact: true }),
    ).toBeVisible();
    await expect(body).toContainText(
      'namespace=dashboards, app=sales-dashboard',
    );
  }

  // Changing the time range rebuilds the panel URLs.
  await page.getByRole('button', { name: /^Time range/ }).click();
  await page.getByRole('option', { name: 'Last 24 hours' }).click();
  await expect(frames.first()).toHaveAttribute('src', /[?&]from=now-24h(&|$)/);

  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, testInfo, 'observability-tab');
});

test('an entity without the Kubernetes annotations has neither the Kubernetes nor the Observability tab', async ({
  page,
}) => {
  await page.goto('/catalog/default/component/golden-path-portal');
  await expect(entityTab(page, 'Overview')).toBeVisible();
  await expect(entityTab(page, 'Observability')).toHaveCount(0);
  await expect(entityTab(page, 'Kubernetes')).toHaveCount(0);
});
