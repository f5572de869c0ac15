import {
  buildDashboardUrl,
  buildExploreUrl,
  buildPanelUrl,
  grafanaUrl,
} from './urls';
import { ObservabilityTarget } from './annotations';
import { getPanel } from '@internal/plugin-observability-common';
import { localInstance } from './__testUtils__/fixtures';
import { parseQuery } from './__testUtils__/parse';

const target: ObservabilityTarget = {
  instance: localInstance,
  dashboardUid: 'service-overview',
  cluster: '',
  namespace: 'dashboards',
  app: 'sales-dashboard',
};

describe('buildPanelUrl', () => {
  it('builds a d-solo URL with the entity variables, theme, time and refresh', () => {
    const url = new URL(
      buildPanelUrl(target, 5, {
        theme: 'dark',
        timeRange: '6h',
        refresh: '30s',
      }),
    );
    expect(url.origin).toBe('http://localhost:3030');
    expect(url.pathname).toBe('/d-solo/service-overview');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      orgId: '1',
      'var-datasource': 'Prometheus',
      'var-loki': 'Loki',
      'var-cluster': '',
      'var-namespace': 'dashboards',
      'var-app': 'sales-dashboard',
      panelId: '5',
      from: 'now-6h',
      to: 'now',
      theme: 'dark',
      refresh: '30s',
    });
  });

  it('passes the cluster the instance or the entity names', () => {
    const url = new URL(
      buildPanelUrl({ ...target, cluster: 'east' }, 5, {
        theme: 'dark',
        timeRange: '6h',
        refresh: 'off',
      }),
    );
    expect(url.searchParams.get('var-cluster')).toBe('east');
  });

  it('leaves refresh out when it is off', () => {
    const url = new URL(
      buildPanelUrl(target, 1, {
        theme: 'light',
        timeRange: '1h',
        refresh: 'off',
      }),
    );
    expect(url.searchParams.has('refresh')).toBe(false);
    expect(url.searchParams.get('theme')).toBe('light');
  });

  it('URL-encodes values so they cannot add parameters', () => {
    const url = buildPanelUrl(
      { ...target, app: 'a&panelId=99#x', namespace: 'n?x=1' },
      1,
      { theme: 'light', timeRange: '1h', refresh: 'off' },
    );
    const parsed = new URL(url);
    expect(parsed.searchParams.getAll('panelId')).toEqual(['1']);
    expect(parsed.searchParams.get('var-app')).toBe('a&panelId=99#x');
    expect(parsed.hash).toBe('');
    expect(url).toContain('var-app=a%26panelId%3D99%23x');
  });

  it('keeps a hostile dashboard uid inside the instance path', () => {
    const url = new URL(
      buildPanelUrl({ ...target, dashboardUid: '../../api/admin' }, 1, {
        theme: 'light',
        timeRange: '1h',
        refresh: 'off',
      }),
    );
    expect(url.origin).toBe('http://localhost:3030');
    expect(url.pathname).toBe('/d-solo/..%2F..%2Fapi%2Fadmin');
  });

  it('refuses time ranges it does not offer', () => {
    expect(() =>
      buildPanelUrl(target, 1, {
        theme: 'light',
        timeRange: '1h&x=1' as any,
        refresh: 'off',
      }),
    ).toThrow(/Unsupported time range/);
  });
});

describe('grafanaUrl', () => {
  it('stays below a base path', () => {
    const instance = { ...localInstance, url: 'https://example.com/grafana' };
    expect(grafanaUrl(instance, ['d', 'x'], [])).toBe(
      'https://example.com/grafana/d/x',
    );
    expect(() => grafanaUrl(instance, ['..', 'x'], [])).toThrow(
      'Refusing to build a URL outside https://example.com/grafana',
    );
  });

  it('refuses segments that resolve to another host', () => {
    expect(
      new URL(grafanaUrl(localInstance, ['//evil.example.com'], [])).origin,
    ).toBe('http://localhost:3030');
  });
});

describe('buildDashboardUrl', () => {
  it('opens the whole dashboard with the same variables', () => {
    const url = new URL(buildDashboardUrl(target, '24h'));
    expect(url.pathname).toBe('/d/service-overview');
    expect(url.searchParams.get('var-app')).toBe('sales-dashboard');
    expect(url.searchParams.get('from')).toBe('now-24h');
  });
});

describe('buildExploreUrl', () => {
  it('fills the entity into the logs query, escaped', () => {
    const app = 'x"} |= "secret';
    const url = new URL(
      buildExploreUrl({ ...target, app }, getPanel('logs').queries[0], '1h'),
    );
    expect(url.pathname).toBe('/explore');
    const panes = JSON.parse(url.searchParams.get('panes')!);
    expect(panes.a.datasource).toBe('Loki');
    const parsed = parseQuery('logql', panes.a.queries[0].expr);
    expect(parsed.errors).toEqual([]);
    expect(parsed.matchers).toEqual([
      { name: 'namespace', op: '=', value: 'dashboards' },
      { name: 'service_name', op: '=', value: app },
    ]);
  });

  it('uses the Prometheus data source for PromQL', () => {
    const url = new URL(
      buildExploreUrl(target, getPanel('cpu').queries[0], '1h'),
    );
    expect(JSON.parse(url.searchParams.get('panes')!).a.datasource).toBe(
      'Prometheus',
    );
  });
});
