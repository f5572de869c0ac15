/*
 * The engine a deploy would get, and its cost, for the form: through the real scaffolder backend
 * with this module; the Cloudflare API is the stand-in of src/__testUtils__/fakeCloudflare.ts
 * (subscriptions, zone, zone settings, and 403 for a token without the permission).
 */
import request from 'supertest';
import { setupServer } from 'msw/node';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import type { JsonObject } from '@backstage/types';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  createFakeCloudflare,
  type FakeCloudflareState,
} from './__testUtils__/fakeCloudflare';
import scaffolderModuleCloudflare from './index';
import type { CloudflareEnginePreview } from './service/enginePreviewRouter';

const TOKEN = 'web-team-cf-token-Hq3Vn8Rt5Kp1Zx7';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const ZONE = 'fedcba9876543210fedcba9876543210';
const WEB = 'group:default/web-team';
const ANN = 'user:default/ann';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let cloudflare: FakeCloudflareState;

const config = (accounts: object[] = []): JsonObject =>
  ({
    teamTokens: [{ group: WEB, apiToken: TOKEN }],
    accounts,
  } as JsonObject);

async function start(cloudflareConfig: JsonObject) {
  const fake = createFakeCloudflare({
    token: TOKEN,
    accountId: ACCOUNT,
    zoneId: ZONE,
  });
  cloudflare = fake.state;
  server.use(...fake.handlers);
  return startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleCloudflare,
      mockServices.rootConfig.factory({
        data: { cloudflare: cloudflareConfig },
      }),
      catalogServiceMock.factory({
        entities: [
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'Component',
            metadata: {
              name: 'shop-images',
              namespace: 'default',
              annotations: { 'cloudflare.com/account-id': ACCOUNT },
            },
            spec: { type: 'service', lifecycle: 'production', owner: WEB },
          },
          {
            apiVersion: 'backstage.io/v1alpha1',
            kind: 'User',
            metadata: { name: 'ann', namespace: 'default' },
            spec: { memberOf: ['web-team'] },
            relations: [{ type: 'memberOf', targetRef: WEB }],
          },
        ],
      }),
    ],
  });
}

const ask = (backend: { server: any }, query: Record<string, string>) =>
  request(backend.server)
    .get(
      `/api/scaffolder/cloudflare/engine?${new URLSearchParams({
        owner: WEB,
        accountId: ACCOUNT,
        engine: 'auto',
        ...query,
      })}`,
    )
    .set('Authorization', mockCredentials.user.header(ANN));

const route = {
  placement: 'route',
  zoneId: ZONE,
  routePattern: 'images.example.com/*',
};

describe('GET /api/scaffolder/cloudflare/engine', () => {
  it('tells the form that Images Free stops at 5,000, nothing billed, with the pricing pages and the day read', async () => {
    const backend = await start(
      config([{ accountId: ACCOUNT, imagesPlan: 'free' }]),
    );
    const res = await ask(backend, {
      ...route,
      allowedOrigins: 'assets.example.com',
      imagesPerMonth: '2000',
    });
    expect(res.status).toBe(200);
    const body = res.body as CloudflareEnginePreview;
    expect(body.engine).toBe('cloudflare');
    expect(body.cost?.text).toContain('stops at 5,000, nothing billed');
    expect(body.cost?.usd).toBe(0);
    expect(body.prices).toEqual({
      readOn: '2026-12-07',
      sources: [
        'https://developers.cloudflare.com/workers/platform/pricing/',
        'https://developers.cloudflare.com/images/pricing/',
      ],
    });
  });

  it('answers the engine the deploy would move to, and its cost for the volume, on Workers Paid', async () => {
    const backend = await start(
      config([{ accountId: ACCOUNT, imagesPlan: 'free' }]),
    );
    const res = await ask(backend, {
      ...route,
      allowedOrigins: 'assets.example.com',
      imagesPerMonth: '20000',
    });
    const body = res.body as CloudflareEnginePreview;
    expect(body.engine).toBe('wasm');
    expect(body.cost?.text).toMatch(
      /^\$\d+\.\d\d a month on Workers Paid for 20,000 transformations/,
    );
    expect(body.reasons.join('\n')).toContain(
      'Images Free, which stops at 5,000',
    );
  });

  it('answers the refusal the deploy would give, with what to change', async () => {
    const backend = await start(config());
    cloudflare.workersPlan = 'free';
    const res = await ask(backend, {
      placement: 'workersDev',
      allowedOrigins: 'assets.example.com',
    });
    expect(res.status).toBe(200);
    const body = res.body as CloudflareEnginePreview;
    expect(body.engine).toBeUndefined();
    expect(body.refused).toContain('No engine can work here');
    expect(body.refused).toContain('upgrade it to Workers Paid');
  });

  it('says where the plan came from when the token may not read the subscriptions', async () => {
    const backend = await start(
      config([{ accountId: ACCOUNT, workersPlan: 'paid' }]),
    );
    cloudflare.denied.add('billing');
    const res = await ask(backend, {
      placement: 'workersDev',
      allowedOrigins: 'assets.example.com',
    });
    const body = res.body as CloudflareEnginePreview;
    expect(body.engine).toBe('wasm');
    expect(body.notes.join('\n')).toContain(
      'using cloudflare.accounts, which says paid',
    );
  });

  it("takes the owner and account of a Worker's catalog entity, for the redeploy form", async () => {
    const backend = await start(config());
    const res = await request(backend.server)
      .get(
        `/api/scaffolder/cloudflare/engine?${new URLSearchParams({
          entity: 'component:default/shop-images',
          engine: 'auto',
          placement: 'workersDev',
          allowedOrigins: 'assets.example.com',
        })}`,
      )
      .set('Authorization', mockCredentials.user.header(ANN));
    expect(res.status).toBe(200);
    expect((res.body as CloudflareEnginePreview).engine).toBe('wasm');
    expect(cloudflare.requests.map(r => r.path)).toEqual([
      `/accounts/${ACCOUNT}/subscriptions`,
    ]);
  });

  it('refuses a user outside the owner group, without asking Cloudflare', async () => {
    const backend = await start(config());
    const res = await ask(backend, {
      owner: 'group:default/other-team',
      placement: 'workersDev',
      allowedOrigins: 'assets.example.com',
    });
    expect(res.status).toBe(403);
    expect(cloudflare.requests).toEqual([]);
  });

  it('names a bad parameter', async () => {
    const backend = await start(config());
    const res = await ask(backend, {
      placement: 'route',
      zoneId: 'nope',
      allowedOrigins: 'assets.example.com',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('zoneId must be a Cloudflare zone id');
  });
});
