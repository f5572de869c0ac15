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
import { EntityPipelineRunsCard } from './EntityPipelineRunsCard';

const server = setupServer();
registerMswTestHooks(server);

const API =
  'http://localhost:7007/api/proxy/azure-devops/contoso/Dashboards/_apis';
const WEB = 'https://dev.azure.com/contoso/Dashboards';

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

// Shapes of Definitions - List and Runs - List (REST 7.1).
const definitions = (value: unknown[]) =>
  http.get(`${API}/build/definitions`, ({ request }) => {
    const url = new URL(request.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      name: 'sales-dashboard',
      'api-version': '7.1',
    });
    return HttpResponse.json({ count: value.length, value });
  });
const pipeline = {
  id: 12,
  name: 'sales-dashboard',
  _links: { web: { href: `${WEB}/_build/definition?definitionId=12` } },
};
const run = (id: number, state: string, result?: string) => ({
  id,
  name: `20260412.${id}`,
  state,
  result,
  createdDate: '2026-04-12T09:30:00Z',
  _links: { web: { href: `${WEB}/_build/results?buildId=${id}` } },
});

function renderCard() {
  const client = new AzurePipelinesClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
    fetchApi: mockApis.fetch(),
  });
  return renderInTestApp(
    <TestApiProvider apis={[[azurePipelinesApiRef, client]]}>
      <EntityProvider entity={entity}>
        <EntityPipelineRunsCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityPipelineRunsCard', () => {
  it('lists the latest runs, newest first, each linking to Azure DevOps', async () => {
    server.use(
      definitions([pipeline]),
      http.get(`${API}/pipelines/12/runs`, () =>
        HttpResponse.json({
          count: 3,
          value: [
            run(3, 'inProgress'),
            run(2, 'completed', 'failed'),
            run(1, 'completed', 'succeeded'),
          ],
        }),
      ),
    );
    await renderCard();

    const links = await screen.findAllByRole('link', { name: /^Run / });
    expect(links.map(l => [l.textContent, l.getAttribute('href')])).toEqual([
      [
        'Run 20260412.3, Opens in a new window',
        `${WEB}/_build/results?buildId=3`,
      ],
      [
        'Run 20260412.2, Opens in a new window',
        `${WEB}/_build/results?buildId=2`,
      ],
      [
        'Run 20260412.1, Opens in a new window',
        `${WEB}/_build/results?buildId=1`,
      ],
    ]);
    expect(screen.getByText('Running')).toBeInTheDocument();
    expect(screen.getByText('Failed')).toBeInTheDocument();
    expect(screen.getByText('Succeeded')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /Open the pipeline/ }),
    ).toHaveAttribute('href', `${WEB}/_build/definition?definitionId=12`);
  });

  it('says there is no pipeline yet when the project has none of that name', async () => {
    server.use(definitions([]));
    await renderCard();
    expect(await screen.findByText('No pipeline yet')).toBeInTheDocument();
    expect(
      screen.getByText(
        /Project Dashboards of contoso has no pipeline named sales-dashboard/,
      ),
    ).toBeInTheDocument();
  });

  it('says the pipeline has not run yet', async () => {
    server.use(
      definitions([pipeline]),
      http.get(`${API}/pipelines/12/runs`, () =>
        HttpResponse.json({ count: 0, value: [] }),
      ),
    );
    await renderCard();
    expect(await screen.findByText('No runs yet')).toBeInTheDocument();
  });

  it('shows the error Azure DevOps answered, inside the card', async () => {
    server.use(
      http.get(`${API}/build/definitions`, () =>
        HttpResponse.json(
          {
            message:
              'TF400813: The user is not authorized to access this resource.',
          },
          { status: 401, statusText: 'Unauthorized' },
        ),
      ),
    );
    await renderCard();
    expect(
      await screen.findByText(/TF400813: The user is not authorized/),
    ).toBeInTheDocument();
  });
});
