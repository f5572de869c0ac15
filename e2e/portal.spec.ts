import { expect, test } from '@playwright/test';
import { signInAsGuest } from './helpers';

test('a guest signs in and sees the catalog with the portal itself', async ({
  page,
}, testInfo) => {
  await page.goto('/');
  await expect(page.getByText('Guest', { exact: true }).first()).toBeVisible();
  await page.getByRole('button', { name: 'Enter' }).click();

  await expect(
    page.getByRole('link', { name: 'Golden Path Portal' }),
  ).toBeVisible();
  // The catalog opens on what the guest's team owns; the example service is another team's.
  await expect(
    page.getByRole('link', { name: 'Sales dashboard' }),
  ).toBeHidden();
  await page.getByRole('menuitem', { name: /^All/ }).click();
  await expect(
    page.getByRole('link', { name: 'Sales dashboard' }),
  ).toBeVisible();
  await page.screenshot({
    path: testInfo.outputPath('catalog.png'),
    fullPage: true,
  });
  await page.screenshot({ path: 'e2e-artifacts/catalog.png', fullPage: true });
});

test('the home page says where the golden path starts', async ({ page }) => {
  await signInAsGuest(page);
  await page.goto('/home');
  await expect(
    page.getByRole('heading', { name: 'The golden path' }),
  ).toBeVisible();
  await page.getByRole('link', { name: 'Create a service' }).click();
  await expect(
    page.getByRole('heading', { name: 'Python dashboard service' }),
  ).toBeVisible();
});
