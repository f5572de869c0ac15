import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
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
  inventory,
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
import { EntityTemplateUpgradeCard } from './EntityTemplateUpgradeCard';

const server = setupServer();

const SERVICE_URL = `${BASE}/services/default/component/sales-dashboard`;

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'sales-dashboard',
    namespace: 'default',
    annotations: {
      'portal.golden-path/template-name': 'python-dashboard-service',
    },
  },
  spec: {
    type: 'service',
    owner: 'group:dashboards-team',
    lifecycle: 'production',
  },
};

/** The service route answers `status` for sales-dashboard (whatever fixture it is drawn from). */
function serve(status: ServiceUpgradeStatus) {
  server.use(
    http.get(SERVICE_URL, () =>
      HttpResponse.json({ ...status, entityRef: salesDashboard.entityRef }),
    ),
  );
}

async function renderCard() {
  const client = new TemplateUpgradesClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
    fetchApi: mockApis.fetch(),
  });
  await renderInTestApp(
    <TestApiProvider apis={[[templateUpgradesApiRef, client]]}>
      <EntityProvider entity={entity}>
        <EntityTemplateUpgradeCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityTemplateUpgradeCard', () => {
  registerMswTestHooks(server);

  it("shows the service's template version and the latest, and that it is behind", async () => {
    serve(salesDashboard);
    await renderCard();
    const dl = await screen.findByLabelText('Template version');
    expect(dl).toHaveTextContent(
      'Templatepython-dashboard-serviceThis service1.0.0Latest1.2.0StateBehind',
    );
  });

  it('links the open upgrade pull request instead of offering another', async () => {
    serve(stockDashboard);
    await renderCard();
    expect(
      await screen.findByRole('link', { name: /Upgrade pull request #7/ }),
    ).toHaveAttribute('href', stockDashboard.pullRequest!.url);
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('lets an owner open the pull request, then links it and names the conflicts', async () => {
    let opened = false;
    let reads = 0;
    const posted: unknown[] = [];
    server.use(
      http.get(SERVICE_URL, () => {
        reads += 1;
        return HttpResponse.json(
          opened
            ? {
                ...salesDashboard,
                pullRequest: {
                  url: 'https://github.com/contoso/sales-dashboard/pull/12',
                  number: 12,
                  state: 'open',
                },
              }
            : salesDashboard,
        );
      }),
      http.post(`${SERVICE_URL}/upgrade`, async ({ request }) => {
        posted.push(await request.json());
        opened = true;
        const result: UpgradeResult = {
          ...dryRunOf(salesDashboard),
          result: 'opened',
          pullRequest: {
            url: 'https://github.com/contoso/sales-dashboard/pull/12',
            number: 12,
          },
        };
        return HttpResponse.json(result);
      }),
    );
    await renderCard();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Open upgrade pull request' }),
    );
    const outcome = await screen.findByRole('status');
    expect(posted).toEqual([{ dryRun: false }]);
    expect(outcome).toHaveTextContent('Opened pull request #12');
    expect(outcome).toHaveTextContent(
      'Conflicts to resolve in the pull request: Dockerfile',
    );
    // The status is read again and now names the pull request; the button is gone.
    await waitFor(() => expect(reads).toBe(2));
    expect(
      screen.getByRole('link', { name: /Upgrade pull request #12/ }),
    ).toHaveAttribute(
      'href',
      'https://github.com/contoso/sales-dashboard/pull/12',
    );
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('offers no button to someone outside the owning team, and says why', async () => {
    serve(billing);
    await renderCard();
    expect(
      await screen.findByText(
        'Only members of group:default/platform-team can upgrade it.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it('says a service at the latest version needs nothing', async () => {
    serve(inventory);
    await renderCard();
    expect(
      await screen.findByText('Already at the latest version of its template.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button')).not.toBeInTheDocument();
  });

  it("says why a service's version is unknown", async () => {
    serve(legacy);
    await renderCard();
    expect(await screen.findByText(legacy.problem!)).toBeInTheDocument();
    expect(screen.getByLabelText('Template version')).toHaveTextContent(
      'This service—',
    );
  });

  it('shows a refusal of the upgrade in one line, and keeps the button', async () => {
    serve(salesDashboard);
    server.use(
      http.post(`${SERVICE_URL}/upgrade`, () =>
        HttpResponse.json(
          backstageError(
            403,
            'NotAllowedError',
            'Only members of group:default/dashboards-team can upgrade it.',
          ),
          { status: 403 },
        ),
      ),
    );
    await renderCard();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Open upgrade pull request' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent(
      /^Only members of group:default\/dashboards-team can upgrade it\.$/,
    );
    expect(
      screen.getByRole('button', { name: 'Open upgrade pull request' }),
    ).toBeEnabled();
  });

  it('says the service is current when the backend answers the upgrade with 409', async () => {
    serve(salesDashboard);
    server.use(
      http.post(`${SERVICE_URL}/upgrade`, () =>
        HttpResponse.json(
          backstageError(409, 'ConflictError', 'already at 1.2.0'),
          { status: 409 },
        ),
      ),
    );
    await renderCard();
    await userEvent.click(
      await screen.findByRole('button', { name: 'Open upgrade pull request' }),
    );
    expect(await screen.findByRole('status')).toHaveTextContent(
      'Already at the latest version: no pull request',
    );
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it("shows the backend's 404 in one line", async () => {
    server.use(
      http.get(SERVICE_URL, () =>
        HttpResponse.json(
          backstageError(
            404,
            'NotFoundError',
            'component:default/sales-dashboard was not made from a template the portal knows',
          ),
          { status: 404 },
        ),
      ),
    );
    await renderCard();
    expect(
      await screen.findByText(
        'component:default/sales-dashboard was not made from a template the portal knows',
      ),
    ).toBeInTheDocument();
  });

  it('shows a failing backend as an error panel', async () => {
    server.use(
      http.get(SERVICE_URL, () =>
        HttpResponse.json(backstageError(500, 'Error', 'database is locked'), {
          status: 500,
        }),
      ),
    );
    await renderCard();
    await waitFor(() =>
      expect(screen.getByText(/database is locked/)).toBeInTheDocument(),
    );
  });
});
