import fs from 'node:fs';
import type { Page, TestInfo } from '@playwright/test';
import { expect } from '@playwright/test';

/** Signs in as the catalog User `guest` (the only local sign-in) and waits for the home page. */
export async function signInAsGuest(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Enter' }).click();
  await expect(page.getByRole('link', { name: 'Create' })).toBeVisible();
}

/**
 * Saves a full-page screenshot as an artifact of the test (its output directory) and under
 * e2e-artifacts/<test file>/, where the files keep their names from run to run.
 */
export async function screenshot(
  page: Page,
  testInfo: TestInfo,
  name: string,
): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: 'image/png' });
  const dir = `e2e-artifacts/${testInfo.titlePath[0].replace(
    /\.spec\.ts$/,
    '',
  )}`;
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(file, `${dir}/${name}.png`);
}
