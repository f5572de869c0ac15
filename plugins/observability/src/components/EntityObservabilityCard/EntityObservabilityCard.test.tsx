import { screen } from '@testing-library/react';
import { ThemeProvider, createTheme } from '@material-ui/core/styles';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { EntityObservabilityCard } from './EntityObservabilityCard';
import {
  HEALTH_URL,
  dashboardFound,
  healthy,
  renderWithGrafana,
} from '../__testUtils__/renderWithGrafana';
import { makeEntity, salesDashboard } from '../../lib/__testUtils__/fixtures';

const server = setupServer();
registerMswTestHooks(server);

describe('EntityObservabilityCard', () => {
  it('shows the key panels and a link to the dashboard', async () => {
    server.use(healthy(), dashboardFound());
    await renderWithGrafana(<EntityObservabilityCard />, salesDashboard);
    const frames = await screen.findAllByTitle(/\(Grafana\)$/);
    expect(frames.map(f => f.getAttribute('title'))).toEqual([
      'Ready pods (Grafana)',
      'Container restarts (Grafana)',
      'Error logs (Grafana)',
      'CPU (Grafana)',
    ]);
    const link = screen.getByRole('link', { name: /Open in Grafana/ });
    expect(new URL(link.getAttribute('href')!).origin).toBe(
      'http://localhost:3030',
    );
  });

  it('follows a dark Backstage theme', async () => {
    server.use(healthy(), dashboardFound());
    await renderWithGrafana(
      <ThemeProvider theme={createTheme({ palette: { type: 'dark' } })}>
        <EntityObservabilityCard />
      </ThemeProvider>,
      salesDashboard,
    );
    for (const frame of await screen.findAllByTitle(/\(Grafana\)$/)) {
      expect(
        new URL(frame.getAttribute('src')!).searchParams.get('theme'),
      ).toBe('dark');
    }
  });

  it('shows Grafana unreachable inside the card', async () => {
    server.use(http.get(HEALTH_URL, () => HttpResponse.error()));
    await renderWithGrafana(<EntityObservabilityCard />, salesDashboard);
    expect(
      await screen.findByText(/Grafana \(local\) is unreachable/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /Open in Grafana/ }),
    ).not.toBeInTheDocument();
  });

  it('shows the annotation snippet for an entity without annotations', async () => {
    await renderWithGrafana(<EntityObservabilityCard />, makeEntity({}));
    expect(
      await screen.findByText('No Kubernetes annotations'),
    ).toBeInTheDocument();
  });
});
