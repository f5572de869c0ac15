import { fireEvent, screen, waitFor } from '@testing-library/react';
import { setupServer } from 'msw/node';
import { http, HttpResponse, delay } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { EntityObservabilityContent } from './EntityObservabilityContent';
import {
  DASHBOARD_URL,
  HEALTH_URL,
  dashboardFound,
  healthy,
  renderWithGrafana,
} from '../__testUtils__/renderWithGrafana';
import { makeEntity, salesDashboard } from '../../lib/__testUtils__/fixtures';
import { DASHBOARD_PANELS } from '@internal/plugin-observability-common';
import { CONNECT_GRAFANA_DOCS } from '../../lib/docs';

const server = setupServer();
registerMswTestHooks(server);

describe('EntityObservabilityContent', () => {
  it('shows progress while Grafana is being checked', async () => {
    server.use(
      http.get(HEALTH_URL, async () => {
        await delay('infinite');
        return HttpResponse.json({});
      }),
    );
    await renderWithGrafana(<EntityObservabilityContent />, salesDashboard);
    expect(await screen.findByTestId('progress')).toBeInTheDocument();
    expect(screen.queryByTitle(/Grafana/)).not.toBeInTheDocument();
  });

  it('says Grafana is unreachable when the proxy cannot reach it', async () => {
    server.use(
      http.get(HEALTH_URL, () =>
        HttpResponse.json(
          {
            error: {
              name: 'Error',
              message: 'connect ECONNREFUSED 127.0.0.1:3030',
            },
          },
          { status: 504 },
        ),
      ),
    );
    await renderWithGrafana(<EntityObservabilityContent />, salesDashboard);
    expect(
      await screen.findByText(/Grafana \(local\) is unreachable/),
    ).toBeInTheDocument();
    expect(screen.queryAllByTitle(/\(Grafana\)$/)).toHaveLength(0);
  });

  it('says Grafana is unreachable on a network error', async () => {
    server.use(http.get(HEALTH_URL, () => HttpResponse.error()));
    await renderWithGrafana(<EntityObservabilityContent />, salesDashboard);
    expect(
      await screen.findByText(/Grafana \(local\) is unreachable/),
    ).toBeInTheDocument();
  });

  it('says the dashboard is missing when Grafana answers 404', async () => {
    server.use(
      healthy(),
      http.get(DASHBOARD_URL, () =>
        HttpResponse.json({ message: 'Dashboard not found' }, { status: 404 }),
      ),
    );
    await renderWithGrafana(<EntityObservabilityContent />, salesDashboard);
    expect(await screen.findByText(/Dashboard not found/)).toBeInTheDocument();
  });

  it('shows the error when the dashboard check fails otherwise', async () => {
    server.use(
      healthy(),
      http.get(DASHBOARD_URL, () =>
        HttpResponse.json({ message: 'Unauthorized' }, { status: 401 }),
      ),
    );
    await renderWithGrafana(<EntityObservabilityContent />, salesDashboard);
    expect(
      (await screen.findAllByText(/Request failed with 401 Unauthorized/))
        .length,
    ).toBeGreaterThan(0);
  });

  it('shows the annotation snippet for an entity without annotations', async () => {
    await renderWithGrafana(<EntityObservabilityContent />, makeEntity({}));
    expect(
      await screen.findByText('No Kubernetes annotations'),
    ).toBeInTheDocument();
    // The snippet is syntax-highlighted, so its text is split over several elements.
    expect(document.body.textContent).toContain(
      'backstage.io/kubernetes-id: sales-dashboard',
    );
    expect(document.body.textContent).toContain(
      'backstage.io/kubernetes-namespace: default',
    );
  });

  it('refuses annotation values that are not Kubernetes label values', async () => {
    await renderWithGrafana(
      <EntityObservabilityContent />,
      makeEntity({
        'backstage.io/kubernetes-id': 'x"} or vector(1) #',
        'backstage.io/kubernetes-namespace': 'dashboards',
      }),
    );
    expect(
      await screen.findByText(/Annotations cannot be used/),
    ).toBeInTheDocument();
    expect(screen.queryAllByTitle(/\(Grafana\)$/)).toHaveLength(0);
  });

  it('says so when the entity names an instance that is not configured', async () => {
    await renderWithGrafana(
      <EntityObservabilityContent />,
      makeEntity({
        'backstage.io/kubernetes-id': 'sales-dashboard',
        'backstage.io/kubernetes-namespace': 'dashboards',
        'observability/grafana-instance': 'elsewhere',
      }),
    );
    expect(await screen.findByText(/No Grafana instance/)).toBeInTheDocument();
    expect(screen.getByText(/"elsewhere"/)).toBeInTheDocument();
  });

  it('says in one line that no Grafana is connected, links the docs on connecting one, and embeds nothing', async () => {
    await renderWithGrafana(<EntityObservabilityContent />, salesDashboard, {});
    expect(
      await screen.findByText(
        /^No Grafana is connected to this portal, so there are no metrics or logs to show\./,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'How to connect one' }),
    ).toHaveAttribute('href', CONNECT_GRAFANA_DOCS);
    expect(document.body.textContent).not.toContain('proxy:');
    expect(document.querySelector('iframe')).toBeNull();
  });

  it('embeds every panel for the entity once Grafana and the dashboard are there', async () => {
    server.use(healthy(), dashboardFound());
    await renderWithGrafana(<EntityObservabilityContent />, salesDashboard);
    const frames = await screen.findAllByTitle(/Service overview \(Grafana\)$/);
    expect(frames).toHaveLength(DASHBOARD_PANELS.length);
    for (const frame of frames) {
      expect(frame.tagName).toBe('IFRAME');
      expect(frame).toHaveAttribute('loading', 'lazy');
      expect(frame).toHaveAttribute('referrerpolicy', 'no-referrer');
      // Scripts on Grafana's own origin, popups for panel links; no top navigation, no forms.
      expect(frame.getAttribute('sandbox')!.split(' ').sort()).toEqual([
        'allow-popups',
        'allow-popups-to-escape-sandbox',
        'allow-same-origin',
        'allow-scripts',
      ]);
      const src = new URL(frame.getAttribute('src')!);
      expect(src.origin).toBe('http://localhost:3030');
      expect(src.pathname).toBe('/d-solo/service-overview');
      expect(src.searchParams.get('var-app')).toBe('sales-dashboard');
      expect(src.searchParams.get('var-namespace')).toBe('dashboards');
      expect(src.searchParams.get('theme')).toBe('light');
      expect(src.searchParams.get('from')).toBe('now-1h');
    }
    const cpu = screen.getByTitle('CPU, Service overview (Grafana)');
    expect(new URL(cpu.getAttribute('src')!).searchParams.get('panelId')).toBe(
      '5',
    );

    const open = screen.getByRole('link', { name: /Open in Grafana/ });
    expect(new URL(open.getAttribute('href')!).pathname).toBe(
      '/d/service-overview',
    );
    const explore = screen.getByRole('link', { name: /Explore logs/ });
    expect(new URL(explore.getAttribute('href')!).pathname).toBe('/explore');
  });

  it('changes the time range and refresh of every panel', async () => {
    server.use(healthy(), dashboardFound());
    await renderWithGrafana(<EntityObservabilityContent />, salesDashboard);
    await screen.findAllByTitle(/\(Grafana\)$/);

    // The selects are labelled, so they are found by their labels.
    fireEvent.mouseDown(screen.getByRole('button', { name: /^Time range/ }));
    fireEvent.click(
      await screen.findByRole('option', { name: 'Last 24 hours' }),
    );
    fireEvent.mouseDown(screen.getByRole('button', { name: /^Refresh/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'Off' }));

    await waitFor(() => {
      for (const frame of screen.getAllByTitle(/\(Grafana\)$/)) {
        const src = new URL(frame.getAttribute('src')!);
        expect(src.searchParams.get('from')).toBe('now-24h');
        expect(src.searchParams.has('refresh')).toBe(false);
      }
    });
    expect(
      new URL(
        screen
          .getByRole('link', { name: /Open in Grafana/ })
          .getAttribute('href')!,
      ).searchParams.get('from'),
    ).toBe('now-24h');
  });
});
