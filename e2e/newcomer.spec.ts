import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { NEWCOMER_GIT_URL } from '../playwright.newcomer.config';
import { screenshot, signInAsGuest } from './helpers';

const run = promisify(execFile);

// The portal runs the start configuration (e2e/serve-newcomer.mjs): app-config.yaml and the local
// git server, no token for GitHub or Azure DevOps, no Grafana, no cluster.
const NAME = 'first-dashboard';

async function choose(page: Page, label: string, option: string) {
  await page.getByRole('button', { name: new RegExp(`^${label}`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
  await expect(page.getByRole('listbox')).toBeHidden();
}

const next = (page: Page) => page.getByRole('button', { name: 'Next' }).click();

/** Opens the service template and fills every page up to Review with what a newcomer types. */
async function fillServiceForm(page: Page, name: string) {
  await page.getByRole('link', { name: 'Create' }).first().click();
  const card = page
    .locator('div')
    .filter({
      has: page.getByRole('heading', { name: 'Python dashboard service' }),
    })
    .filter({ has: page.getByRole('button', { name: 'Choose' }) })
    .last();
  await card.getByRole('button', { name: 'Choose' }).click();
  await page.getByRole('textbox', { name: 'Name' }).fill(name);
  await page
    .getByRole('textbox', { name: 'Description' })
    .fill('My first service on the golden path');
  await next(page);
  await next(page); // Dashboard: its defaults
  await next(page); // Runtime: its defaults
  // The owner's one Docker Hub namespace (azurePipelines.teams) is chosen for the user.
  await expect(
    page.getByRole('button', { name: /^Docker Hub namespace/ }),
  ).toHaveText('contoso');
  await choose(page, 'Registry service connection', 'docker-hub');
  await choose(page, 'Kubernetes service connection', 'aks-production');
  await choose(page, 'Environment', 'production');
  await next(page);
}

test('a newcomer follows the home page to the catalog, creates a service in the local git server, opens it and its docs, and cannot create it twice', async ({
  page,
}, testInfo) => {
  test.setTimeout(420_000);
  await signInAsGuest(page);

  // Home, then the catalog with the example service.
  await expect(
    page.getByRole('heading', { name: 'The golden path' }),
  ).toBeVisible();
  await page.getByRole('link', { name: 'Find a service' }).click();
  await expect(page).toHaveURL(/\/catalog(\?.*)?$/);
  await expect(
    page.getByRole('link', { name: 'Sales dashboard' }),
  ).toBeVisible();
  await screenshot(page, testInfo, '1-catalog');

  await fillServiceForm(page, NAME);

  // Repository: this machine's git server is the default, named after the service; GitHub and
  // Azure DevOps are not offered, and the field says what they need.
  await expect(page.getByRole('button', { name: /^Host/ })).toHaveText(
    /This machine \(local git server\)/,
  );
  await expect(
    page.getByRole('textbox', { name: 'Repository name' }),
  ).toHaveValue(NAME);
  await expect(
    page.getByText(
      /^Not offered here: dev\.azure\.com needs a personal access token: add one under integrations\.azure credentials .*; github\.com needs a token with repository rights: set GITHUB_TOKEN .*\.$/,
    ),
  ).toBeVisible();
  await screenshot(page, testInfo, '2-repository');
  // One click on Review is enough: the field's value is what it shows.
  await page.getByRole('button', { name: 'Review' }).click();
  const localHost = new URL(NEWCOMER_GIT_URL).host;
  await expect(
    page.getByRole('row', {
      name: `Repository location ${localHost}?repo=${NAME}`,
      exact: true,
    }),
  ).toBeVisible();
  // The owner as the catalog names it, not as an entity ref.
  await expect(
    page.getByRole('row', { name: 'Owner platform-team', exact: true }),
  ).toBeVisible();
  await page.getByRole('button', { name: 'Create' }).click();

  // The task publishes with a real push and registers the entity; the pipeline steps are
  // skipped for a repository on this machine.
  await expect(page).toHaveURL(/\/create\/tasks\/[0-9a-f-]+$/);
  const openInCatalog = page.getByRole('link', { name: 'Open in catalog' });
  await expect(openInCatalog).toBeVisible({ timeout: 180_000 });
  await screenshot(page, testInfo, '3-task-done');

  // What the server holds: a clone has the generated files.
  const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'newcomer-clone-'));
  await run('git', [
    'clone',
    '--quiet',
    `${NEWCOMER_GIT_URL}/${NAME}.git`,
    clone,
  ]);
  expect(
    fs.readFileSync(path.join(clone, 'catalog-info.yaml'), 'utf8'),
  ).toContain(`name: ${NAME}`);
  expect(fs.existsSync(path.join(clone, 'docs/index.md'))).toBe(true);
  fs.rmSync(clone, { recursive: true, force: true });

  // The new entity, read by the catalog from the local git server, and its docs built from it.
  await openInCatalog.click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${NAME}`),
  );
  // The catalog stitches a newly registered entity moments after the task ends: a newcomer who
  // sees "Entity not found" reloads.
  const techDocsTab = page.getByText('TechDocs', { exact: true }).first();
  await expect(async () => {
    if (await page.getByText('Entity not found').isVisible())
      await page.reload();
    await expect(techDocsTab).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
  await techDocsTab.click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/component/${NAME}/docs`),
  );
  // The first visit builds the docs (mkdocs, from the tree the URL reader cloned) and offers
  // to show them once built, as TechDocs does; the built site is the generated docs/index.md.
  const refresh = page.getByRole('button', { name: 'Refresh' });
  const built = page.getByRole('heading', { name: 'Run it locally' });
  await expect(refresh.or(built)).toBeVisible({ timeout: 180_000 });
  if (await refresh.isVisible()) await refresh.click();
  await expect(built).toBeVisible({ timeout: 60_000 });
  await expect(
    page.getByRole('heading', { name: NAME, level: 1 }),
  ).toBeVisible();
  await screenshot(page, testInfo, '4-entity-docs');

  // The same name again: refused on Review, before anything is created.
  await fillServiceForm(page, NAME);
  await page.getByRole('button', { name: 'Review' }).click();
  await expect(
    page
      .getByText(
        `a repository named '${NAME}' already exists on this machine's git server: choose another name`,
      )
      .first(),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create' })).toBeHidden();
  await screenshot(page, testInfo, '5-second-create-refused');
});
