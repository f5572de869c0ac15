import { ConfigReader } from '@backstage/config';
import { mockApis, registerMswTestHooks } from '@backstage/frontend-test-utils';
import { setupServer } from 'msw/node';
import { http, HttpResponse } from 'msw';
import { GrafanaClient } from './GrafanaClient';
import { grafanaConfig } from '../lib/__testUtils__/fixtures';

const server = setupServer();
registerMswTestHooks(server);

const client = new GrafanaClient({
  configApi: new ConfigReader(grafanaConfig),
  discoveryApi: mockApis.discovery({ baseUrl: 'http://localhost:7007' }),
  fetchApi: mockApis.fetch(),
});
const [local, eu] = client.getSettings().instances;
const PROXY = 'http://localhost:7007/api/proxy';

describe('GrafanaClient', () => {
  it('reads the instances from config', () => {
    expect(client.getSettings().instances.map(i => i.name)).toEqual([
      'local',
      'eu',
    ]);
  });

  describe('getHealth', () => {
    it('returns the health through the instance proxy path', async () => {
      server.use(
        http.get(`${PROXY}/grafana-eu/api/health`, () =>
          HttpResponse.json({ database: 'ok', version: '11.6.0' }),
        ),
      );
      await expect(client.getHealth(eu)).resolves.toEqual({
        database: 'ok',
        version: '11.6.0',
      });
    });

    it('throws when Grafana reports its database as failing', async () => {
      server.use(
        http.get(`${PROXY}/grafana/api/health`, () =>
          HttpResponse.json({ database: 'failing' }),
        ),
      );
      await expect(client.getHealth(local)).rejects.toThrow(
        'Grafana local reports its database as failing',
      );
    });

    it('throws the response error on 404 and 500', async () => {
      server.use(
        http.get(`${PROXY}/grafana/api/health`, () =>
          HttpResponse.json({ message: 'nope' }, { status: 404 }),
        ),
      );
      await expect(client.getHealth(local)).rejects.toThrow(
        'Request failed with 404 Not Found',
      );
      server.use(
        http.get(`${PROXY}/grafana/api/health`, () =>
          HttpResponse.text('boom', { status: 500 }),
        ),
      );
      await expect(client.getHealth(local)).rejects.toThrow(
        'Request failed with 500 Internal Server Error',
      );
    });
  });

  describe('getDashboard', () => {
    it('returns the dashboard title', async () => {
      server.use(
        http.get(`${PROXY}/grafana/api/dashboards/uid/service-overview`, () =>
          HttpResponse.json({
            dashboard: { uid: 'service-overview', title: 'Service overview' },
          }),
        ),
      );
      await expect(
        client.getDashboard(local, 'service-overview'),
      ).resolves.toEqual({
        uid: 'service-overview',
        title: 'Service overview',
      });
    });

    it('returns undefined for a dashboard Grafana does not have', async () => {
      server.use(
        http.get(`${PROXY}/grafana/api/dashboards/uid/gone`, () =>
          HttpResponse.json(
            { message: 'Dashboard not found' },
            { status: 404 },
          ),
        ),
      );
      await expect(client.getDashboard(local, 'gone')).resolves.toBeUndefined();
    });

    it('throws on 500', async () => {
      server.use(
        http.get(`${PROXY}/grafana/api/dashboards/uid/service-overview`, () =>
          HttpResponse.text('boom', { status: 500 }),
        ),
      );
      await expect(
        client.getDashboard(local, 'service-overview'),
      ).rejects.toThrow('Request failed with 500 Internal Server Error');
    });

    it('encodes the uid into one path segment', async () => {
      let seen = '';
      server.use(
        http.get(`${PROXY}/grafana/api/dashboards/uid/:uid`, ({ request }) => {
          seen = new URL(request.url).pathname;
          return HttpResponse.json({ dashboard: { uid: 'x', title: 'x' } });
        }),
      );
      await client.getDashboard(local, 'a/../b?c');
      expect(seen).toBe('/api/proxy/grafana/api/dashboards/uid/a%2F..%2Fb%3Fc');
    });
  });
});
