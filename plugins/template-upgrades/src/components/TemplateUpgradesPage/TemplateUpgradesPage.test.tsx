import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  BASE,
  backstageError,
  billing,
  dryRunOf,
  fleet,
  legacy,
  salesDashboard,
  stockDashboard,
} from '../../__fixtures__/services';
import type {
  ServiceUpgradeStatus,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';
import { templateUpgradesApiRef } from '../../api/TemplateUpgradesApi';
import { TemplateUpgradesClient } from '../../api/TemplateUpgradesClient';
import { TemplateUpgradesPage } from './TemplateUpgradesPage';

const server = setupServer();

type Call = { name: string; dryRun: boolean };

/**
 * The backend's routes over a fleet: each POST is recorded, answered per service by `answer`,
 * and after a pull request is opened the list names it, as the backend's list would.
 */
function serveFleet(
  services: ServiceUpgradeStatus[],
  answer: (
    s: ServiceUpgradeStatus,
    dryRun: boolean,
  ) => Response | UpgradeResult,
) {
  const calls: Call[] = [];
  const opened = new Map<string, UpgradeResult['pullRequest']>();
  server.use(
    http.get(`${BASE}/services`, () =>
      HttpResponse.json({
        items: services.map(s =>
          opened.has(s.entityRef)
            ? {
                ...s,
                pullRequest: { ...opened.get(s.entityRef)!, state: 'open' },
              }
            : s,
        ),
      }),
    ),
    http.post(
      `${BASE}/services/:namespace/:kind/:name/upgrade`,
      async ({ params, request }) => {
        const { dryRun } = (await request.json()) as { dryRun: boolean };
        const service = services.find(
          s =>
            s.entityRef === `${params.kind}:${params.namespace}/${params.name}`,
        );
        if (!service) {
          return HttpResponse.json(
            backstageError(404, 'NotFoundError', 'no such service'),
            { status: 404 },
          );
        }
        calls.push({ name: params.name as string, dryRun });
        const a = answer(service, dryRun);
        if (a instanceof Response) return a;
        if (a.pullRequest) opened.set(service.entityRef, a.pullRequest);
        return HttpResponse.json(a);
      },
    ),
  );
  return calls;
}

function opens(s: ServiceUpgradeStatus, dryRun: boolean): UpgradeResult {
  if (dryRun) return dryRunOf(s);
  const name = s.entityRef.split('/')[1];
  return {
    ...dryRunOf(s),
    result: s.pullRequest ? 'updated' : 'opened',
    pullRequest: s.pullRequest ?? {
      url: `https://github.com/contoso/${name}/pull/21`,
      number: 21,
    },
  };
}

async function renderPage() {
  const client = new TemplateUpgradesClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
    fetchApi: mockApis.fetch(),
  });
  await renderInTestApp(
    <TestApiProvider apis={[[templateUpgradesApiRef, client]]}>
      <TemplateUpgradesPage />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
  return screen.findByRole('table', { name: 'Services made from a template' });
}

const row = (name: string) => screen.getByRole('row', { name });
const checkbox = (name: string) =>
  screen.getByRole('checkbox', { name: `Select ${name}` });

describe('TemplateUpgradesPage', () => {
  registerMswTestHooks(server);

  it('lists every service with its template, version, the latest, state and open pull request', async () => {
    serveFleet(fleet, opens);
    await renderPage();
    const cells = (name: string) =>
      within(row(name))
        .getAllByRole('cell')
        .slice(2, 7)
        // An external link's text ends with core-components' "Opens in a new window".
        .map(c => c.textContent?.replace(', Opens in a new window', ''));
    expect(cells('Sales dashboard')).toEqual([
      'python-dashboard-service',
      '1.0.0',
      '1.2.0',
      'Behind',
      '—',
    ]);
    expect(cells('stock-dashboard')).toEqual([
      'python-dashboard-service',
      '1.1.0',
      '1.2.0',
      'Behind',
      '#7',
    ]);
    expect(
      within(row('stock-dashboard')).getByRole('link', { name: /^#7/ }),
    ).toHaveAttribute('href', stockDashboard.pullRequest!.url);
    expect(
      within(row('Sales dashboard')).getByRole('link', {
        name: 'Sales dashboard',
      }),
    ).toHaveAttribute('href', '/catalog/default/component/sales-dashboard');
    expect(cells('legacy-dashboard')[1]).toBe('—');
  });

  it("lets only services behind and the caller's be selected, and says why not for the others", async () => {
    serveFleet(fleet, opens);
    await renderPage();
    expect(checkbox('Sales dashboard')).toBeEnabled();
    expect(checkbox('stock-dashboard')).toBeEnabled();
    for (const [name, reason] of [
      ['Billing dashboard', billing.problem!],
      ['inventory-dashboard', 'Already at the latest version of its template.'],
      ['legacy-dashboard', legacy.problem!],
    ]) {
      expect(checkbox(name)).toBeDisabled();
      expect(row(name)).toHaveTextContent(reason);
    }
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select every service behind' }),
    );
    expect(checkbox('Sales dashboard')).toBeChecked();
    expect(checkbox('stock-dashboard')).toBeChecked();
    expect(checkbox('Billing dashboard')).not.toBeChecked();
    expect(screen.getByRole('button', { name: 'Dry run (2)' })).toBeEnabled();
  });

  it('dry-runs the selected services first, shows what each would change, then opens or updates their pull requests', async () => {
    const calls = serveFleet(fleet, opens);
    await renderPage();
    expect(
      screen.getByRole('button', { name: 'Open pull requests (0)' }),
    ).toBeDisabled();
    await userEvent.click(checkbox('Sales dashboard'));
    await userEvent.click(checkbox('stock-dashboard'));
    await userEvent.click(screen.getByRole('button', { name: 'Dry run (2)' }));

    const details = await screen.findByRole('region', {
      name: 'What the upgrade of Sales dashboard changes',
    });
    expect(calls).toEqual([
      { name: 'sales-dashboard', dryRun: true },
      { name: 'stock-dashboard', dryRun: true },
    ]);
    const files = within(details)
      .getAllByRole('listitem')
      .map(li => li.textContent);
    expect(files).toEqual([
      'Dockerfile modified conflict: committed with markers, to resolve in the pull request',
      'k8s/podmonitor.yaml added',
      'deploy/deployment.yaml renamed from k8s/deployment.yaml',
    ]);
    expect(
      await within(details).findByRole('heading', { name: '1.0.0 → 1.2.0' }),
    ).toBeInTheDocument();
    expect(details).toHaveTextContent('The image runs as a non-root user.');
    expect(row('Sales dashboard')).toHaveTextContent(
      'Would change 3 files (1 added, 1 modified, 1 renamed), 1 conflict',
    );

    await userEvent.click(
      screen.getByRole('button', { name: 'Open pull requests (2)' }),
    );
    await waitFor(() =>
      expect(row('Sales dashboard')).toHaveTextContent(
        'Opened pull request #21',
      ),
    );
    expect(calls.slice(2)).toEqual([
      { name: 'sales-dashboard', dryRun: false },
      { name: 'stock-dashboard', dryRun: false },
    ]);
    expect(row('stock-dashboard')).toHaveTextContent('Updated pull request #7');
    // The list is read again: it now names the new pull request.
    await waitFor(() =>
      expect(
        within(row('Sales dashboard')).getByRole('link', { name: /^#21/ }),
      ).toHaveAttribute(
        'href',
        'https://github.com/contoso/sales-dashboard/pull/21',
      ),
    );
    expect(
      screen.getByRole('button', { name: 'Open pull requests (0)' }),
    ).toBeDisabled();
  });

  it('shows a failing service in one line and goes on with the others, and opens no pull request for it', async () => {
    const calls = serveFleet(fleet, (s, dryRun) =>
      s === salesDashboard
        ? HttpResponse.json(
            backstageError(
              502,
              'Error',
              'git clone of https://github.com/contoso/sales-dashboard failed: 401 Bad credentials\n    at clone (engine.ts:12)',
            ),
            { status: 502 },
          )
        : opens(s, dryRun),
    );
    await renderPage();
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select every service behind' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Dry run (2)' }));
    const alert = await within(row('Sales dashboard')).findByRole('alert');
    expect(alert.textContent).toBe(
      'The template-upgrades backend failed (502): git clone of https://github.com/contoso/sales-dashboard failed: 401 Bad credentials',
    );
    await waitFor(() =>
      expect(row('stock-dashboard')).toHaveTextContent('Would change 3 files'),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Open pull requests (1)' }),
    );
    await waitFor(() =>
      expect(row('stock-dashboard')).toHaveTextContent(
        'Updated pull request #7',
      ),
    );
    expect(calls.filter(c => !c.dryRun)).toEqual([
      { name: 'stock-dashboard', dryRun: false },
    ]);
  });

  it.each([
    [
      'result none',
      () =>
        HttpResponse.json({
          entityRef: salesDashboard.entityRef,
          result: 'none',
          changes: [],
          summary: '',
        }),
    ],
    [
      '409',
      () =>
        HttpResponse.json(
          backstageError(
            409,
            'ConflictError',
            'component:default/sales-dashboard is at 1.2.0 already',
          ),
          { status: 409 },
        ),
    ],
  ])(
    'says when a selected service turned out to be current (%s)',
    async (_, answer) => {
      serveFleet([salesDashboard], answer);
      await renderPage();
      await userEvent.click(checkbox('Sales dashboard'));
      await userEvent.click(
        screen.getByRole('button', { name: 'Dry run (1)' }),
      );
      await waitFor(() =>
        expect(row('Sales dashboard')).toHaveTextContent(
          'Already at the latest version: no pull request',
        ),
      );
      expect(
        within(row('Sales dashboard')).queryByRole('alert'),
      ).not.toBeInTheDocument();
      expect(
        screen.getByRole('button', { name: 'Open pull requests (0)' }),
      ).toBeDisabled();
    },
  );

  it('shows the services of one template when one is picked, and selects only those', async () => {
    const worker: ServiceUpgradeStatus = {
      ...salesDashboard,
      entityRef: 'component:default/images',
      title: 'Images',
      template: {
        name: 'cloudflare-image-optimizer',
        version: '2.0.0',
        latest: '2.1.0',
      },
    };
    serveFleet([...fleet, worker], opens);
    await renderPage();
    expect(screen.getAllByRole('row')).toHaveLength(fleet.length + 2);
    await userEvent.selectOptions(
      screen.getByRole('combobox', { name: 'Template' }),
      'cloudflare-image-optimizer',
    );
    expect(screen.getAllByRole('row')).toHaveLength(2);
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Select every service behind' }),
    );
    expect(screen.getByRole('button', { name: 'Dry run (1)' })).toBeEnabled();
  });

  it('says so when no service was made from a template', async () => {
    serveFleet([], opens);
    const client = new TemplateUpgradesClient({
      discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
      fetchApi: mockApis.fetch(),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[templateUpgradesApiRef, client]]}>
        <TemplateUpgradesPage />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText('No service made from a template yet'),
    ).toBeInTheDocument();
  });

  it('shows a failing list as an error panel', async () => {
    server.use(
      http.get(`${BASE}/services`, () =>
        HttpResponse.json(backstageError(500, 'Error', 'catalog unreachable'), {
          status: 500,
        }),
      ),
    );
    const client = new TemplateUpgradesClient({
      discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
      fetchApi: mockApis.fetch(),
    });
    await renderInTestApp(
      <TestApiProvider apis={[[templateUpgradesApiRef, client]]}>
        <TemplateUpgradesPage />
      </TestApiProvider>,
    );
    expect(await screen.findByText(/catalog unreachable/)).toBeInTheDocument();
  });
});
