import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { readTemplateDir } from '../plugins/template-upgrades-backend/src/__fixtures__/readTemplateDir';
import { renderOnlyTemplate } from '../plugins/template-upgrades-backend/src/lib/render';
import { BASE_URL } from '../playwright.config';
import { screenshot, signInAsGuest } from './helpers';

/*
 * The Template upgrades page and card against the real backend: e2e/serve.mjs starts the
 * template-upgrades backend with the template `svc` (its fixture repository: 1.0.0 tagged, 1.1.0
 * on main) and a git host with GitHub's pull-request API (the backend's stand-in), holding two
 * services' repositories; this test pushes their files as the real scaffolder renders 1.0.0. The
 * guest belongs to platform-team, which owns svc-ours; svc-theirs is dashboards-team's.
 */
type Info = {
  token: string;
  templateRepo: string;
  services: {
    name: string;
    owner: string;
    location: string;
    cloneUrl: string;
  }[];
};
const port = new URL(BASE_URL).port;
const info: Info = JSON.parse(
  fs.readFileSync(
    process.env.E2E_UPGRADES_INFO ??
      path.join(os.tmpdir(), `e2e-template-upgrades-${port}.json`),
    'utf8',
  ),
);

function git(cwd: string, ...args: string[]) {
  return execFileSync('git', args, {
    cwd,
    stdio: 'pipe',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Portal',
      GIT_AUTHOR_EMAIL: 'portal@example.com',
      GIT_COMMITTER_NAME: 'Portal',
      GIT_COMMITTER_EMAIL: 'portal@example.com',
    },
  }).toString();
}

/** A Backstage token of the guest, as the frontend's sign-in gets it. */
async function guestToken(request: APIRequestContext): Promise<string> {
  const res = await request.get('/api/auth/guest/refresh', {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  expect(res.status()).toBe(200);
  return (await res.json()).backstageIdentity.token;
}

/** What the creation of each service published: 1.0.0 rendered by the scaffolder's dry run. */
async function pushServices(request: APIRequestContext) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-upgrades-'));
  const v1 = path.join(tmp, 'v1');
  git(info.templateRepo, 'worktree', 'add', '--quiet', v1, 'svc@1.0.0');
  const template = readTemplateDir(path.join(v1, 'templates/svc'));
  const token = await guestToken(request);
  const auth = `http.extraHeader=Authorization: Basic ${Buffer.from(
    `x:${info.token}`,
  ).toString('base64')}`;
  for (const s of info.services) {
    const res = await request.post('/api/scaffolder/v2/dry-run', {
      headers: { Authorization: `Bearer ${token}` },
      data: {
        ...template,
        template: renderOnlyTemplate(template.template),
        values: {
          name: s.name,
          owner: s.owner,
          repoLocation: s.location,
          greeting: 'Hi',
        },
      },
    });
    expect(res.status(), await res.text()).toBe(200);
    const dir = path.join(tmp, s.name);
    for (const file of (await res.json()).directoryContents) {
      const target = path.join(dir, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, Buffer.from(file.base64Content, 'base64'));
    }
    git(dir, 'init', '--quiet', '--initial-branch=main');
    git(dir, 'add', '-A');
    git(dir, 'commit', '--quiet', '-m', 'Created from svc 1.0.0');
    git(dir, '-c', auth, 'push', '--quiet', s.cloneUrl, 'main');
  }
  git(info.templateRepo, 'worktree', 'remove', '--force', v1);
}

test.describe.configure({ mode: 'serial' });
test.use({ viewport: { width: 1440, height: 1400 } });

test.beforeAll(async ({ request }) => {
  await pushServices(request);
});

test('the page lists both services behind, lets the guest dry-run and upgrade only its own, a second run updates the same pull request, and the card links it', async ({
  page,
}, testInfo) => {
  await signInAsGuest(page);
  await page.getByRole('link', { name: 'Template upgrades' }).click();
  const table = page.getByRole('table', {
    name: 'Services made from a template',
  });
  const ours = table.getByRole('row', { name: 'svc-ours', exact: true });
  const theirs = table.getByRole('row', { name: 'svc-theirs', exact: true });
  await expect(ours).toContainText('svc1.0.01.1.0Behind');
  await expect(theirs).toContainText('svc1.0.01.1.0Behind');
  // Another team's service is listed, not selectable, and says why.
  await expect(
    page.getByRole('checkbox', { name: 'Select svc-theirs' }),
  ).toBeDisabled();
  await expect(theirs).toContainText('group:default/dashboards-team');
  await screenshot(page, testInfo, 'page');

  await page.getByRole('checkbox', { name: 'Select svc-ours' }).check();
  test.setTimeout(240_000);
  await page.getByRole('button', { name: 'Dry run (1)' }).click();
  const details = page.getByRole('region', {
    name: 'What the upgrade of svc-ours changes',
  });
  const files = details.getByRole('list', { name: 'Files' });
  await expect(files).toContainText('NEW.md added');
  await expect(files).toContainText('new-name.txt renamed from old-name.txt');
  await expect(files).toContainText('obsolete.txt removed');
  await expect(files).toContainText('config/app.yaml modified');
  await expect(details).toContainText(
    'Three replicas and a probe path by default',
  );
  await screenshot(page, testInfo, 'dry-run');

  await page.getByRole('button', { name: 'Open pull requests (1)' }).click();
  // Both renders, the clone, the merge and the push: slower than a dry run.
  await expect(ours).toContainText(/Opened pull request #\d+/, {
    timeout: 100_000,
  });
  // The list, read again, names the pull request the stand-in holds.
  const prLink = ours.getByRole('link', { name: /^#\d+/ });
  await expect(prLink).toBeVisible();
  const href = await prLink.getAttribute('href');
  await screenshot(page, testInfo, 'opened');

  // Again: the same pull request is updated, no second one is opened.
  const number = (await prLink.textContent())!.match(/#(\d+)/)![1];
  await page.getByRole('button', { name: 'Dry run (1)' }).click();
  await expect(
    page.getByRole('button', { name: 'Open pull requests (1)' }),
  ).toBeEnabled({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Open pull requests (1)' }).click();
  await expect(ours).toContainText(`Updated pull request #${number}`, {
    timeout: 100_000,
  });
  await expect(ours.getByRole('link', { name: /^#\d+/ })).toHaveAttribute(
    'href',
    href!,
  );

  await page.goto('/catalog/default/component/svc-ours');
  const card = page
    .getByRole('article')
    .filter({ has: page.getByRole('heading', { name: 'Template upgrade' }) });
  await expect(card.getByLabel('Template version')).toContainText(
    'Templatesvc',
  );
  await expect(
    card.getByRole('link', { name: /Upgrade pull request #\d+/ }),
  ).toHaveAttribute('href', href!);
  await card.scrollIntoViewIfNeeded();
  await screenshot(page, testInfo, 'card-ours');

  await page.goto('/catalog/default/component/svc-theirs');
  const theirCard = page
    .getByRole('article')
    .filter({ has: page.getByRole('heading', { name: 'Template upgrade' }) });
  await expect(theirCard).toContainText('group:default/dashboards-team');
  await expect(theirCard.getByRole('button')).toHaveCount(0);
  await screenshot(page, testInfo, 'card-theirs');
});
