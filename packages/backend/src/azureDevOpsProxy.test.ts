/*
 * The /azure-devops proxy endpoint of app-config.production.yaml, which the pipeline-runs card
 * (plugins/azure-pipelines) reads through, in the real proxy backend, in front of the Azure DevOps
 * stand-in (plugins/scaffolder-backend-module-azure-devops/testing) and of a server that answers
 * the way Azure DevOps does when it sends a request to its sign-in page. What the card relies on:
 * the read token and `X-TFS-FedAuthRedirect: Suppress` reach Azure DevOps, writes do not, and a
 * sign-in answer (a 302, a 203 page) reaches the browser unfollowed, with its status, so that the
 * card, fetching with `redirect: 'manual'`, can tell it apart from data.
 */
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import proxyPlugin from '@backstage/plugin-proxy-backend';
import {
  AzureDevOpsStandIn,
  startAzureDevOpsStandIn,
} from '@internal/plugin-scaffolder-backend-module-azure-devops/testing';
import request from 'supertest';
import { parse } from 'yaml';

const READ_PAT = 'read-pat-7Hq2Lw9Xc4';
const basic = (pat: string) =>
  `Basic ${Buffer.from(`:${pat}`).toString('base64')}`;

/** The production config's /azure-devops endpoint alone, pointed at `target`, signing with `authorization`. */
function proxyConfig(target: string, authorization: string) {
  const text = fs
    .readFileSync(
      path.resolve(__dirname, '../../../app-config.production.yaml'),
      'utf8',
    )
    .replaceAll('${AZURE_DEVOPS_READ_AUTHORIZATION:-}', authorization);
  const endpoint = parse(text).proxy.endpoints['/azure-devops'];
  return { endpoints: { '/azure-devops': { ...endpoint, target } } };
}

async function startProxy(target: string, authorization: string) {
  return startTestBackend({
    features: [
      proxyPlugin,
      mockServices.rootConfig.factory({
        data: { proxy: proxyConfig(target, authorization) },
      }),
    ],
  });
}

// The request the card sends for the latest runs (EntityPipelineRunsCard.test.tsx asserts it).
const BUILDS =
  '/api/proxy/azure-devops/contoso/Dashboards/_apis/build/builds?definitions=12&%24top=5&queryOrder=queueTimeDescending&api-version=7.1';

describe('the /azure-devops proxy endpoint of app-config.production.yaml', () => {
  let azureDevOps: AzureDevOpsStandIn;

  beforeAll(async () => {
    azureDevOps = await startAzureDevOpsStandIn({
      organization: 'contoso',
      project: 'Dashboards',
      identities: [{ name: 'Portal reader', token: READ_PAT }],
    });
    azureDevOps.state.definitions.push({
      id: 12,
      name: 'sales-dashboard',
      path: '\\',
      repository: { id: 'r', name: 'sales-dashboard', type: 'TfsGit' },
      process: { yamlFilename: 'azure-pipelines.yml', type: 2 },
      createdBy: 'Portal reader',
      tags: [],
    });
    azureDevOps.state.runs.set(
      12,
      [1, 2, 3, 4, 5, 6, 7].map(id => ({
        id,
        name: `20260412.${id}`,
        state: 'completed',
        result: 'succeeded',
        createdDate: `2026-04-12T09:1${id}:00Z`,
      })),
    );
  });

  afterAll(() => azureDevOps?.stop());

  beforeEach(() => {
    azureDevOps.state.requests.length = 0;
  });

  it("forwards the card's request with the read token and gets the five latest runs, newest first", async () => {
    const backend = await startProxy(azureDevOps.url, basic(READ_PAT));
    try {
      const res = await request(backend.server)
        .get(BUILDS)
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(200);
      expect(res.body.value.map((b: { id: number }) => b.id)).toEqual([
        7, 6, 5, 4, 3,
      ]);
      expect(azureDevOps.state.requests).toEqual([
        expect.objectContaining({
          method: 'GET',
          path: '/contoso/Dashboards/_apis/build/builds',
          identity: 'Portal reader',
        }),
      ]);
    } finally {
      await backend.stop();
    }
  });

  it('gets a 401, not the sign-in page, for a token Azure DevOps refuses, because it sends X-TFS-FedAuthRedirect: Suppress', async () => {
    const backend = await startProxy(azureDevOps.url, basic('revoked'));
    try {
      const res = await request(backend.server)
        .get(BUILDS)
        .set('Authorization', mockCredentials.user.header());
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/^TF400813/);
    } finally {
      await backend.stop();
    }
  });

  it('refuses writes', async () => {
    const backend = await startProxy(azureDevOps.url, basic(READ_PAT));
    try {
      const res = await request(backend.server)
        .post(
          '/api/proxy/azure-devops/contoso/Dashboards/_apis/pipelines/12/runs?api-version=7.1',
        )
        .set('Authorization', mockCredentials.user.header())
        .send({});
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(azureDevOps.state.requests).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  describe('where Azure DevOps still answers with its sign-in page', () => {
    // Routes that ignore the header answer a refused credential with the sign-in page: a 302 to
    // the sign-in service or a 203 with HTML (microsoft/azure-devops-auth-samples#52,
    // MicrosoftDocs/vsts-rest-api-specs#97, getsentry/sentry-plugins#271).
    let signIn: http.Server;
    let signInUrl: string;
    let answer: 302 | 203 = 302;

    beforeAll(async () => {
      signIn = http.createServer((_req, res) => {
        if (answer === 302) {
          res.writeHead(302, {
            Location:
              'https://app.vssps.visualstudio.com/_signin?realm=dev.azure.com&reply_to=https%3A%2F%2Fdev.azure.com%2Fcontoso',
          });
          res.end();
        } else {
          res.writeHead(203, { 'Content-Type': 'text/html; charset=utf-8' });
          res.end('<!DOCTYPE html><html><title>Sign In</title></html>');
        }
      });
      await new Promise<void>(r => signIn.listen(0, '127.0.0.1', r));
      signInUrl = `http://127.0.0.1:${(signIn.address() as AddressInfo).port}`;
    });

    afterAll(() => new Promise(r => signIn?.close(r)));

    it('hands a 302 to the browser without following it, and without its Location', async () => {
      // The proxy passes on only its safe response headers (@backstage/plugin-proxy-backend
      // 0.6.20, dist/service/router.cjs.js, responseHeaderAllowList), so the browser gets a bare
      // 302; Chromium's fetch with `redirect: 'manual'` turns it into an opaque redirect (type
      // `opaqueredirect`, status 0), which the card recognises.
      answer = 302;
      const backend = await startProxy(signInUrl, basic('revoked'));
      try {
        const res = await request(backend.server)
          .get(BUILDS)
          .set('Authorization', mockCredentials.user.header())
          .redirects(0);
        expect(res.status).toBe(302);
        expect(res.headers.location).toBeUndefined();
      } finally {
        await backend.stop();
      }
    });

    it('hands a 203 sign-in page to the browser with its status and content type', async () => {
      answer = 203;
      const backend = await startProxy(signInUrl, basic('revoked'));
      try {
        const res = await request(backend.server)
          .get(BUILDS)
          .set('Authorization', mockCredentials.user.header());
        expect(res.status).toBe(203);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
      } finally {
        await backend.stop();
      }
    });
  });
});
