import { ConfigReader } from '@backstage/config';
import { readGrafanaSettings } from './config';
import { grafanaConfig } from './__testUtils__/fixtures';

const withInstance = (instance: Record<string, unknown>) =>
  new ConfigReader({
    observability: {
      grafana: {
        instances: [
          {
            name: 'x',
            url: 'https://g.example.com',
            dashboardUid: 'd',
            ...instance,
          },
        ],
      },
    },
  });

describe('readGrafanaSettings', () => {
  it('reads instances with defaults and normalizes base URLs', () => {
    const settings = readGrafanaSettings(new ConfigReader(grafanaConfig));
    expect(settings.instances).toHaveLength(2);
    expect(settings.defaultInstance?.name).toBe('local');
    expect(settings.instances[1]).toEqual({
      name: 'eu',
      url: 'https://grafana.eu.example.com/sub',
      orgId: 3,
      cluster: '',
      dashboardUid: 'eu-overview',
      proxyPath: '/grafana-eu/api',
      datasources: { prometheus: 'Prometheus', loki: 'Loki' },
    });
  });

  it('picks the named default instance', () => {
    const settings = readGrafanaSettings(
      new ConfigReader({
        observability: {
          grafana: {
            ...grafanaConfig.observability.grafana,
            defaultInstance: 'eu',
          },
        },
      }),
    );
    expect(settings.defaultInstance?.name).toBe('eu');
  });

  it('returns no instances without the section', () => {
    expect(readGrafanaSettings(new ConfigReader({}))).toEqual({
      instances: [],
    });
  });

  it.each([
    // eslint-disable-next-line no-script-url -- the point of the test
    [{ url: 'javascript:alert(1)' }, /http or https/],
    [{ url: 'https://g.example.com/?x=1' }, /plain base URL/],
    [{ url: 'not a url' }, /not a URL/],
    [{ dashboardUid: '../admin' }, /not a Grafana uid/],
    [{ proxyPath: '/grafana/../../x' }, /plain absolute path/],
    [{ orgId: 0 }, /positive integer/],
  ])('refuses %j', (instance, message) => {
    expect(() => readGrafanaSettings(withInstance(instance))).toThrow(message);
  });

  it('refuses a default instance that is not configured', () => {
    expect(() =>
      readGrafanaSettings(
        new ConfigReader({
          observability: {
            grafana: {
              ...grafanaConfig.observability.grafana,
              defaultInstance: 'nope',
            },
          },
        }),
      ),
    ).toThrow(/not one of the instances/);
  });

  it('reads the alerts route without a Grafana, and refuses one that is not a plain path', () => {
    expect(
      readGrafanaSettings(
        new ConfigReader({
          observability: { alerts: { proxyPath: '/prometheus/alerts/' } },
        }),
      ),
    ).toEqual({ instances: [], alertsProxyPath: '/prometheus/alerts' });
    expect(() =>
      readGrafanaSettings(
        new ConfigReader({
          observability: { alerts: { proxyPath: '/../grafana/api' } },
        }),
      ),
    ).toThrow(
      'observability.alerts.proxyPath "/../grafana/api" must be a plain absolute path',
    );
  });
});
