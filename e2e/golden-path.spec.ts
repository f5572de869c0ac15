import { expect, test } from '@playwright/test';
import { screenshot, signInAsGuest } from './helpers';

// The example service (examples/entities.yaml) with what e2e/serve.mjs serves for it: its two pods
// healthy in the Kubernetes API stand-in (cluster `aks-production`), and their log streams in the
// Loki stand-in labelled as Promtail labels them, without the `service_name` the dashboard selects
// logs by. No Prometheus, Grafana token or Azure DevOps read token is configured.
const ENTITY_PATH = '/catalog/default/component/sales-dashboard';

test.use({ viewport: { width: 1440, height: 2000 } });

test('the Golden path card shows the failing logging check with its cause and fix', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await page.goto(ENTITY_PATH);
  const card = page
    .getByRole('article')
    .filter({ has: page.getByRole('heading', { name: 'Golden path' }) });
  const checks = card.getByRole('list', { name: 'Golden path checks' });
  await expect(checks).toBeVisible();
  await expect(checks.getByRole('listitem')).toHaveCount(6);

  // The same verdict as the pod-health card: both pods ready.
  const deployed = checks.getByRole('listitem', { name: /^Deployed: Holds/ });
  await expect(deployed).toContainText('2/2 pods ready.');

  // The first failing check, with what the agent sets and what to change.
  const logging = checks.getByRole('listitem', { name: /^Logging: Fails/ });
  await expect(logging).toContainText(
    'No log streams with {namespace="dashboards", service_name="sales-dashboard"}: your agent sets app, container, namespace, pod.',
  );
  const causeAndFix = logging.getByRole('note', { name: 'Cause and fix' });
  await expect(causeAndFix).toContainText(
    "Cause: The service's streams have no service_name label",
  );
  await expect(causeAndFix).toContainText(
    'Fix: Loki 3 derives service_name from app',
  );
  await expect(card.getByRole('note', { name: 'Cause and fix' })).toHaveCount(
    1,
  );

  // What the portal cannot check here says why, instead of failing.
  await expect(
    checks.getByRole('listitem', { name: /^Scraped: Cannot check/ }),
  ).toContainText(
    'Cannot check: no Prometheus is configured (goldenPath.prometheus.url).',
  );
  await expect(
    checks.getByRole('listitem', { name: /^Built: Cannot check/ }),
  ).toContainText('Cannot check: the entity has no dev.azure.com/host-org');
  await screenshot(page, testInfo, 'golden-path-card');

  // "Check now" asks the backend to run the checks again.
  const rerun = page.waitForResponse(
    r =>
      r.request().method() === 'POST' &&
      r
        .url()
        .endsWith(
          '/api/golden-path/entities/component/default/sales-dashboard/checks',
        ),
  );
  await card.getByRole('button', { name: 'Check now' }).click();
  expect((await rerun).status()).toBe(200);
  await expect(
    checks.getByRole('listitem', { name: /^Logging: Fails/ }),
  ).toBeVisible();
});
