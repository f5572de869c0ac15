import request from 'supertest';
import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  KubernetesStandIn,
  startKubernetesStandIn,
} from '@internal/plugin-kubernetes-common/testing';
import {
  LokiStandIn,
  startLokiStandIn,
} from '@internal/plugin-golden-path-node/testing';
import {
  KUBERNETES_TOKEN,
  kubernetesConfig,
  salesDashboard,
  startBackend,
} from './__testUtils__/backend';
import type { GoldenPathReport } from './service/GoldenPathService';

jest.setTimeout(60_000);

const PATH =
  '/api/golden-path/entities/component/default/sales-dashboard/checks';

/** A stream as Promtail labels a pod's logs: no `service_name` (Loki 2). */
const promtailStream = (at: number) => ({
  labels: {
    namespace: 'dashboards',
    pod: 'sales-dashboard-6d8f7c9b4d-7xk2p',
    container: 'dashboard',
    app: 'sales-dashboard',
  },
  entries: [{ at, line: '{"level":"info","msg":"page view"}' }],
});

const byId = (report: GoldenPathReport) =>
  Object.fromEntries(report.checks.map(c => [c.id, c]));

describe('the golden-path backend', () => {
  let cluster: KubernetesStandIn;
  let loki: LokiStandIn;

  beforeEach(async () => {
    cluster = await startKubernetesStandIn({
      scenario: 'crashloop',
      token: KUBERNETES_TOKEN,
    });
    loki = await startLokiStandIn({ streams: [promtailStream(Date.now())] });
  });
  afterEach(async () => {
    await cluster.stop();
    await loki.stop();
  });

  const config = () => ({
    kubernetes: kubernetesConfig(cluster.url),
    goldenPath: { loki: { url: loki.url } },
  });

  it("answers each check with since when it holds, and the first failing one's cause and fix", async () => {
    const backend = await startBackend({ config: config() });
    try {
      const res = await request(backend.server).get(PATH);
      expect(res.status).toBe(200);
      const report: GoldenPathReport = res.body;
      expect(report.entityRef).toBe('component:default/sales-dashboard');
      expect(report.checks.map(c => [c.id, c.state])).toEqual([
        ['built', 'unavailable'],
        ['deployed', 'fail'],
        ['scraped', 'unavailable'],
        ['logging', 'fail'],
        ['dashboard', 'unavailable'],
        ['alerts', 'unavailable'],
      ]);
      const checks = byId(report);
      expect(report.firstFailing).toBe('deployed');
      // The pod-health card's first problem for this recording, then the pod problem behind it.
      expect(checks.deployed.cause).toBe(
        'ProgressDeadlineExceeded: ReplicaSet "sales-dashboard-84c6f5d7b9" has timed out progressing. ' +
          'Behind it: CrashLoopBackOff in sales-dashboard-84c6f5d7b9-tq8wz (dashboard): restarted 7 times, last exit: Error (exit code 1)',
      );
      expect(checks.deployed.fix).toMatch(/progressDeadlineSeconds/);
      expect(checks.logging.summary).toBe(
        'No log streams with {namespace="dashboards", service_name="sales-dashboard"}: your agent sets app, container, namespace, pod.',
      );
      // What cannot be checked says why, instead of failing.
      expect(checks.built.summary).toBe(
        'Cannot check: the entity has no dev.azure.com/host-org, dev.azure.com/project and dev.azure.com/build-definition annotations.',
      );
      expect(checks.scraped.summary).toBe(
        'Cannot check: no Prometheus is configured (goldenPath.prometheus.url).',
      );
      for (const c of report.checks) {
        expect(c.since).toBe(report.checkedAt);
      }
    } finally {
      await backend.stop();
    }
  });

  it('asks Loki only the fixed queries built from the entity', async () => {
    const backend = await startBackend({ config: config() });
    try {
      // Anything a caller adds to the request is ignored.
      await request(backend.server)
        .get(`${PATH}?query=${encodeURIComponent('{namespace=~".+"}')}`)
        .expect(200);
      const selectors = loki.requests.map(r =>
        new URL(r, 'http://x').searchParams.get('match[]'),
      );
      expect(selectors).toEqual([
        '{namespace="dashboards", service_name="sales-dashboard"}',
        '{namespace="dashboards"}',
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('keeps since when a state began while it holds, and starts it anew when it changes', async () => {
    const backend = await startBackend({ config: config() });
    try {
      const first: GoldenPathReport = (await request(backend.server).post(PATH))
        .body;
      await new Promise(r => setTimeout(r, 20));
      // The agent now sets service_name: logging passes from the next check on.
      loki.streams.push({
        ...promtailStream(Date.now()),
        labels: {
          ...promtailStream(0).labels,
          service_name: 'sales-dashboard',
        },
      });
      const second: GoldenPathReport = (
        await request(backend.server).post(PATH)
      ).body;
      expect(second.checkedAt > first.checkedAt).toBe(true);
      expect(byId(second).deployed.since).toBe(first.checkedAt);
      expect(byId(second).logging.state).toBe('pass');
      expect(byId(second).logging.since).toBe(second.checkedAt);
      expect(second.firstFailing).toBe('deployed');
    } finally {
      await backend.stop();
    }
  });

  it('reuses a recent answer for a page view, and runs the checks again on "check now"', async () => {
    const backend = await startBackend({ config: config() });
    try {
      const first = (await request(backend.server).get(PATH)).body;
      const again = (await request(backend.server).get(PATH)).body;
      expect(again.checkedAt).toBe(first.checkedAt);
      expect(loki.requests).toHaveLength(2);
      await new Promise(r => setTimeout(r, 5));
      const now = (await request(backend.server).post(PATH)).body;
      expect(now.checkedAt > first.checkedAt).toBe(true);
      expect(loki.requests).toHaveLength(4);
    } finally {
      await backend.stop();
    }
  });

  it('says it cannot check the deployment when the kubernetes backend has no cluster', async () => {
    const backend = await startBackend({
      config: { ...config(), kubernetes: kubernetesConfig() },
    });
    try {
      const checks = byId((await request(backend.server).get(PATH)).body);
      expect(checks.deployed).toMatchObject({
        state: 'unavailable',
        summary:
          'Cannot check: the kubernetes backend has no cluster configured (kubernetes.clusterLocatorMethods).',
      });
      expect(cluster.requests).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('says the portal has no source at all when neither a cluster nor Prometheus, Loki, Grafana or Azure DevOps is configured, as locally', async () => {
    const backend = await startBackend({
      config: { kubernetes: kubernetesConfig(), goldenPath: {} },
    });
    try {
      const report: GoldenPathReport = (
        await request(backend.server).get(PATH).expect(200)
      ).body;
      expect(report.noSourceConfigured).toBe(true);
      expect(report.checks.every(c => c.state === 'unavailable')).toBe(true);
    } finally {
      await backend.stop();
    }
  });

  it('does not say no source is configured when one is: Loki alone, no cluster', async () => {
    const backend = await startBackend({
      config: { ...config(), kubernetes: kubernetesConfig() },
    });
    try {
      const report: GoldenPathReport = (
        await request(backend.server).get(PATH).expect(200)
      ).body;
      expect(report.noSourceConfigured).toBe(false);
    } finally {
      await backend.stop();
    }
  });

  it('says which backend refused the credential instead of failing the request', async () => {
    const refusing = await startKubernetesStandIn({
      scenario: 'healthy',
      token: 'another-token',
    });
    const backend = await startBackend({
      config: { ...config(), kubernetes: kubernetesConfig(refusing.url) },
    });
    try {
      const res = await request(backend.server).get(PATH);
      expect(res.status).toBe(200);
      expect(byId(res.body).deployed).toMatchObject({
        state: 'fail',
        summary: 'The cluster aks-prod could not be read.',
        cause:
          "Cluster aks-prod refused the portal's credentials (HTTP 401) for /api/v1/namespaces/dashboards/pods: check the service-account token and its RBAC.",
      });
    } finally {
      await backend.stop();
      await refusing.stop();
    }
  });

  it('names the read-only Azure DevOps token when the entity has a pipeline but the portal no such token', async () => {
    const withPipeline = {
      ...salesDashboard,
      metadata: {
        ...salesDashboard.metadata,
        annotations: {
          ...salesDashboard.metadata.annotations,
          'dev.azure.com/host-org': 'dev.azure.com/golden-path',
          'dev.azure.com/project': 'Dashboards',
          'dev.azure.com/build-definition': 'sales-dashboard',
        },
      },
    };
    const backend = await startBackend({
      config: config(),
      entities: [withPipeline],
    });
    try {
      expect(
        byId((await request(backend.server).get(PATH)).body).built,
      ).toMatchObject({
        state: 'unavailable',
        summary:
          'Cannot check: the portal has no read-only Azure DevOps token (goldenPath.azureDevOps.token, a personal access token with the Build (Read) scope).',
      });
    } finally {
      await backend.stop();
    }
  });

  it('refuses a caller who may not read the entity, before reading anything', async () => {
    const backend = await startBackend({
      config: config(),
      features: [
        mockServices.permissions.factory({ result: AuthorizeResult.DENY }),
      ],
    });
    try {
      const res = await request(backend.server).get(PATH);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'You may not read component:default/sales-dashboard.',
      );
      expect(loki.requests).toEqual([]);
      expect(cluster.requests).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('leaves out the deployed check for a caller who may not read Kubernetes resources', async () => {
    // The user is denied; the portal's own services (this plugin reading the kubernetes
    // backend) are not, so the check itself runs and finds the crash loop.
    const permissions = mockServices.permissions.mock({
      authorize: async (requests, options) =>
        requests.map(r => ({
          result:
            r.permission.name === 'kubernetes.resources.read' &&
            (options?.credentials.principal as { type?: string }).type ===
              'user'
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
        })),
    });
    const backend = await startBackend({
      config: config(),
      features: [permissions.factory],
    });
    try {
      const report: GoldenPathReport = (
        await request(backend.server).get(PATH).expect(200)
      ).body;
      expect(byId(report).deployed).toEqual({
        id: 'deployed',
        state: 'unavailable',
        summary:
          "Cannot check: you may not read this entity's Kubernetes resources (kubernetes.resources.read), which the deployed check shows.",
        since: report.checkedAt,
      });
      // The other checks are still answered; the first failing one is now logging.
      expect(report.firstFailing).toBe('logging');
      expect(JSON.stringify(report)).not.toContain(
        'sales-dashboard-84c6f5d7b9',
      );
    } finally {
      await backend.stop();
    }
  });

  it('answers 404 for an entity the catalog does not hold', async () => {
    const backend = await startBackend({ config: config() });
    try {
      const res = await request(backend.server).get(
        '/api/golden-path/entities/component/default/no-such-service/checks',
      );
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(
        'No entity component:default/no-such-service in the catalog.',
      );
    } finally {
      await backend.stop();
    }
  });

  it('answers 400 naming the annotations an entity lacks', async () => {
    const bare = {
      ...salesDashboard,
      metadata: { name: 'docs-site', namespace: 'default' },
    };
    const backend = await startBackend({ config: config(), entities: [bare] });
    try {
      const res = await request(backend.server).get(
        '/api/golden-path/entities/component/default/docs-site/checks',
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        'The entity has no golden path to check: it lacks the annotation(s) backstage.io/kubernetes-id, backstage.io/kubernetes-namespace, which the service template writes.',
      );
    } finally {
      await backend.stop();
    }
  });
});
