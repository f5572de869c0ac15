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

/** The recorded cluster states (see the README for what each one shows). @public */
export type KubernetesStandInScenario =
  | 'healthy'
  | 'crashloop'
  | 'oomkilled'
  | 'pending'
  | 'oom-weeks-ago'
  | 'workloads'
  | 'rollout'
  | 'stuck-rollout'
  | 'slow-probe';

/** The scenarios, in a stable order. @public */
export const kubernetesStandInScenarios: readonly KubernetesStandInScenario[] =
  [
    'healthy',
    'crashloop',
    'oomkilled',
    'pending',
    'oom-weeks-ago',
    'workloads',
    'rollout',
    'stuck-rollout',
    'slow-probe',
  ];

/**
 * When the scenarios were recorded: judge them at this moment to see what the card showed then
 * (restarts and probe failures count over a window that ends now).
 *
 * @public
 */
export const KUBERNETES_STAND_IN_RECORDED_AT = '2026-11-25T15:25:00Z';

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
  /** Every request path (with query) the stand-in received, in order. */
  requests: string[];
  stop(): Promise<void>;
}

const fixturesRoot = fileURLToPath(new URL('./fixtures/', import.meta.url));

/*
 * The namespaced lists the kubernetes backend asks for, keyed by `<group>/<version>/<plural>` as
 * it appears in the path (`/api/v1/...` has the empty group). A scenario answers each from
 * `<plural>.json` (`podmetrics.json` for metrics) when it recorded one, and with an empty list
 * otherwise.
 */
const LISTS: Record<
  string,
  { file: string; kind: string; apiVersion: string }
> = {
  '/v1/pods': { file: 'pods.json', kind: 'PodList', apiVersion: 'v1' },
  '/v1/services': {
    file: 'services.json',
    kind: 'ServiceList',
    apiVersion: 'v1',
  },
  '/v1/events': { file: 'events.json', kind: 'EventList', apiVersion: 'v1' },
  '/v1/configmaps': {
    file: 'configmaps.json',
    kind: 'ConfigMapList',
    apiVersion: 'v1',
  },
  '/v1/limitranges': {
    file: 'limitranges.json',
    kind: 'LimitRangeList',
    apiVersion: 'v1',
  },
  '/v1/resourcequotas': {
    file: 'resourcequotas.json',
    kind: 'ResourceQuotaList',
    apiVersion: 'v1',
  },
  '/v1/secrets': {
    file: 'secrets.json',
    kind: 'SecretList',
    apiVersion: 'v1',
  },
  '/v1/persistentvolumeclaims': {
    file: 'persistentvolumeclaims.json',
    kind: 'PersistentVolumeClaimList',
    apiVersion: 'v1',
  },
  'apps/v1/deployments': {
    file: 'deployments.json',
    kind: 'DeploymentList',
    apiVersion: 'apps/v1',
  },
  'apps/v1/replicasets': {
    file: 'replicasets.json',
    kind: 'ReplicaSetList',
    apiVersion: 'apps/v1',
  },
  'apps/v1/statefulsets': {
    file: 'statefulsets.json',
    kind: 'StatefulSetList',
    apiVersion: 'apps/v1',
  },
  'apps/v1/daemonsets': {
    file: 'daemonsets.json',
    kind: 'DaemonSetList',
    apiVersion: 'apps/v1',
  },
  'autoscaling/v2/horizontalpodautoscalers': {
    file: 'horizontalpodautoscalers.json',
    kind: 'HorizontalPodAutoscalerList',
    apiVersion: 'autoscaling/v2',
  },
  'batch/v1/jobs': {
    file: 'jobs.json',
    kind: 'JobList',
    apiVersion: 'batch/v1',
  },
  'batch/v1/cronjobs': {
    file: 'cronjobs.json',
    kind: 'CronJobList',
    apiVersion: 'batch/v1',
  },
  'networking.k8s.io/v1/ingresses': {
    file: 'ingresses.json',
    kind: 'IngressList',
    apiVersion: 'networking.k8s.io/v1',
  },
  'metrics.k8s.io/v1beta1/pods': {
    file: 'podmetrics.json',
    kind: 'PodMetricsList',
    apiVersion: 'metrics.k8s.io/v1beta1',
  },
};

// GET /api/v1/namespaces/{namespace}/pods/{name}/log, "read log of the specified Pod":
// https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#get-read-log-of-the-specified-pod
// (query `container`, `previous`; the answer is text/plain).
const LOG_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/;

/** A bool query parameter as the API server reads it: present and not "false" or "0". */
function isTrue(value: string | null): boolean {
  return value !== null && !['false', '0'].includes(value.toLowerCase());
}

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
  for (const [key, list] of Object.entries(LISTS)) {
    const file = path.join(dir, list.file);
    recorded.set(
      key,
      fs.existsSync(file)
        ? JSON.parse(fs.readFileSync(file, 'utf8'))
        : {
            kind: list.kind,
            apiVersion: list.apiVersion,
            metadata: { resourceVersion: '48212904' },
            items: [],
          },
    );
  }
  const unmatched: string[] = [];
  const requests: string[] = [];

  const server = http.createServer((req, res) => {
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push(`${url.pathname}${url.search}`);
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
    const log = LOG_PATH.exec(url.pathname);
    if (log) {
      const [, namespace, pod] = log;
      const container = url.searchParams.get('container') ?? '';
      const previous = isTrue(url.searchParams.get('previous'));
      // fixtures/<scenario>/podlogs/<namespace>/<pod>/<container>[.previous].txt
      const file = path.join(
        dir,
        'podlogs',
        namespace,
        pod,
        `${container}${previous ? '.previous' : ''}.txt`,
      );
      const isName = (name: string) =>
        /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name);
      if (![namespace, pod, container].every(isName) || !fs.existsSync(file)) {
        send(
          400,
          status(
            400,
            'BadRequest',
            previous
              ? `previous terminated container "${container}" in pod "${pod}" not found`
              : `container ${container} is not valid for pod ${pod}`,
          ),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(fs.readFileSync(file));
      return;
    }
    const match = LIST_PATH.exec(url.pathname);
    if (match) {
      const [, coreVersion, group, groupVersion, namespace, plural] = match;
      const key = coreVersion
        ? `/${coreVersion}/${plural}`
        : `${group}/${groupVersion}/${plural}`;
      const list = recorded.get(key);
      if (list) {
        const labelSelector = url.searchParams.get('labelSelector') ?? '';
        const fieldSelector = url.searchParams.get('fieldSelector') ?? '';
        const items = list.items.filter(
          item =>
            (item.metadata as { namespace?: string } | undefined)?.namespace ===
              namespace &&
            matchesLabelSelector(item.metadata?.labels, labelSelector) &&
            matchesFieldSelector(item, fieldSelector),
        );
        send(200, {
          kind: list.kind,
          apiVersion: list.apiVersion,
          metadata: list.metadata,
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
    requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(error => (error ? reject(error) : resolve()));
      }),
  };
}
