/**
 * @jest-environment node
 */
import { ConfigReader } from '@backstage/config';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { AddressInfo } from 'node:net';
import kubernetesPlugin from '@backstage/plugin-kubernetes-backend';
import { createClientFactory } from '@internal/plugin-scaffolder-backend-module-azure-devops';
import {
  AzureDevOpsStandIn,
  startAzureDevOpsStandIn,
} from '@internal/plugin-scaffolder-backend-module-azure-devops/testing';
import type { ObjectsByEntityResponse } from '@backstage/plugin-kubernetes-common';
import {
  KUBERNETES_STAND_IN_RECORDED_AT,
  responseFor,
  unreachable,
} from '@internal/plugin-kubernetes-common/testing';
import { LokiStandIn, startLokiStandIn } from '../../testing/lokiStandIn';
import { checkBuilt } from './built';
import { checkDeployed, KubernetesReader } from './deployed';
import { checkLogging } from './loki';
import { kubernetesBackendReader } from './sources';
import type { GoldenPathTarget } from './types';

/*
 * The built, deployed and logging checks against the stand-ins of Azure DevOps
 * (plugins/scaffolder-backend-module-azure-devops/testing), the kubernetes backend's answers for the
 * Kubernetes stand-in's recordings (plugins/kubernetes-common/testing) and Loki (../../testing).
 */

jest.setTimeout(60_000);

const TOKEN = 'portal-pat';
const PIPELINE_ID = 7;

const target = (extra: Partial<GoldenPathTarget> = {}): GoldenPathTarget => ({
  entityRef: 'component:default/sales-dashboard',
  app: 'sales-dashboard',
  namespace: 'dashboards',
  pipeline: {
    organization: 'contoso',
    project: 'dashboards',
    definition: PIPELINE_ID,
  },
  ...extra,
});

describe('the built check, against the Azure DevOps stand-in', () => {
  let azure: AzureDevOpsStandIn;
  const reader = () =>
    createClientFactory({
      config: new ConfigReader({
        azurePipelines: { apiBaseUrl: azure.url },
        integrations: {
          azure: [
            {
              host: 'dev.azure.com',
              credentials: [{ personalAccessToken: TOKEN }],
            },
          ],
        },
      }),
    });

  beforeEach(async () => {
    azure = await startAzureDevOpsStandIn({
      organization: 'contoso',
      project: 'dashboards',
      token: TOKEN,
    });
  });
  afterEach(() => azure.stop());

  it('passes on a run that succeeded and links it', async () => {
    azure.state.runs.set(PIPELINE_ID, [
      { id: 101, name: '20261207.1', state: 'completed', result: 'succeeded' },
    ]);
    const result = await checkBuilt(target(), reader());
    expect(result).toMatchObject({
      state: 'pass',
      runId: 101,
      summary: 'Run 20261207.1 succeeded.',
      evidence: [
        {
          title: 'Run 20261207.1',
          url: `${azure.url}/contoso/dashboards/_build/results?buildId=101`,
        },
      ],
    });
  });

  it('is not yet passed while the run is in progress, and judges the run it was given, not a newer one', async () => {
    azure.state.runs.set(PIPELINE_ID, [
      { id: 101, name: '101', state: 'inProgress' },
      { id: 102, name: '102', state: 'completed', result: 'succeeded' },
    ]);
    const result = await checkBuilt(
      target({
        pipeline: { ...target().pipeline!, runId: 101 },
      }),
      reader(),
    );
    expect(result).toMatchObject({
      state: 'fail',
      finished: false,
      summary: 'Run 101 is inProgress.',
    });
  });

  it("names the failing stage and step of a failed run, with the step's error and a link to its log", async () => {
    // Timeline - Get: stages, their jobs and the jobs' tasks, linked by parentId
    // (https://learn.microsoft.com/en-us/rest/api/azure/devops/build/timeline/get?view=azure-devops-rest-7.1).
    azure.state.runs.set(PIPELINE_ID, [
      {
        id: 101,
        name: '101',
        state: 'completed',
        result: 'failed',
        timeline: [
          {
            id: 's1',
            type: 'Stage',
            name: 'Test',
            result: 'succeeded',
            order: 1,
          },
          {
            id: 's3',
            type: 'Stage',
            name: 'Deploy',
            result: 'failed',
            order: 3,
          },
          {
            id: 's2',
            type: 'Stage',
            name: 'Build',
            result: 'succeeded',
            order: 2,
          },
          {
            id: 'j3',
            parentId: 's3',
            type: 'Job',
            name: 'Deploy',
            result: 'failed',
          },
          {
            id: 't1',
            parentId: 'j3',
            type: 'Task',
            name: 'Checkout',
            result: 'succeeded',
            log: { id: 4 },
          },
          {
            id: 't2',
            parentId: 'j3',
            type: 'Task',
            name: 'KubernetesManifest',
            result: 'failed',
            log: { id: 5 },
            issues: [
              {
                type: 'error',
                message:
                  'Error from server (Forbidden): deployments.apps is forbidden: User "system:serviceaccount:dashboards:azdev-sa" cannot patch resource "deployments"',
              },
            ],
          },
        ],
      },
    ]);
    const result = await checkBuilt(target(), reader());
    expect(result).toMatchObject({
      state: 'fail',
      finished: true,
      summary: 'Run 101 failed: stage Deploy, step KubernetesManifest.',
      cause: expect.stringContaining('cannot patch resource "deployments"'),
      evidence: [
        {
          title: 'Log of KubernetesManifest',
          url: `${azure.url}/contoso/dashboards/_build/results?buildId=101&view=logs&j=j3&t=t2`,
        },
        expect.objectContaining({ title: 'Run 101' }),
      ],
    });
  });

  it("fails with Azure DevOps' refusal when the portal's token is not accepted", async () => {
    azure.state.runs.set(PIPELINE_ID, []);
    const wrong = createClientFactory({
      config: new ConfigReader({
        azurePipelines: { apiBaseUrl: azure.url },
        integrations: {
          azure: [
            {
              host: 'dev.azure.com',
              credentials: [{ personalAccessToken: 'revoked' }],
            },
          ],
        },
      }),
    });
    await expect(checkBuilt(target(), wrong)).rejects.toThrow(/401/);
  });
});

describe("the deployed check, on the kubernetes backend's answers for the recorded clusters", () => {
  // responseFor builds what POST /api/kubernetes/services/:name answers for the Kubernetes
  // stand-in's recordings; plugins/pod-health/src/podHealth.backend.test.ts checks it against
  // the real kubernetes backend reading the stand-in.
  const now = new Date(KUBERNETES_STAND_IN_RECORDED_AT);
  const reader = (response: ObjectsByEntityResponse): KubernetesReader => ({
    objectsFor: async () => response,
    clusters: async () => [{ name: 'aks-prod' }],
  });

  it('passes when every desired pod is ready at the expected image tag', async () => {
    const result = await checkDeployed(
      target(),
      reader(responseFor('healthy')),
      {
        imageTag: '1.4.2',
        now,
      },
    );
    expect(result).toMatchObject({ state: 'pass' });
    expect(result.summary).toMatch(
      /^(\d+)\/\1 pods ready at image tag 1\.4\.2\.$/,
    );
  });

  it('is not passed while the pods run another image than the run built', async () => {
    const result = await checkDeployed(
      target(),
      reader(responseFor('healthy')),
      {
        imageTag: '101',
        now,
      },
    );
    expect(result).toMatchObject({
      state: 'fail',
      cause: expect.stringMatching(/pod\(s\) still run another image/),
    });
  });

  it("names the pod's reason and what to change when a pod cannot be scheduled", async () => {
    const result = await checkDeployed(
      target(),
      reader(responseFor('pending')),
      {
        now,
      },
    );
    expect(result.state).toBe('fail');
    expect(result.cause).toMatch(/Unschedulable|Insufficient/);
    expect(result.fix).toMatch(/cannot be scheduled/);
  });

  it('names the crash loop and points at the previous logs', async () => {
    const result = await checkDeployed(
      target(),
      reader(responseFor('crashloop')),
      { now },
    );
    expect(result).toMatchObject({
      state: 'fail',
      cause: expect.stringContaining('CrashLoopBackOff'),
      fix: expect.stringContaining('previous logs'),
    });
  });

  it('says the cluster could not be read when its API server does not answer', async () => {
    const result = await checkDeployed(target(), reader(unreachable), { now });
    expect(result).toMatchObject({
      state: 'fail',
      summary: 'The cluster aks-prod could not be read.',
      cause: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('cannot check, rather than fails, when the real kubernetes backend has no cluster configured', async () => {
    const backend = await startTestBackend({
      features: [
        kubernetesPlugin,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              serviceLocatorMethod: { type: 'multiTenant' },
              clusterLocatorMethods: [{ type: 'config', clusters: [] }],
            },
          },
        }),
      ],
    });
    try {
      const { port } = backend.server.address() as AddressInfo;
      const base = `http://127.0.0.1:${port}/api`;
      const result = await checkDeployed(
        target(),
        kubernetesBackendReader({
          discovery: {
            getBaseUrl: async id => `${base}/${id}`,
            getExternalBaseUrl: async id => `${base}/${id}`,
          },
          auth: mockServices.auth(),
        }),
        { now },
      );
      expect(result).toMatchObject({
        state: 'unavailable',
        summary: expect.stringMatching(
          /^Cannot check: no cluster is configured/,
        ),
      });
    } finally {
      await backend.stop();
    }
  });
});

describe('the logging check, against the Loki stand-in', () => {
  let loki: LokiStandIn;
  const now = Date.parse('2026-12-07T09:00:00Z');
  const line = (at: number) => ({
    at,
    line: '{"level":"info","msg":"started"}',
  });
  afterEach(() => loki.stop());

  it("passes when Loki has the service's streams, asking with the tenant", async () => {
    loki = await startLokiStandIn({
      tenant: 'platform',
      streams: [
        {
          labels: {
            namespace: 'dashboards',
            service_name: 'sales-dashboard',
            pod: 'sales-dashboard-6d8f7c9b4d-7xk2p',
          },
          entries: [line(now - 60_000)],
        },
      ],
    });
    const result = await checkLogging(
      target(),
      { url: loki.url, headers: { 'X-Scope-OrgID': 'platform' } },
      now,
    );
    expect(result).toMatchObject({ state: 'pass' });
  });

  it('names the labels the agent does set when the streams lack service_name', async () => {
    loki = await startLokiStandIn({
      streams: [
        {
          // Promtail's kubernetes-pods job labels: namespace, pod, container, app.
          labels: {
            namespace: 'dashboards',
            pod: 'sales-dashboard-6d8f7c9b4d-7xk2p',
            container: 'dashboard',
            app: 'sales-dashboard',
          },
          entries: [line(now - 60_000)],
        },
      ],
    });
    const result = await checkLogging(target(), { url: loki.url }, now);
    expect(result).toMatchObject({
      state: 'fail',
      summary:
        'No log streams with {namespace="dashboards", service_name="sales-dashboard"}: your agent sets app, container, namespace, pod.',
    });
  });

  it('says no agent ships the namespace when Loki has none of its streams', async () => {
    loki = await startLokiStandIn({ streams: [] });
    const result = await checkLogging(target(), { url: loki.url }, now);
    expect(result.cause).toMatch(/no log streams of namespace dashboards/);
    expect(result.fix).toMatch(/Alloy or Promtail/);
  });

  it("fails with Loki's refusal when a multi-tenant Loki gets no tenant", async () => {
    loki = await startLokiStandIn({ tenant: 'platform', streams: [] });
    await expect(
      checkLogging(target(), { url: loki.url }, now),
    ).rejects.toThrow(
      /multi-tenant and the portal sent no tenant \(401 no org id\); set goldenPath\.loki\.tenant/,
    );
  });
});
