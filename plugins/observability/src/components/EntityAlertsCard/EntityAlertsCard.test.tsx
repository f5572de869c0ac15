import { screen } from '@testing-library/react';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { PROXY, renderWithGrafana } from '../__testUtils__/renderWithGrafana';
import { grafanaConfig, makeEntity } from '../../lib/__testUtils__/fixtures';
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

  it('says how to connect an alerts source when none is configured', async () => {
    await renderWithGrafana(<EntityAlertsCard />, entity, grafanaConfig);
    expect(
      await screen.findByText('No alerts source connected'),
    ).toBeInTheDocument();
    expect(document.body.textContent).toContain(
      'target: http://localhost:3030/api/prometheus/grafana/api/v1/alerts',
    );
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
