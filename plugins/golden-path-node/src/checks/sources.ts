import type { Config } from '@backstage/config';
import type {
  AuthService,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { ALERT_RULES } from '@internal/plugin-observability-common';
import type { Endpoint } from '../lib/http';
import type { AzureDevOpsReader } from './built';
import type { KubernetesReader } from './deployed';
import type { RulesSource } from './prometheus';
import type { GoldenPathTarget } from './types';

/** Everything the checks read from; a missing one makes its checks say "cannot check". @public */
export interface CheckSources {
  azure?: AzureDevOpsReader;
  kubernetes?: KubernetesReader;
  prometheus?: Endpoint;
  loki?: Endpoint;
  rules?: (target: GoldenPathTarget) => RulesSource;
  dashboardUrl?: (target: GoldenPathTarget) => string | undefined;
}

const bearer = (token?: string) => (token ? `Bearer ${token}` : undefined);

/**
 * The read-only endpoints of `goldenPath.prometheus`, `goldenPath.loki` and `goldenPath.grafana`.
 * Grafana's rules are read with its Viewer token from its Prometheus-compatible rules API;
 * without Grafana, the rule file loaded by Prometheus is checked.
 *
 * @public
 */
export function endpointsFromConfig(
  config: Config,
  fetchImpl?: typeof fetch,
): Pick<CheckSources, 'prometheus' | 'loki' | 'rules' | 'dashboardUrl'> {
  // An empty url (`${VARIABLE:-}` with the variable unset) counts as not configured.
  const section = (key: string) => {
    const c = config.getOptionalConfig(key);
    return c?.getOptionalString('url') ? c : undefined;
  };
  const prom = section('goldenPath.prometheus');
  const loki = section('goldenPath.loki');
  const grafana = section('goldenPath.grafana');
  const prometheus: Endpoint | undefined = prom && {
    url: prom.getString('url'),
    authorization: bearer(prom.getOptionalString('token') || undefined),
    fetch: fetchImpl,
  };
  const lokiEndpoint: Endpoint | undefined = loki && {
    url: loki.getString('url'),
    authorization: bearer(loki.getOptionalString('token') || undefined),
    headers: loki.getOptionalString('tenant')
      ? { 'X-Scope-OrgID': loki.getString('tenant') }
      : undefined,
    fetch: fetchImpl,
  };
  const grafanaEndpoint: Endpoint | undefined = grafana && {
    url: grafana.getString('url'),
    authorization: bearer(grafana.getOptionalString('token') || undefined),
    fetch: fetchImpl,
  };
  const dashboardUid =
    grafana?.getOptionalString('dashboardUid') ?? 'service-overview';
  const names = ALERT_RULES.map(r => r.alert);
  let rules: CheckSources['rules'];
  if (grafanaEndpoint) {
    rules = target => ({
      endpoint: grafanaEndpoint,
      service: 'Grafana',
      // https://grafana.com/docs/grafana/latest/alerting/set-up/configure-alert-state-history/ lists
      // Grafana's Prometheus-compatible rules endpoint; the grafana module names an entity's
      // rule group after the entity (ruleGroupFor).
      path: '/api/prometheus/grafana/api/v1/rules',
      groupOf: g => g.name === target.entityRef.split('/').pop(),
      expected: names,
      url: `${grafanaEndpoint.url.replace(
        /\/+$/,
        '',
      )}/alerting/list?search=${encodeURIComponent(
        `group:${target.entityRef.split('/').pop()}`,
      )}`,
    });
  } else if (prometheus) {
    rules = () => ({
      endpoint: prometheus,
      service: 'Prometheus',
      path: '/api/v1/rules',
      groupOf: g => g.rules.some(r => names.includes(r.name)),
      expected: names,
      url: `${prometheus.url.replace(/\/+$/, '')}/rules`,
    });
  }
  return {
    prometheus,
    loki: lokiEndpoint,
    rules,
    dashboardUrl: grafanaEndpoint
      ? target =>
          `${grafanaEndpoint.url.replace(
            /\/+$/,
            '',
          )}/d/${dashboardUid}?${new URLSearchParams({
            'var-cluster': target.cluster ?? '',
            'var-namespace': target.namespace,
            'var-app': target.app,
          })}`
      : undefined,
  };
}

/**
 * Reads the entity's workloads from the kubernetes backend (`POST /services/:name`, as the
 * Kubernetes tab does) with the calling plugin's own service credentials: the backend reads the
 * entity from the catalog by its ref, so only catalog entities can be read.
 *
 * @public
 */
export function kubernetesBackendReader(options: {
  discovery: DiscoveryService;
  auth: AuthService;
  fetch?: typeof fetch;
}): KubernetesReader {
  const tokenFor = async () =>
    (
      await options.auth.getPluginRequestToken({
        onBehalfOf: await options.auth.getOwnServiceCredentials(),
        targetPluginId: 'kubernetes',
      })
    ).token;
  return {
    async clusters() {
      const base = await options.discovery.getBaseUrl('kubernetes');
      const res = await (options.fetch ?? fetch)(`${base}/clusters`, {
        headers: { Authorization: `Bearer ${await tokenFor()}` },
        signal: AbortSignal.timeout(30_000),
      });
      if (!res.ok) {
        throw new Error(
          `The kubernetes backend answered ${res.status} for its clusters: ${(
            await res.text()
          ).slice(0, 300)}`,
        );
      }
      return ((await res.json()) as { items: { name: string }[] }).items;
    },
    async objectsFor(target) {
      const [kind, rest] = target.entityRef.split(':');
      const [namespace, name] = rest.split('/');
      const base = await options.discovery.getBaseUrl('kubernetes');
      const token = await tokenFor();
      const res = await (options.fetch ?? fetch)(
        `${base}/services/${encodeURIComponent(name)}`,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            Authorization: `Bearer ${token}`,
          },
          body: JSON.stringify({
            entity: {
              apiVersion: 'backstage.io/v1alpha1',
              kind,
              metadata: { name, namespace },
            },
            auth: {},
          }),
          signal: AbortSignal.timeout(30_000),
        },
      );
      if (!res.ok) {
        throw new Error(
          `The kubernetes backend answered ${res.status} for ${
            target.entityRef
          }: ${(await res.text()).slice(0, 300)}`,
        );
      }
      return res.json();
    },
  };
}
