/*
 * The owner's Cloudflare accounts for the form, through the real scaffolder backend with this
 * module; the Cloudflare API is the stand-in of src/__testUtils__/fakeCloudflare.ts ("List
 * Accounts" with its paging and its 401 on a bad token).
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

const TOKEN = 'web-team-cf-token-Hq3Vn8Rt5Kp1Zx7';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const WEB = 'group:default/web-team';
const ANN = 'user:default/ann';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'bypass' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let cloudflare: FakeCloudflareState;

function standIn(otherAccounts: Array<{ id: string; name: string }> = []) {
  const fake = createFakeCloudflare({
    token: TOKEN,
    accountId: ACCOUNT,
    zoneId: 'fedcba9876543210fedcba9876543210',
    accountName: 'Web shop',
    otherAccounts,
  });
  cloudflare = fake.state;
  server.use(...fake.handlers);
}

async function start(cloudflareConfig: JsonObject) {
  return startTestBackend({
    features: [
      scaffolderPlugin,
      scaffolderModuleCloudflare,
      mockServices.rootConfig.factory({
        data: { cloudflare: cloudflareConfig },
      }),
      // Ann's User entity, a member of web-team, as the catalog relates it.
      catalogServiceMock.factory({
        entities: [
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

const accounts = (backend: { server: any }, owner = WEB) =>
  request(backend.server)
    .get(
      `/api/scaffolder/cloudflare/accounts?owner=${encodeURIComponent(owner)}`,
    )
    .set('Authorization', mockCredentials.user.header(ANN));

describe('GET /api/scaffolder/cloudflare/accounts', () => {
  it("lists every account the owner's token reaches, reading page after page, by name", async () => {
    const others = Array.from({ length: 60 }, (_, i) => ({
      id: (i + 1).toString(16).padStart(32, '0'),
      name: `Account ${String(i + 1).padStart(2, '0')}`,
    }));
    standIn(others);
    const backend = await start({
      teamTokens: [{ group: WEB, apiToken: TOKEN }],
    });
    try {
      const res = await accounts(backend).expect(200);
      expect(res.body.accounts).toHaveLength(61);
      expect(res.body.accounts[0]).toEqual({
        id: '00000000000000000000000000000001',
        name: 'Account 01',
      });
      expect(res.body.accounts).toContainEqual({
        id: ACCOUNT,
        name: 'Web shop',
      });
      expect(res.body.notConfigured).toBeUndefined();
      const listed = cloudflare.requests.filter(r => r.path === '/accounts');
      // 61 accounts at 50 a page: two pages, then the empty third ends the list.
      expect(listed).toHaveLength(3);
      expect(listed.every(r => r.authorization === `Bearer ${TOKEN}`)).toBe(
        true,
      );
    } finally {
      await backend.stop();
    }
  });

  it('says in one sentence what to configure when the portal has no token for the owner, and asks Cloudflare nothing', async () => {
    standIn();
    const backend = await start({});
    try {
      const res = await accounts(backend).expect(200);
      expect(res.body).toEqual({
        accounts: [],
        notConfigured:
          "No Cloudflare account can be offered: the portal has no Cloudflare token for group:default/web-team; add the group with its token to cloudflare.teamTokens, or to cloudflare.portalTokenGroups to let it use the portal's token.",
      });
      expect(cloudflare.requests).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('says Cloudflare refused the owner token (401) and where to replace it, without showing the token', async () => {
    standIn();
    const backend = await start({
      teamTokens: [{ group: WEB, apiToken: 'a-revoked-token-Zt4Wq9' }],
    });
    try {
      const res = await accounts(backend).expect(503);
      expect(res.body.error.message).toBe(
        'Cloudflare refused the token the portal has for group:default/web-team (HTTP 401) when listing its accounts: replace it in cloudflare.teamTokens (or cloudflare.apiToken) with a valid token that has Account Settings: Read',
      );
      expect(JSON.stringify(res.body)).not.toContain('a-revoked-token');
    } finally {
      await backend.stop();
    }
  });

  it("refuses to list another team's accounts, before asking Cloudflare", async () => {
    standIn();
    const backend = await start({
      teamTokens: [{ group: 'group:default/data-team', apiToken: TOKEN }],
    });
    try {
      const res = await accounts(backend, 'group:default/data-team').expect(
        403,
      );
      expect(res.body.error.message).toContain(
        'Only members of group:default/data-team may list',
      );
      expect(cloudflare.requests).toEqual([]);
    } finally {
      await backend.stop();
    }
  });

  it('asks for the owner when none is given', async () => {
    standIn();
    const backend = await start({});
    try {
      const res = await request(backend.server)
        .get('/api/scaffolder/cloudflare/accounts')
        .set('Authorization', mockCredentials.user.header(ANN))
        .expect(400);
      expect(res.body.error.message).toMatch(/^owner is required/);
    } finally {
      await backend.stop();
    }
  });
});
