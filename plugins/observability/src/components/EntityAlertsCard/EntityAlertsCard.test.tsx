import { screen } from '@testing-library/react';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { PROXY, renderWithGrafana } from '../__testUtils__/renderWithGrafana';
import { grafanaConfig, makeEntity } from '../../lib/__testUtils__/fixtures';
import { CONNECT_GRAFANA_DOCS } from '../../lib/docs';
import { EntityAlertsCard } from './EntityAlertsCard';

const ALERTS_URL = `${PROXY}/grafana/alerts`;
const config = {
  observability: {
    ...grafanaConfig.observability,
    alerts: { proxyPath: '/grafana/alerts' },
  },
};
const entity = makeEntity({
  'backstage.io/kubernetes-id': 'sales-dashboard',
  'backstage.io/kubernetes-namespace': 'dashboards',
});

describe('EntityAlertsCard', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  it('says in one line that no alerts source is connected, and links the docs on connecting one', async () => {
    await renderWithGrafana(<EntityAlertsCard />, entity, grafanaConfig);
    expect(
      await screen.findByText(
        /^No alerts source is connected to this portal, so there are no alerts to show\./,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'How to connect one' }),
    ).toHaveAttribute('href', CONNECT_GRAFANA_DOCS);
    // No configuration block for everyone who opens the page.
    expect(document.body.textContent).not.toContain('proxyPath');
  });

  it("lists only the entity's alerts from Grafana's answer", async () => {
    server.use(
      http.get(ALERTS_URL, () =>
        HttpResponse.json({
          status: 'success',
          data: {
            alerts: [
              {
                labels: {
                  alertname: 'ServicePodsNotReady',
                  severity: 'warning',
                  namespace: 'dashboards',
                  app: 'sales-dashboard',
                },
                annotations: { summary: 'pods not ready' },
                state: 'Alerting',
                activeAt: '2026-12-02T02:00:00Z',
              },
              {
                labels: {
                  alertname: 'ServiceMetricsDown',
                  severity: 'warning',
                  namespace: 'dashboards',
                  app: 'other-app',
                },
                annotations: {},
                state: 'firing',
                activeAt: '2026-12-02T02:00:00Z',
              },
            ],
          },
        }),
      ),
    );
    await renderWithGrafana(<EntityAlertsCard />, entity, config);
    // Grafana's "Alerting" is Prometheus' "firing".
    const item = await screen.findByLabelText('ServicePodsNotReady firing');
    expect(item).toHaveTextContent('pods not ready.');
    expect(screen.getAllByRole('listitem')).toHaveLength(1);
    expect(screen.queryByText('ServiceMetricsDown')).toBeNull();
  });

  it('shows the error the proxy answers with', async () => {
    server.use(
      http.get(ALERTS_URL, () =>
        HttpResponse.json({ message: 'Grafana is down' }, { status: 502 }),
      ),
    );
    await renderWithGrafana(<EntityAlertsCard />, entity, config);
    expect(
      await screen.findByText('Error: Request failed with 502 Bad Gateway'),
    ).toBeInTheDocument();
  });

  it('refuses a label selector it cannot follow', async () => {
    await renderWithGrafana(
      <EntityAlertsCard />,
      makeEntity({
        'backstage.io/kubernetes-id': 'sales-dashboard',
        'backstage.io/kubernetes-namespace': 'dashboards',
        'backstage.io/kubernetes-label-selector': 'tier=web',
      }),
      config,
    );
    expect(
      await screen.findByText(
        /cannot be shown: the dashboard and the alert rules/,
      ),
    ).toBeInTheDocument();
  });
});
