/*
 * A Kubernetes API server stand-in on loopback, serving recorded list responses for the
 * `sales-dashboard` workload in the `dashboards` namespace.
 *
 * Node imports this file directly (type stripping), so it uses erasable TypeScript syntax only:
 * no enums, no namespaces, no parameter properties, and nothing but `node:` imports.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The recorded cluster states. @public */
export type KubernetesStandInScenario =
  | 'healthy'
  | 'crashloop'
  | 'oomkilled'
  | 'pending';

/** The scenarios, in a stable order. @public */
export const kubernetesStandInScenarios: readonly KubernetesStandInScenario[] =
  ['healthy', 'crashloop', 'oomkilled', 'pending'];

/** @public */
export interface KubernetesStandInOptions {
  scenario: KubernetesStandInScenario;
  /**
   * When set, requests without `Authorization: Bearer <token>` get a 401 Status, as a real API
   * server answers an unknown service-account token.
   */
  token?: string;
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
}

/** @public */
export interface KubernetesStandIn {
  /** Base URL of the API server, for example `http://127.0.0.1:41234`. */
  url: string;
  /** Every request path (with query) the stand-in answered with 404, in order. */
  unmatched: string[];
  stop(): Promise<void>;
}

const fixturesRoot = fileURLToPath(new URL('./fixtures/', import.meta.url));

// Namespaced list endpoints answered from a recorded file; the key is `<group>/<version>/<plural>`
// as it appears in the path (`/api/v1/...` has the empty group).
const RECORDED: Record<string, string> = {
  '/v1/pods': 'pods.json',
  '/v1/services': 'services.json',
  '/v1/events': 'events.json',
  'apps/v1/deployments': 'deployments.json',
  'apps/v1/replicasets': 'replicasets.json',
  'metrics.k8s.io/v1beta1/pods': 'podmetrics.json',
};

// The other namespaced lists the kubernetes backend asks for; the workload has none of these.
const EMPTY: Record<string, { kind: string; apiVersion: string }> = {
  '/v1/configmaps': { kind: 'ConfigMapList', apiVersion: 'v1' },
  '/v1/limitranges': { kind: 'LimitRangeList', apiVersion: 'v1' },
  '/v1/resourcequotas': { kind: 'ResourceQuotaList', apiVersion: 'v1' },
  '/v1/secrets': { kind: 'SecretList', apiVersion: 'v1' },
  '/v1/persistentvolumeclaims': {
    kind: 'PersistentVolumeClaimList',
    apiVersion: 'v1',
  },
  'apps/v1/statefulsets': { kind: 'StatefulSetList', apiVersion: 'apps/v1' },
  'apps/v1/daemonsets': { kind: 'DaemonSetList', apiVersion: 'apps/v1' },
  'autoscaling/v2/horizontalpodautoscalers': {
    kind: 'HorizontalPodAutoscalerList',
    apiVersion: 'autoscaling/v2',
  },
  'batch/v1/jobs': { kind: 'JobList', apiVersion: 'batch/v1' },
  'batch/v1/cronjobs': { kind: 'CronJobList', apiVersion: 'batch/v1' },
  'networking.k8s.io/v1/ingresses': {
    kind: 'IngressList',
    apiVersion: 'networking.k8s.io/v1',
  },
};

const LIST_PATH =
  /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/namespaces\/([^/]+)\/([^/]+)$/;

interface ListItem {
  metadata?: { labels?: Record<string, string>; name?: string };
  involvedObject?: { name?: string; kind?: string };
  [key: string]: unknown;
}

interface List {
  kind: string;
  apiVersion: string;
  metadata: Record<string, unknown>;
  items: ListItem[];
}

/** Parses `a=b,c==d,e!=f` (the equality-based selectors kubectl and the backend send). */
function matchesLabelSelector(
  labels: Record<string, string> | undefined,
  selector: string,
): boolean {
  return selector
    .split(',')
    .map(term => term.trim())
    .filter(Boolean)
    .every(term => {
      const notEqual = term.indexOf('!=');
      if (notEqual >= 0) {
        return (
          labels?.[term.slice(0, notEqual).trim()] !==
          term.slice(notEqual + 2).trim()
        );
      }
      const [key, value] = term.split(/==?/, 2).map(s => s.trim());
      if (value === undefined) {
        return labels !== undefined && key in labels;
      }
      return labels?.[key] === value;
    });
}

/** Supports the `involvedObject.name=` and `involvedObject.kind=` field selectors of events. */
function matchesFieldSelector(item: ListItem, selector: string): boolean {
  return selector
    .split(',')
    .filter(Boolean)
    .every(term => {
      const [field, value] = term.split(/==?/, 2);
      if (field === 'involvedObject.name') {
        return item.involvedObject?.name === value;
      }
      if (field === 'involvedObject.kind') {
        return item.involvedObject?.kind === value;
      }
      if (field === 'metadata.name') {
        return item.metadata?.name === value;
      }
      return true;
    });
}

function status(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
}

/**
 * Starts the stand-in on 127.0.0.1. It answers namespaced list requests
 * (`GET /api/v1/namespaces/<ns>/pods?labelSelector=...`, `/apis/apps/v1/...`) from
 * `fixtures/<scenario>/*.json`, filtered by namespace, label selector and field selector.
 *
 * @public
 */
export async function startKubernetesStandIn(
  options: KubernetesStandInOptions,
): Promise<KubernetesStandIn> {
  const dir = path.join(fixturesRoot, options.scenario);
  if (!fs.existsSync(dir)) {
    throw new Error(
      `Unknown Kubernetes stand-in scenario '${options.scenario}'`,
    );
  }
  const recorded = new Map<string, List>();
  for (const [key, file] of Object.entries(RECORDED)) {
    recorded.set(
      key,
      JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')),
    );
  }
  const unmatched: string[] = [];

  const server = http.createServer((req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://stand-in');
    if (
      options.token !== undefined &&
      req.headers.authorization !== `Bearer ${options.token}`
    ) {
      send(401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (req.method !== 'GET') {
      send(
        405,
        status(
          405,
          'MethodNotAllowed',
          'the server does not allow this method on the requested resource',
        ),
      );
      return;
    }
    const match = LIST_PATH.exec(url.pathname);
    if (match) {
      const [, coreVersion, group, groupVersion, namespace, plural] = match;
      const key = coreVersion
        ? `/${coreVersion}/${plural}`
        : `${group}/${groupVersion}/${plural}`;
      const list = recorded.get(key);
      const empty = EMPTY[key];
      if (list || empty) {
        const labelSelector = url.searchParams.get('labelSelector') ?? '';
        const fieldSelector = url.searchParams.get('fieldSelector') ?? '';
        const items = (list?.items ?? []).filter(
          item =>
            (item.metadata as { namespace?: string } | undefined)?.namespace ===
              namespace &&
            matchesLabelSelector(item.metadata?.labels, labelSelector) &&
            matchesFieldSelector(item, fieldSelector),
        );
        send(200, {
          kind: list?.kind ?? empty.kind,
          apiVersion: list?.apiVersion ?? empty.apiVersion,
          metadata: list?.metadata ?? { resourceVersion: '48212904' },
          items,
        });
        return;
      }
    }
    unmatched.push(`${url.pathname}${url.search}`);
    send(
      404,
      status(
        404,
        'NotFound',
        'the server could not find the requested resource',
      ),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    unmatched,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(error => (error ? reject(error) : resolve()));
      }),
  };
}
