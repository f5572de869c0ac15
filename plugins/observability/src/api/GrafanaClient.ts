import {
  ConfigApi,
  DiscoveryApi,
  FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  GrafanaDashboardSummary,
  GrafanaHealth,
  ObservabilityApi,
} from './ObservabilityApi';
import {
  GrafanaInstance,
  GrafanaSettings,
  readGrafanaSettings,
} from '../lib/config';
import { ActiveAlert, parseAlerts } from '../lib/alerts';

/**
 * Talks to Grafana through the Backstage proxy endpoint of each instance (`proxyPath`), so the
 * browser needs no Grafana credentials and Grafana needs no CORS set-up.
 *
 * @public
 */
export class GrafanaClient implements ObservabilityApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;
  private readonly settings: GrafanaSettings;

  constructor(options: {
    configApi: ConfigApi;
    discoveryApi: DiscoveryApi;
    fetchApi: FetchApi;
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
    this.settings = readGrafanaSettings(options.configApi);
  }

  getSettings(): GrafanaSettings {
    return this.settings;
  }

  async getHealth(instance: GrafanaInstance): Promise<GrafanaHealth> {
    const res = await this.get(instance, ['health']);
    await this.check(res);
    const body = (await res.json()) as GrafanaHealth;
    if (body.database !== 'ok') {
      throw new Error(
        `Grafana ${instance.name} reports its database as ${body.database}`,
      );
    }
    return body;
  }

  async getDashboard(
    instance: GrafanaInstance,
    uid: string,
  ): Promise<GrafanaDashboardSummary | undefined> {
    const res = await this.get(instance, ['dashboards', 'uid', uid]);
    if (res.status === 404) {
      return undefined;
    }
    await this.check(res);
    const body = (await res.json()) as {
      dashboard?: { uid?: string; title?: string };
    };
    return {
      uid: body.dashboard?.uid ?? uid,
      title: body.dashboard?.title ?? uid,
    };
  }

  async getAlerts(): Promise<ActiveAlert[]> {
    const path = this.settings.alertsProxyPath;
    if (!path) {
      throw new Error('observability.alerts.proxyPath is not configured');
    }
    const proxy = await this.discoveryApi.getBaseUrl('proxy');
    const res = await this.fetchApi.fetch(`${proxy}${path}`, {
      headers: { Accept: 'application/json' },
    });
    await this.check(res);
    return parseAlerts(await res.json());
  }

  private async get(
    instance: GrafanaInstance,
    segments: string[],
  ): Promise<Response> {
    const proxy = await this.discoveryApi.getBaseUrl('proxy');
    const path = segments.map(s => encodeURIComponent(s)).join('/');
    return this.fetchApi.fetch(`${proxy}${instance.proxyPath}/${path}`, {
      headers: { Accept: 'application/json' },
    });
  }

  private async check(res: Response): Promise<void> {
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
  }
}
