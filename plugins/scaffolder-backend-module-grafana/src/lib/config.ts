import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import type { NotConfigured } from '@internal/plugin-scaffolder-portal-node';
import { isGrafanaUid } from '@internal/plugin-observability-common';
import type { GrafanaConnection } from './grafanaApi';

/**
 * Reads `grafanaProvisioning` (see config.d.ts). Returns undefined when the section is absent, so
 * a portal without Grafana starts; the action then says what to configure.
 */
export function readGrafanaConnection(
  config: Config,
): GrafanaConnection | undefined {
  const section = config.getOptionalConfig('grafanaProvisioning');
  if (!section) {
    return undefined;
  }
  const raw = section.getString('url');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InputError(
      `grafanaProvisioning.url ${JSON.stringify(raw)} is not a URL`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError('grafanaProvisioning.url must be http or https');
  }
  const token = section.getString('token');
  const prometheusDatasourceUid = section.getString('prometheusDatasourceUid');
  if (!isGrafanaUid(prometheusDatasourceUid)) {
    throw new InputError(
      `grafanaProvisioning.prometheusDatasourceUid ${JSON.stringify(
        prometheusDatasourceUid,
      )} is not a Grafana uid (Connections > Data sources > Prometheus shows it in the URL)`,
    );
  }
  return {
    url: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
    token,
    prometheusDatasourceUid,
    portalBaseUrl: config.getOptionalString('app.baseUrl'),
  };
}

/** What the action says when it runs without `grafanaProvisioning`. */
export const NOT_CONFIGURED: NotConfigured = {
  service: 'Grafana',
  missing: 'grafanaProvisioning is not set',
  connect:
    'set grafanaProvisioning.url, .token (an Editor service-account token) and .prometheusDatasourceUid in app-config (plugins/scaffolder-backend-module-grafana/README.md), then run its provision-all command for the services created meanwhile',
};
