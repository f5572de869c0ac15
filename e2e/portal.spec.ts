import { expect, test } from '@playwright/test';
import { screenshot, signInAsGuest } from './helpers';

test('a guest signs in on the home page, whose links go where they say', async ({
  page,
}, testInfo) => {
  await page.goto('/');
  await expect(page.getByText('Guest', { exact: true }).first()).toBeVisible();
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(
    page.getByRole('heading', { name: 'The golden path' }),
  ).toBeVisible();
  await screenshot(page, testInfo, 'home');

  // The catalog opens on every service, the example another team owns among them.
  await page.getByRole('link', { name: 'Find a service' }).click();
  await expect(page).toHaveURL(/\/catalog(\?.*)?$/);
  await expect(
    page.getByRole('link', { name: 'Golden Path Portal' }),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Sales dashboard' }),
  ).toBeVisible();
  await screenshot(page, testInfo, 'catalog');
  await page.screenshot({ path: 'e2e-artifacts/catalog.png', fullPage: true });

  // The sidebar's Catalog goes back to the list from an entity page, the logo goes home.
  await page.getByRole('link', { name: 'Sales dashboard' }).click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/sales-dashboard/,
  );
  // The header's Catalog breadcrumb names the catalog list, not the entity itself.
  await expect(
    page.locator('.react-aria-Breadcrumb a', { hasText: 'Catalog' }),
  ).toHaveAttribute('href', /\/catalog$/);
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Catalog', exact: true })
    .click();
  await expect(page).toHaveURL(/\/catalog(\?.*)?$/);
  await page.getByRole('link', { name: 'Home', exact: true }).first().click();
  await expect(
    page.getByRole('heading', { name: 'The golden path' }),
  ).toBeVisible();
});

test('the home page says where the golden path starts', async ({ page }) => {
  await signInAsGuest(page);
  await expect(
    page.getByRole('heading', { name: 'The golden path' }),
  ).toBeVisible();
  await page.getByRole('link', { name: 'Create a service' }).click();
  await expect(
    page.getByRole('heading', { name: 'Python dashboard service' }),
  ).toBeVisible();
});
