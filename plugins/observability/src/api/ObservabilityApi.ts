import { createApiRef } from '@backstage/frontend-plugin-api';
import { GrafanaInstance, GrafanaSettings } from '../lib/config';
import { ActiveAlert } from '../lib/alerts';

/**
 * What Grafana's `/api/health` answers.
 *
 * @public
 */
export interface GrafanaHealth {
  database: string;
  version?: string;
}

/**
 * The parts of a Grafana dashboard the plugin reads.
 *
 * @public
 */
export interface GrafanaDashboardSummary {
  uid: string;
  title: string;
}

/**
 * Grafana instances from config, and checks on them through the Backstage proxy.
 *
 * @public
 */
export interface ObservabilityApi {
  /** The configured Grafana instances. */
  getSettings(): GrafanaSettings;
  /** Grafana's health; throws when Grafana cannot be reached or is unhealthy. */
  getHealth(instance: GrafanaInstance): Promise<GrafanaHealth>;
  /** A dashboard by uid, or `undefined` when Grafana has no such dashboard. */
  getDashboard(
    instance: GrafanaInstance,
    uid: string,
  ): Promise<GrafanaDashboardSummary | undefined>;
  /**
   * Every pending and firing alert, through the proxy endpoint `observability.alerts.proxyPath`;
   * throws when it is not configured or does not answer with an alerts list.
   */
  getAlerts(): Promise<ActiveAlert[]>;
}

/**
 * @public
 */
export const observabilityApiRef = createApiRef<ObservabilityApi>().with({
  id: 'plugin.observability.service',
  pluginId: 'observability',
});
