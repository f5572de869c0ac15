import { ConfigReader } from '@backstage/config';
import { parse } from 'yaml';
import { GRAFANA_CONNECT_SNIPPET } from './connect';
import { readGrafanaSettings } from './config';

describe('GRAFANA_CONNECT_SNIPPET', () => {
  const snippet = parse(GRAFANA_CONNECT_SNIPPET);

  it('is a Grafana instance the plugin accepts, with the alerts route', () => {
    const settings = readGrafanaSettings(new ConfigReader(snippet));
    expect(settings.defaultInstance).toMatchObject({
      name: 'local',
      url: 'http://localhost:3030',
      proxyPath: '/grafana/api',
      dashboardUid: 'service-overview',
    });
    expect(snippet.observability.alerts.proxyPath).toBe('/grafana/alerts');
  });

  it('proxies only the endpoints the plugin calls, read-only, and frames only that Grafana', () => {
    const endpoints = snippet.proxy.endpoints;
    expect(Object.keys(endpoints).sort()).toEqual([
      '/grafana/alerts',
      '/grafana/api/dashboards/uid/service-overview',
      '/grafana/api/health',
    ]);
    for (const endpoint of Object.values<any>(endpoints)) {
      expect(endpoint.allowedMethods).toEqual(['GET']);
    }
    expect(snippet.backend.csp['frame-src']).toEqual(['http://localhost:3030']);
  });
});
