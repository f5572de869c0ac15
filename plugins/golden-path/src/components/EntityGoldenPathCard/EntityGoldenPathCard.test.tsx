import { screen, waitFor, within } from '@testing-library/react';
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
import { goldenPathApiRef, GoldenPathReport } from '../../api/GoldenPathApi';
import { GoldenPathClient } from '../../api/GoldenPathClient';
import { EntityGoldenPathCard } from './EntityGoldenPathCard';

const CHECKS_URL =
  'http://localhost:7007/api/golden-path/entities/component/default/sales-dashboard/checks';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'sales-dashboard',
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': 'sales-dashboard',
      'backstage.io/kubernetes-namespace': 'dashboards',
    },
  },
  spec: { type: 'service', owner: 'group:team', lifecycle: 'production' },
};

const minutesAgo = (n: number) =>
  new Date(Date.now() - n * 60_000).toISOString();

/** An answer as the golden-path backend gives it (its own tests check the real one). */
function report(overrides: Partial<GoldenPathReport> = {}): GoldenPathReport {
  const checkedAt = new Date().toISOString();
  return {
    entityRef: 'component:default/sales-dashboard',
    checkedAt,
    firstFailing: 'logging',
    checks: [
      {
        id: 'built',
        state: 'unavailable',
        summary:
          'Cannot check: the entity has no dev.azure.com/host-org, dev.azure.com/project and dev.azure.com/build-definition annotations.',
        since: minutesAgo(90),
      },
      {
        id: 'deployed',
        state: 'pass',
        summary: '2/2 pods ready.',
        evidence: [{ title: 'Deployment sales-dashboard' }],
        since: minutesAgo(180),
      },
      {
        id: 'scraped',
        state: 'pass',
        summary: '2 of 2 target(s) up.',
        evidence: [
          {
            title: 'Prometheus targets',
            url: 'http://prometheus.example/targets',
          },
        ],
        since: minutesAgo(30),
      },
      {
        id: 'logging',
        state: 'fail',
        summary:
          'No log streams with {namespace="dashboards", service_name="sales-dashboard"}: your agent sets app, container, namespace, pod.',
        cause: "The service's streams have no service_name label.",
        fix: 'Set service_name from app.kubernetes.io/name in the agent.',
        evidence: [{ title: 'Loki streams' }],
        since: minutesAgo(5),
      },
      {
        id: 'dashboard',
        state: 'fail',
        summary: 'No data in Logs (A).',
        cause: 'The panels return nothing.',
        fix: 'See the scraped and logging checks.',
        since: minutesAgo(5),
      },
      {
        id: 'alerts',
        state: 'unavailable',
        summary: 'Cannot check: no rules API is configured.',
        since: minutesAgo(90),
      },
    ],
    ...overrides,
  };
}

function renderCard() {
  const client = new GoldenPathClient({
    discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
    fetchApi: mockApis.fetch(),
  });
  return renderInTestApp(
    <TestApiProvider apis={[[goldenPathApiRef, client]]}>
      <EntityProvider entity={entity}>
        <EntityGoldenPathCard />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityGoldenPathCard', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it("shows every check with since when it holds or fails, and only the first failing one's cause and fix", async () => {
    server.use(http.get(CHECKS_URL, () => HttpResponse.json(report())));
    await renderCard();
    const list = await screen.findByRole('list', {
      name: 'Golden path checks',
    });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map(r => r.getAttribute('aria-label'))).toEqual([
      'Built: Cannot check for 1 hour',
      'Deployed: Holds for 3 hours',
      'Scraped: Holds for 30 minutes',
      'Logging: Fails for 5 minutes',
      'Dashboard: Fails for 5 minutes',
      'Alerts: Cannot check for 1 hour',
    ]);
    const notes = screen.getAllByRole('note', { name: 'Cause and fix' });
    expect(notes).toHaveLength(1);
    expect(rows[3]).toContainElement(notes[0]);
    expect(notes[0]).toHaveTextContent(
      "Cause: The service's streams have no service_name label.",
    );
    expect(notes[0]).toHaveTextContent(
      'Fix: Set service_name from app.kubernetes.io/name in the agent.',
    );
    // What cannot be checked says why.
    expect(rows[0]).toHaveTextContent(
      'Cannot check: the entity has no dev.azure.com/host-org',
    );
    // Evidence with a link is a link.
    expect(
      within(rows[2]).getByRole('link', { name: /^Prometheus targets/ }),
    ).toHaveAttribute('href', 'http://prometheus.example/targets');
  });

  it('says in one line, with a link to the docs, that none of its sources is configured, instead of six "cannot check" lines', async () => {
    server.use(
      http.get(CHECKS_URL, () =>
        HttpResponse.json(
          report({
            noSourceConfigured: true,
            firstFailing: undefined,
            checks: report().checks.map(c => ({
              id: c.id,
              state: 'unavailable' as const,
              summary: `Cannot check: no source for ${c.id}.`,
              since: c.since,
            })),
          }),
        ),
      ),
    );
    await renderCard();
    const line = await screen.findByText(
      /No source of these checks \(Azure DevOps, a Kubernetes cluster, Prometheus, Loki, Grafana\) is configured here\./,
    );
    expect(
      within(line).getByRole('link', { name: 'How to connect them' }),
    ).toHaveAttribute(
      'href',
      '/docs/default/component/golden-path-portal/observability/#golden-path-card-sources',
    );
    expect(screen.queryByText(/Cannot check/)).not.toBeInTheDocument();
    expect(
      screen.queryByRole('list', { name: 'Golden path checks' }),
    ).not.toBeInTheDocument();
  });

  it('lists every check as before when some of its sources are configured', async () => {
    server.use(
      http.get(CHECKS_URL, () =>
        HttpResponse.json(report({ noSourceConfigured: false })),
      ),
    );
    await renderCard();
    const checks = await screen.findByRole('list', {
      name: 'Golden path checks',
    });
    expect(within(checks).getAllByRole('listitem')).toHaveLength(6);
    expect(screen.queryByText(/No source of these checks/)).toBeNull();
  });

  it('runs the checks again on "Check now" and shows the new answer', async () => {
    const posts: string[] = [];
    server.use(
      http.get(CHECKS_URL, () => HttpResponse.json(report())),
      http.post(CHECKS_URL, ({ request }) => {
        posts.push(request.url);
        const r = report({ firstFailing: undefined });
        r.checks = r.checks.map(c =>
          c.state === 'fail'
            ? { ...c, state: 'pass', since: r.checkedAt, cause: undefined }
            : c,
        );
        return HttpResponse.json(r);
      }),
    );
    await renderCard();
    await screen.findByRole('note', { name: 'Cause and fix' });
    await userEvent.click(screen.getByRole('button', { name: 'Check now' }));
    await waitFor(() =>
      expect(
        screen.queryByRole('note', { name: 'Cause and fix' }),
      ).not.toBeInTheDocument(),
    );
    expect(posts).toEqual([CHECKS_URL]);
    expect(
      screen.getByRole('listitem', {
        name: 'Logging: Holds for less than a minute',
      }),
    ).toBeInTheDocument();
  });

  it('says when the caller may not read the entity', async () => {
    server.use(
      http.get(CHECKS_URL, () =>
        HttpResponse.json(
          {
            error: {
              name: 'NotAllowedError',
              message: 'You may not read component:default/sales-dashboard.',
            },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );
    await renderCard();
    expect(
      await screen.findByText(
        /You may not read component:default\/sales-dashboard\./,
      ),
    ).toBeInTheDocument();
  });

  it('shows the error of a backend that is missing or fails', async () => {
    server.use(
      http.get(CHECKS_URL, () =>
        HttpResponse.json(
          {
            error: { name: 'Error', message: 'database unavailable' },
            response: { statusCode: 500 },
          },
          { status: 500 },
        ),
      ),
    );
    await renderCard();
    expect(
      (await screen.findAllByText(/database unavailable/)).length,
    ).toBeGreaterThan(0);
    expect(
      screen.queryByRole('list', { name: 'Golden path checks' }),
    ).not.toBeInTheDocument();
  });

  it('shows the status of a 404 from a portal without the golden-path backend', async () => {
    server.use(
      http.get(
        CHECKS_URL,
        () => new HttpResponse('Not Found', { status: 404 }),
      ),
    );
    await renderCard();
    expect(
      await screen.findByText('Error: Request failed with 404 Not Found'),
    ).toBeInTheDocument();
  });
});
