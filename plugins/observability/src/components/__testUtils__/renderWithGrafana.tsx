import { ReactElement } from 'react';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  TestApiProvider,
  mockApis,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { http, HttpResponse } from 'msw';
import { observabilityApiRef } from '../../api/ObservabilityApi';
import { GrafanaClient } from '../../api/GrafanaClient';
import { grafanaConfig } from '../../lib/__testUtils__/fixtures';

export const PROXY = 'http://localhost:7007/api/proxy';
export const HEALTH_URL = `${PROXY}/grafana/api/health`;
export const DASHBOARD_URL = `${PROXY}/grafana/api/dashboards/uid/service-overview`;

export const healthy = () =>
  http.get(HEALTH_URL, () =>
    HttpResponse.json({ database: 'ok', version: '11.6.0' }),
  );
export const dashboardFound = () =>
  http.get(DASHBOARD_URL, () =>
    HttpResponse.json({
      dashboard: { uid: 'service-overview', title: 'Service overview' },
      meta: { slug: 'service-overview' },
    }),
  );

export function renderWithGrafana(
  element: ReactElement,
  entity: Entity,
  config: object = grafanaConfig,
) {
  const client = new GrafanaClient({
    configApi: new ConfigReader(config),
    discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
    fetchApi: mockApis.fetch(),
  });
  return renderInTestApp(
    <TestApiProvider apis={[[observabilityApiRef, client]]}>
      <EntityProvider entity={entity}>{element}</EntityProvider>
    </TestApiProvider>,
  );
}
