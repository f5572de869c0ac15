import { Config } from '@backstage/config';
import {
  isGrafanaUid,
  isKubernetesLabelValue,
} from '@internal/plugin-observability-common';

/**
 * One configured Grafana instance, normalized.
 *
 * @public
 */
export interface GrafanaInstance {
  name: string;
  /** Base URL without a trailing slash. */
  url: string;
  orgId: number;
  /**
   * The `cluster` label value of this Grafana's series, passed as `var-cluster`; empty (the
   * default) matches series without the label.
   */
  cluster: string;
  dashboardUid: string;
  proxyPath: string;
  datasources: {
    prometheus: string;
    loki: string;
  };
}

/** @public */
export interface GrafanaSettings {
  instances: GrafanaInstance[];
  defaultInstance?: GrafanaInstance;
  /** Backstage proxy endpoint answering with alerts in Prometheus' format, when configured. */
  alertsProxyPath?: string;
}

function checkProxyPath(proxyPath: string, setting: string): string {
  if (!/^\/[A-Za-z0-9._~\-/]*$/.test(proxyPath) || proxyPath.includes('..')) {
    throw new Error(
      `${setting} ${JSON.stringify(proxyPath)} must be a plain absolute path`,
    );
  }
  return proxyPath.replace(/\/+$/, '');
}

/**
 * Reads and validates `observability.grafana`. Returns no instances when the section is absent.
 *
 * @public
 */
export function readGrafanaSettings(config: Config): GrafanaSettings {
  const alertsPath = config.getOptionalString('observability.alerts.proxyPath');
  const alertsProxyPath =
    alertsPath === undefined
      ? undefined
      : checkProxyPath(alertsPath, 'observability.alerts.proxyPath');
  const grafana = config.getOptionalConfig('observability.grafana');
  if (!grafana) {
    return { instances: [], alertsProxyPath };
  }
  const instances = grafana.getConfigArray('instances').map(instance => {
    const name = instance.getString('name');
    const url = normalizeBaseUrl(instance.getString('url'), name);
    const dashboardUid = instance.getString('dashboardUid');
    if (!isGrafanaUid(dashboardUid)) {
      throw new Error(
        `observability.grafana instance ${name}: dashboardUid ${JSON.stringify(
          dashboardUid,
        )} is not a Grafana uid`,
      );
    }
    const proxyPath = instance.getOptionalString('proxyPath') ?? '/grafana/api';
    if (!/^\/[A-Za-z0-9._~\-/]*$/.test(proxyPath) || proxyPath.includes('..')) {
      throw new Error(
        `observability.grafana instance ${name}: proxyPath ${JSON.stringify(
          proxyPath,
        )} must be a plain absolute path`,
      );
    }
    const cluster = instance.getOptionalString('cluster') ?? '';
    if (cluster !== '' && !isKubernetesLabelValue(cluster)) {
      throw new Error(
        `observability.grafana instance ${name}: cluster ${JSON.stringify(
          cluster,
        )} is not a label value (letters, digits, '-', '_' and '.', at most 63)`,
      );
    }
    const orgId = instance.getOptionalNumber('orgId') ?? 1;
    if (!Number.isInteger(orgId) || orgId < 1) {
      throw new Error(
        `observability.grafana instance ${name}: orgId must be a positive integer`,
      );
    }
    return {
      name,
      url,
      orgId,
      cluster,
      dashboardUid,
      proxyPath: proxyPath.replace(/\/+$/, ''),
      datasources: {
        prometheus:
          instance.getOptionalString('datasources.prometheus') ?? 'Prometheus',
        loki: instance.getOptionalString('datasources.loki') ?? 'Loki',
      },
    };
  });
  const defaultName = grafana.getOptionalString('defaultInstance');
  const defaultInstance = defaultName
    ? instances.find(i => i.name === defaultName)
    : instances[0];
  if (defaultName && !defaultInstance) {
    throw new Error(
      `observability.grafana.defaultInstance ${defaultName} is not one of the instances`,
    );
  }
  return { instances, defaultInstance, alertsProxyPath };
}

function normalizeBaseUrl(raw: string, name: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`observability.grafana instance ${name}: url is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(
      `observability.grafana instance ${name}: url must be http or https`,
    );
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new Error(
      `observability.grafana instance ${name}: url must be a plain base URL`,
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
