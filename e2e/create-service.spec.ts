import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { parse, parseAllDocuments } from 'yaml';
import {
  AZURE_DEVOPS_URL,
  GIT_HOST_TOKEN,
  GIT_HOST_URL,
} from '../playwright.config';
import { screenshot, signInAsGuest } from './helpers';

const run = promisify(execFile);

// The new service, and the organisation it is published to on the stand-in GitHub host that
// e2e/serve.mjs starts (e2e/git-host-stand-in.mjs); each test run gets a fresh host and a fresh catalog.
const NAME = 'orders-dashboard';
const ORG = 'golden-path';
const DESCRIPTION = 'Orders and refunds per day, by region';
// The Azure DevOps project of the pipeline, on the stand-in e2e/serve.mjs starts with these
// service connections.
const PROJECT = 'Dashboards';
const GITHUB_CONNECTION = 'github-golden-path';

type RecordedRequest = {
  method: string;
  path: string;
  query: string;
  body?: Record<string, unknown>;
};

/** Picks `option` in the Material UI select labelled `label` (the form's enum fields). */
async function choose(page: Page, label: string, option: string) {
  await page.getByRole('button', { name: new RegExp(`^${label}`) }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
  await expect(page.getByRole('listbox')).toBeHidden();
}

async function next(page: Page) {
  await page.getByRole('button', { name: 'Next' }).click();
}

test('a developer creates a dashboard service from the form, gets its repository and finds it in the catalog', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  await signInAsGuest(page);

  await page.goto('/create');
  const card = page
    .locator('div')
    .filter({
      has: page.getByRole('heading', { name: 'Python dashboard service' }),
    })
    .filter({ has: page.getByRole('button', { name: 'Choose' }) })
    .last();
  await card.getByRole('button', { name: 'Choose' }).click();
  await expect(page).toHaveURL(
    /\/create\/templates\/default\/python-dashboard-service$/,
  );

  // Service: a name Kubernetes and the catalog would refuse is stopped on this page.
  const name = page.getByRole('textbox', { name: 'Name' });
  await name.fill('Orders_Dashboard');
  await page.getByRole('textbox', { name: 'Description' }).fill(DESCRIPTION);
  // The owner is one of the guest's own teams: platform-team is the only one, so it is chosen.
  const owner = page.getByRole('textbox', { name: 'Owner' });
  await expect(owner).toHaveValue('platform-team');
  await expect(owner).toBeDisabled();
  await next(page);
  const nameRule =
    'must be lowercase letters, digits and hyphens, start with a letter and end with a letter or digit';
  await expect(page.getByText(`'Name' ${nameRule}`)).toBeVisible();
  await expect(page.getByText(nameRule, { exact: true })).toBeVisible();
  await expect(name).toBeVisible();
  await screenshot(page, testInfo, '1-service-invalid-name');
  await name.fill(NAME);
  await next(page);

  // Dashboard: the page title and message.
  await page.getByRole('textbox', { name: 'Dashboard title' }).fill('Orders');
  await page
    .getByRole('textbox', { name: 'Message' })
    .fill('Orders and refunds, updated **hourly**.');
  await next(page);

  // Runtime: a memory limit below its request is refused.
  await page.getByRole('spinbutton', { name: 'Replicas' }).fill('3');
  await choose(page, 'Memory request', '1024');
  await expect(
    page.getByRole('button', { name: /^Memory limit \(MiB\) 512/ }),
  ).toBeVisible();
  await next(page);
  await expect(
    page.getByText(
      "'Memory limit (MiB)' must be at least the memory request (1024)",
    ),
  ).toBeVisible();
  await screenshot(page, testInfo, '2-runtime-limit-below-request');
  await choose(page, 'Memory limit', '2048');
  await next(page);

  // Image and pipeline: only what azurePipelines.teams (app-config.yaml) grants the owner,
  // platform-team. One Docker Hub namespace is granted, so it is chosen.
  await expect(
    page.getByRole('button', { name: /^Docker Hub namespace/ }),
  ).toHaveText('contoso');
  await choose(page, 'Registry service connection', 'docker-hub');
  await page
    .getByRole('button', { name: /^Kubernetes service connection/ })
    .click();
  await expect(page.getByRole('option')).toHaveText([
    'aks-production',
    'AKS West Europe',
  ]);
  await page
    .getByRole('option', { name: 'aks-production', exact: true })
    .click();
  await expect(page.getByRole('listbox')).toBeHidden();
  await choose(page, 'Environment', 'production');
  // Without Microsoft sign-in (locally, guest) the steps use the portal's token.
  await expect(
    page.getByText(
      "The portal's Azure DevOps token will be used to create and run the pipeline.",
    ),
  ).toBeVisible();
  await screenshot(page, testInfo, '3-registry');
  await next(page);

  // Repository on Azure Repos: organization and project are the owner's, picked, not typed (one of
  // each is granted, so both are chosen). Then GitHub, the organisation; the repository name
  // follows the service name.
  await choose(page, 'Host', 'Azure DevOps');
  await expect(
    page.getByRole('button', { name: /^Azure DevOps organization/ }),
  ).toHaveText(ORG);
  await expect(
    page.getByRole('button', { name: /^Azure DevOps project/ }),
  ).toHaveText(PROJECT);
  await expect(page.getByRole('textbox', { name: /Azure DevOps/ })).toHaveCount(
    0,
  );
  await choose(page, 'Host', 'GitHub');
  await page
    .getByRole('textbox', { name: 'GitHub organization or user' })
    .fill(ORG);
  await expect(
    page.getByRole('textbox', { name: 'Repository name' }),
  ).toHaveValue(NAME);
  // A GitHub repository's pipeline lives in an Azure DevOps project (the stand-in's): the only
  // organization and project azurePipelines.teams lists for the owner, chosen for the user.
  await expect(
    page.getByRole('button', { name: /^Azure DevOps organization/ }),
  ).toHaveText(ORG);
  await expect(
    page.getByRole('button', { name: /^Azure DevOps project/ }),
  ).toHaveText(PROJECT);
  // Offered from what azurePipelines.teams grants the owner.
  await choose(page, 'GitHub service connection', GITHUB_CONNECTION);
  await page.getByRole('button', { name: 'Review' }).click();

  // Review: every value as entered.
  for (const row of [
    `Name ${NAME}`,
    `Description ${DESCRIPTION}`,
    // Entities by name, as the rest of the portal shows them.
    'Owner platform-team',
    'Replicas 3',
    'Memory request (MiB) 1024',
    'Memory limit (MiB) 2048',
    // The form's own labels, also for the fields a choice adds.
    'Docker Hub namespace contoso',
    `Repository location github.com?owner=${ORG}&repo=${NAME}`,
    `Azure DevOps organization ${ORG}`,
    `Azure DevOps project ${PROJECT}`,
    `GitHub service connection ${GITHUB_CONNECTION}`,
  ]) {
    await expect(
      page.getByRole('row', { name: row, exact: true }),
    ).toBeVisible();
  }
  await screenshot(page, testInfo, '4-review');
  await page.getByRole('button', { name: 'Create' }).click();

  // The task runs every step: rendered, published to the GitHub host, registered, the pipeline
  // created and started. Its last step follows the first run; the stand-in has no agent, so the run
  // never finishes and the task stops there, naming the stage, with links to what exists.
  await expect(page).toHaveURL(/\/create\/tasks\/[0-9a-f-]+$/);
  const stopped = page.getByText(/The golden path stopped at "built"/).first();
  await expect(stopped).toBeVisible({ timeout: 180_000 });
  // The log shows URLs as links, each with a hidden ", Opens in a new window".
  const failure = (await page
    .getByText(/Nothing was undone; what exists:/)
    .first()
    .textContent())!.replace(/\s*, Opens in a new window/g, '');
  expect(failure).toContain('Catalog entity: component:default/' + NAME);
  const showLogs = page.getByRole('button', { name: /show logs/i });
  if (await showLogs.isVisible()) await showLogs.click();
  // The log is long; its search box brings earlier lines into view.
  const logSearch = page.getByPlaceholder('Search');
  await logSearch.fill('Finished step Start the first run');
  await expect(
    page.getByText('Finished step Start the first run'),
  ).toBeVisible();
  await logSearch.fill('Finished step Set up its Grafana');
  await expect(
    page.getByText('Finished step Set up its Grafana dashboard and alerts'),
  ).toBeVisible();
  await logSearch.fill('Skipping step publish-azure');
  await expect(
    page.getByText(
      'Skipping step publish-azure because its if condition was false',
    ),
  ).toBeVisible();
  // A GitHub repository's pull requests run the pipeline from its pr: trigger: no branch policy.
  await logSearch.fill('no branch policy needed');
  await expect(page.getByText(/no branch policy needed/)).toBeVisible();
  // This portal has no Grafana provisioning configured, so that step ends with one line saying
  // so and how to connect it, and the task goes on (goldenPath.unconfiguredServices: skip).
  await logSearch.fill('Grafana not configured here: skipped');
  await expect(
    page.getByText(
      /warn: Grafana not configured here: skipped, as grafanaProvisioning is not set\. To connect it, set grafanaProvisioning\.url/,
    ),
  ).toBeVisible();
  await logSearch.fill('');
  const linked = (title: string) =>
    failure.match(new RegExp(`${title}: (\\S+?)(?:;|\\.? Fix|$)`))?.[1];
  expect(linked('Repository')).toBe(`${GIT_HOST_URL}/${ORG}/${NAME}.git`);
  // The pipeline, its first run and the environment, on the Azure DevOps stand-in.
  const web = `${AZURE_DEVOPS_URL}/${ORG}/${PROJECT}`;
  const pipelineHref = linked('Pipeline');
  expect(pipelineHref).toMatch(
    new RegExp(`^${web}/_build/definition\\?definitionId=\\d+$`),
  );
  const pipelineId = new URL(pipelineHref!).searchParams.get('definitionId');
  const runHref = linked('First run');
  expect(runHref).toMatch(new RegExp(`^${web}/_build/results\\?buildId=\\d+$`));
  const runId = new URL(runHref!).searchParams.get('buildId');
  expect(linked('Environment')).toBe(`${web}/_environments/1`);
  await screenshot(page, testInfo, '5-task-stopped-at-built');

  // What Azure DevOps was asked to change: the pipeline on the GitHub repository through the
  // GitHub connection, the environment, the branch-control checks, the pipeline's permissions on
  // the three connections and the environment, and one run of main. No branch policy: GitHub
  // runs pull requests itself.
  const azureRequests: RecordedRequest[] = await (
    await fetch(`${AZURE_DEVOPS_URL}/_stand-in/requests`)
  ).json();
  const prefix = `/${ORG}/${PROJECT}/_apis/`;
  const writes = azureRequests
    .filter(r => r.method !== 'GET')
    .map(r => ({
      method: r.method,
      path: r.path
        .replace(prefix, '')
        .replace(/endpoint\/[0-9a-f-]+$/, 'endpoint/*'),
      body: r.body,
    }));
  expect(writes).toEqual([
    {
      method: 'POST',
      path: 'pipelines',
      body: {
        name: NAME,
        folder: '\\',
        configuration: {
          type: 'yaml',
          path: 'azure-pipelines.yml',
          repository: {
            fullName: `${ORG}/${NAME}`,
            connection: { id: expect.any(String) },
            type: 'gitHub',
          },
        },
      },
    },
    // The portal's mark: the pipeline is the portal's for this entity and owner.
    {
      method: 'POST',
      path: `build/definitions/${pipelineId}/tags`,
      body: [
        `backstage-entity=component:default/${NAME}`,
        'backstage-owner=group:default/platform-team',
      ],
    },
    {
      method: 'POST',
      path: 'distributedtask/environments',
      body: {
        name: 'production',
        description: 'Created by the portal for the pipelines of its services.',
      },
    },
    // Only runs of main may use the registry and Kubernetes connections and the environment.
    ...['endpoint', 'endpoint', 'environment'].map(type => ({
      method: 'POST',
      path: 'pipelines/checks/configurations',
      body: expect.objectContaining({
        resource: expect.objectContaining({ type }),
        settings: expect.objectContaining({
          inputs: expect.objectContaining({
            allowedBranches: 'refs/heads/main',
          }),
        }),
      }),
    })),
    ...['endpoint/*', 'endpoint/*', 'endpoint/*', 'environment/1'].map(
      resource => ({
        method: 'PATCH',
        path: `pipelines/pipelinepermissions/${resource}`,
        body: { pipelines: [{ id: Number(pipelineId), authorized: true }] },
      }),
    ),
    {
      method: 'POST',
      path: `pipelines/${pipelineId}/runs`,
      body: {
        resources: { repositories: { self: { refName: 'refs/heads/main' } } },
      },
    },
  ]);

  // What the host was asked: a private repository in the organisation, a push, branch
  // protection, and the catalog reading the new catalog-info.yaml.
  const requests: RecordedRequest[] = await (
    await fetch(`${GIT_HOST_URL}/_stand-in/requests`)
  ).json();
  const creates = requests.filter(
    r => r.method === 'POST' && r.path === `/orgs/${ORG}/repos`,
  );
  expect(creates).toHaveLength(1);
  expect(creates[0].body).toMatchObject({
    name: NAME,
    description: DESCRIPTION,
    private: true,
    visibility: 'private',
  });
  expect(requests).toContainEqual(
    expect.objectContaining({
      method: 'POST',
      path: `/${ORG}/${NAME}.git/git-receive-pack`,
    }),
  );
  expect(requests).toContainEqual(
    expect.objectContaining({
      method: 'PUT',
      path: `/repos/${ORG}/${NAME}/branches/main/protection`,
    }),
  );
  expect(requests).toContainEqual(
    expect.objectContaining({
      method: 'GET',
      path: `/repos/${ORG}/${NAME}/contents/catalog-info.yaml`,
    }),
  );

  // The pushed repository holds the generated service with every value filled in.
  const clone = testInfo.outputPath('clone');
  const remote = new URL(`${GIT_HOST_URL}/${ORG}/${NAME}.git`);
  remote.username = 'x-access-token';
  remote.password = GIT_HOST_TOKEN;
  await run('git', ['clone', '--quiet', remote.toString(), clone]);
  const read = (file: string) =>
    fs.readFileSync(path.join(clone, file), 'utf8');

  const { stdout: log } = await run('git', [
    '-C',
    clone,
    'log',
    '--format=%an <%ae>|%s',
    'main',
  ]);
  expect(log.trim()).toBe(
    'Golden Path Portal <portal@example.com>|Initial commit from the golden-path template',
  );
  const { stdout: tracked } = await run('git', ['-C', clone, 'ls-files']);
  expect(tracked.split('\n').filter(Boolean).sort()).toEqual(
    expect.arrayContaining([
      'Dockerfile',
      'app.py',
      'azure-pipelines.yml',
      'catalog-info.yaml',
      'dashboard.json',
      'kubernetes/deployment.yaml',
      'kubernetes/service.yaml',
      'requirements.txt',
    ]),
  );
  for (const file of tracked.split('\n').filter(Boolean)) {
    expect(read(file), `${file} has no unrendered placeholder`).not.toMatch(
      /\$\{\{/,
    );
  }

  const entity = parse(read('catalog-info.yaml'));
  expect(entity).toMatchObject({
    kind: 'Component',
    metadata: {
      name: NAME,
      description: DESCRIPTION,
      annotations: {
        'backstage.io/kubernetes-id': NAME,
        'backstage.io/kubernetes-namespace': 'dashboards',
        'github.com/project-slug': `${ORG}/${NAME}`,
        'dev.azure.com/host-org': `dev.azure.com/${ORG}`,
        'dev.azure.com/project': PROJECT,
        'dev.azure.com/build-definition': NAME,
      },
    },
    spec: { type: 'service', owner: 'group:default/platform-team' },
  });

  const pipeline = parse(read('azure-pipelines.yml'));
  expect(pipeline.variables).toMatchObject({
    dockerRegistryServiceConnection: 'docker-hub',
    containerRegistry: 'docker.io',
    imageRepository: `contoso/${NAME}`,
    kubernetesServiceConnection: 'aks-production',
    kubernetesNamespace: 'dashboards',
  });
  expect(read('azure-pipelines.yml')).toContain('environment: "production"');

  expect(JSON.parse(read('dashboard.json'))).toEqual({
    title: 'Orders',
    message: 'Orders and refunds, updated **hourly**.',
  });

  const [deployment] = parseAllDocuments(
    read('kubernetes/deployment.yaml'),
  ).map(d => d.toJS());
  expect(deployment.metadata).toMatchObject({
    name: NAME,
    namespace: 'dashboards',
  });
  expect(deployment.spec.replicas).toBe(3);
  const [container] = deployment.spec.template.spec.containers;
  // The deploy step replaces the placeholder tag with the build id.
  expect(container.image).toBe(`docker.io/contoso/${NAME}:set-by-pipeline`);
  expect(container.resources).toEqual({
    requests: { cpu: '250m', memory: '1024Mi' },
    limits: { cpu: '1000m', memory: '2048Mi' },
  });
  expect(container.ports).toEqual(
    expect.arrayContaining([expect.objectContaining({ containerPort: 8501 })]),
  );
  const service = parse(read('kubernetes/service.yaml'));
  expect(service.metadata).toMatchObject({
    name: NAME,
    namespace: 'dashboards',
  });

  // The new entity is in the catalog, owned by the team. The catalog processes the registered
  // location in the background, so the page is reloaded until the entity is there.
  await page.goto(`/catalog/default/component/${NAME}`);
  await expect(async () => {
    await page.reload();
    await expect(
      page.getByRole('heading', { name: NAME, exact: true }),
    ).toBeVisible({
      timeout: 10_000,
    });
  }).toPass({ timeout: 120_000, intervals: [2_000, 5_000] });
  await expect(page.getByText(DESCRIPTION).first()).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'platform-team' }).first(),
  ).toBeVisible();
  await screenshot(page, testInfo, '6-catalog-entity');

  // The pipeline-runs card lists the run the task started, linking to it.
  await expect(
    page.getByRole('link', { name: new RegExp(`^Run ${runId}\\b`) }),
  ).toHaveAttribute('href', runHref!);
  await page
    .getByText('Pipeline runs', { exact: true })
    .scrollIntoViewIfNeeded();
  await screenshot(page, testInfo, '7-pipeline-runs');
});
