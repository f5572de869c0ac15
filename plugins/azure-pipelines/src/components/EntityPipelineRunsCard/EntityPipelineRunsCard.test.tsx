import { screen } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  TestApiProvider,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { azurePipelinesApiRef } from '../../api/AzurePipelinesApi';
import { AzurePipelinesClient } from '../../api/AzurePipelinesClient';
import {
  FakeAzureDevOps,
  FakeBuild,
  PROXY_BASE,
  WEB,
  azureDevOpsHandler,
  fakeAzureDevOps,
} from '../../__testUtils__/azureDevOps';
import { proxyEndpointIn } from '../../__testUtils__/appConfig';
import { EntityPipelineRunsCard } from './EntityPipelineRunsCard';

const server = setupServer();
registerMswTestHooks(server);

/** The headers the proxy endpoint of app-config.yaml adds to every request. */
const PROXY_HEADERS = proxyEndpointIn('app-config.yaml').headers ?? {};

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'sales-dashboard',
    annotations: {
      'dev.azure.com/host-org': 'dev.azure.com/contoso',
      'dev.azure.com/project': 'Dashboards',
      'dev.azure.com/build-definition': 'sales-dashboard',
    },
  },
};

const build = (
  id: number,
  status: string,
  result?: string,
  definitionId = 12,
): FakeBuild => ({
  id,
  definitionId,
  buildNumber: `20260412.${id}`,
  status,
  result,
  queueTime: `2026-04-12T09:${String(10 + id).padStart(2, '0')}:00Z`,
});

/** Seven runs of the pipeline, queued one after the other (1 first), and two of another. */
const history = [
  build(1, 'completed', 'succeeded'),
  build(2, 'completed', 'succeeded'),
  build(3, 'completed', 'succeeded'),
  build(4, 'completed', 'partiallySucceeded'),
  build(5, 'completed', 'failed'),
  build(6, 'inProgress'),
  build(7, 'notStarted'),
  build(8, 'completed', 'canceled', 13),
  build(9, 'completed', 'failed', 13),
];

function serve(options: Partial<FakeAzureDevOps> = {}): FakeAzureDevOps {
  const state = fakeAzureDevOps({
    definitions: [
      { id: 12, name: 'sales-dashboard' },
      { id: 13, name: 'sales-dashboard-nightly' },
    ],
    builds: history,
    proxyHeaders: PROXY_HEADERS,
    ...options,
  });
  server.use(azureDevOpsHandler(state));
  return state;
}

function renderCard(fetchApi = mockApis.fetch()) {
  const client = new AzurePipelinesClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
    fetchApi,
  });
  return renderInTestApp(
    <TestApiProvider apis={[[azurePipelinesApiRef, client]]}>
      <EntityProvider entity={entity}>
        <EntityPipelineRunsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

const runLinks = async () =>
  (await screen.findAllByRole('link', { name: /^Run / })).map(l => [
    l.textContent?.replace(', Opens in a new window', ''),
    l.getAttribute('href'),
  ]);

/** What every refusal must tell the reader: whose token, which scope, where, what to do. */
async function expectReadTokenAdvice() {
  const advice = await screen.findByText(
    /Azure DevOps did not accept the portal's read-only token for pipeline runs/,
  );
  expect(advice.textContent).toContain('AZURE_DEVOPS_READ_AUTHORIZATION');
  expect(advice.textContent).toContain('Build (Read)');
  expect(advice.textContent).toContain(
    "project 'Dashboards' in organization 'contoso'",
  );
  expect(advice.textContent).toContain('proxy endpoint /azure-devops');
  expect(document.body.textContent).not.toMatch(/Unexpected token|JSON/);
  return advice.textContent!;
}

describe('EntityPipelineRunsCard', () => {
  it('lists the five most recently queued runs of the pipeline, newest first, each linking to Azure DevOps', async () => {
    serve();
    await renderCard();

    expect(await runLinks()).toEqual(
      [7, 6, 5, 4, 3].map(id => [
        `Run 20260412.${id}`,
        `${WEB}/_build/results?buildId=${id}`,
      ]),
    );
    expect(screen.getByText('Queued')).toBeInTheDocument();
    expect(screen.getByText('Running')).toBeInTheDocument();
    expect(screen.getByText('Failed')).toBeInTheDocument();
    expect(screen.getByText('Partially succeeded')).toBeInTheDocument();
    expect(screen.getByText('Succeeded')).toBeInTheDocument();
    expect(
      screen.getByText('Latest 5 runs, most recently queued first'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /Open the pipeline/ }),
    ).toHaveAttribute('href', `${WEB}/_build/definition?definitionId=12`);
  });

  it('asks Azure DevOps for only the five runs it shows, in the order it shows them', async () => {
    const state = serve();
    await renderCard();
    await runLinks();

    expect(state.requests).toEqual([
      {
        path: 'build/definitions',
        query: { name: 'sales-dashboard', 'api-version': '7.1' },
      },
      {
        path: 'build/builds',
        query: {
          definitions: '12',
          $top: '5',
          queryOrder: 'queueTimeDescending',
          'api-version': '7.1',
        },
      },
    ]);
  });

  it('finds the pipeline whatever the letter case of its name, as Azure DevOps does', async () => {
    serve({ definitions: [{ id: 12, name: 'Sales-Dashboard' }] });
    await renderCard();
    expect(await runLinks()).toHaveLength(5);
  });

  it('says there is no pipeline yet when the project has none of that name', async () => {
    serve({ definitions: [{ id: 13, name: 'sales-dashboard-nightly' }] });
    await renderCard();
    expect(await screen.findByText('No pipeline yet')).toBeInTheDocument();
    expect(
      screen.getByText(
        /Project Dashboards of contoso has no pipeline named sales-dashboard/,
      ),
    ).toBeInTheDocument();
  });

  it('says the pipeline has not run yet', async () => {
    serve({ builds: history.filter(b => b.definitionId === 13) });
    await renderCard();
    expect(await screen.findByText('No runs yet')).toBeInTheDocument();
  });

  it("says whose token Azure DevOps refused, the scope it needs and what to do, when the proxy's Suppress header gets a 401", async () => {
    expect(PROXY_HEADERS['X-TFS-FedAuthRedirect']).toBe('Suppress');
    serve({ credential: 'refused' });
    await renderCard();
    const advice = await expectReadTokenAdvice();
    expect(advice).toContain('answered 401');
    expect(advice).toContain(
      'TF400813: The user is not authorized to access this resource.',
    );
  });

  it('recognises the 203 sign-in page Azure DevOps answers without the Suppress header, instead of reading it as JSON', async () => {
    serve({ credential: 'refused', proxyHeaders: {}, signInAnswer: 203 });
    await renderCard();
    const advice = await expectReadTokenAdvice();
    expect(advice).toContain('sign-in page instead of data (status 203');
  });

  it('recognises a redirect to the sign-in page without following it', async () => {
    const state = serve({
      credential: 'refused',
      proxyHeaders: {},
      signInAnswer: 302,
    });
    await renderCard();
    const advice = await expectReadTokenAdvice();
    expect(advice).toContain('redirected the request to its sign-in page');
    expect(state.requests).toHaveLength(1);
  });

  it("recognises the browser's opaque-redirect answer to a redirect it was told not to follow", async () => {
    // What a browser's fetch hands back for a 3xx with `redirect: 'manual'`: type
    // `opaqueredirect`, status 0, no headers, no body
    // (https://fetch.spec.whatwg.org/#concept-filtered-response-opaque-redirect). Node's fetch
    // returns the 3xx itself (the test above), and no Response constructor makes this one.
    const seen: RequestInit[] = [];
    const opaqueRedirect = Object.defineProperties(new Response(null), {
      type: { value: 'opaqueredirect' },
      status: { value: 0 },
      ok: { value: false },
      statusText: { value: '' },
    });
    await renderCard(
      mockApis.fetch({
        baseImplementation: async (_input, init) => {
          seen.push(init ?? {});
          return init?.redirect === 'manual'
            ? opaqueRedirect
            : Promise.reject(new TypeError('Failed to fetch'));
        },
      }),
    );
    const advice = await expectReadTokenAdvice();
    expect(advice).toContain('redirected the request to its sign-in page');
    expect(seen).toHaveLength(1);
  });

  it('shows any other error Azure DevOps answered, inside the card', async () => {
    server.use(
      http.get(`${PROXY_BASE}/*`, () =>
        HttpResponse.json(
          {
            message:
              'TF246017: Azure DevOps Services cannot connect to the database.',
            typeKey: 'DatabaseConnectionException',
          },
          { status: 500, statusText: 'Internal Server Error' },
        ),
      ),
    );
    await renderCard();
    expect(
      await screen.findAllByText(
        /TF246017: Azure DevOps Services cannot connect/,
      ),
    ).not.toHaveLength(0);
    expect(
      screen.getByText('Error: Request failed with 500 Internal Server Error'),
    ).toBeInTheDocument();
  });
});
