/*
 * Two teams deploying Workers through the real backend: the real scaffolder runs real tasks (not
 * dry runs) with this module, the real catalog reads the users, groups, Worker entities and the
 * template from files, and the Cloudflare API is the stand-in of src/__testUtils__/fakeCloudflare.ts.
 * Both teams deploy with the portal's one token (`portalTokenGroups`), the case the review showed
 * a team overwriting another's Worker in: each refusal below is the message the user sees in the
 * task, and nothing reaches Cloudflare's write endpoints. Then no token and no signing key is in
 * anything the scaffolder keeps: the tasks as the API returns them, their events, their rows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import knexFactory, { type Knex } from 'knex';
import { setupServer } from 'msw/node';
import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import express from 'express';
import { chromium } from 'playwright-core';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { http } from 'msw';
import {
  API,
  cfError,
  createFakeCloudflare,
  type FakeCloudflareState,
} from './__testUtils__/fakeCloudflare';
import { loadBuiltWorker } from './__testUtils__/workerBundle';
import { identityTags } from './lib/ownership';
import scaffolderModuleCloudflare from './index';

jest.setTimeout(180_000);

const TOKEN = 'portal-cf-token-Lq8Zr2Wx6Yv4Ns1Tk9';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const ZONE = 'fedcba9876543210fedcba9876543210';

const ANN = 'user:default/ann'; // team-a
const BEN = 'user:default/ben'; // team-b
const PAT = 'user:default/pat'; // platform-team (takeover), not in team-b
const TIA = 'user:default/tia'; // platform-team and team-b

const org = `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-a }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: team-b }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: platform-team }
spec: { type: team, children: [] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: ann }
spec: { memberOf: [team-a] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: ben }
spec: { memberOf: [team-b] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: pat }
spec: { memberOf: [platform-team] }
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: { name: tia }
spec: { memberOf: [platform-team, team-b] }
`;

const worker = (name: string, owner: string, script = name) => `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
  annotations:
    cloudflare.com/worker-name: ${script}
    cloudflare.com/account-id: '${ACCOUNT}'
spec: { type: service, lifecycle: production, owner: ${owner} }
`;

/** Deploys the Worker of an entity; what a team's own template could pass, owner included. */
const template = `
apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: { name: deploy-worker }
spec:
  type: service
  parameters:
    - properties:
        name: { type: string }
        owner: { type: string }
        script: { type: string }
        pattern: { type: string }
        takeover: { type: boolean }
        rotate: { type: boolean }
  steps:
    - id: deploy
      action: cloudflare:worker:deploy
      input:
        scriptName: \${{ parameters.script or parameters.name }}
        entityRef: component:default/\${{ parameters.name }}
        owner: \${{ parameters.owner }}
        accountId: '${ACCOUNT}'
        allowedOrigins: [assets.example.com]
        signUrls: true
        rotateSigningKey: \${{ parameters.rotate }}
        takeover: \${{ parameters.takeover }}
        placement:
          type: route
          zoneId: '${ZONE}'
          pattern: \${{ parameters.pattern }}
  output:
    links:
      - title: Signing key (shown once)
        url: \${{ steps.deploy.output.signingKeyUrl }}
`;

/**
 * The auth backend's refresh endpoint as the reveal page calls it (`GET /api/auth/<provider>/refresh`
 * with the session cookie, answering `{ backstageIdentity: { token } }`), for the signed-in user the
 * `session` cookie names. Tokens are the test backend's mock user tokens.
 */
const authStandIn = createBackendPlugin({
  pluginId: 'auth',
  register(env) {
    env.registerInit({
      deps: { httpRouter: coreServices.httpRouter },
      async init({ httpRouter }) {
        const router = express.Router();
        router.get('/guest/refresh', (req, res) => {
          const user = /(?:^|; )session=([a-z]+)/.exec(
            req.headers.cookie ?? '',
          )?.[1];
          if (req.headers['x-requested-with'] !== 'XMLHttpRequest' || !user) {
            res.status(401).json({ error: { message: 'not signed in' } });
            return;
          }
          res.json({
            backstageIdentity: {
              token: mockCredentials.user.token(`user:default/${user}`),
            },
          });
        });
        httpRouter.use(router);
        httpRouter.addAuthPolicy({ path: '/', allow: 'unauthenticated' });
      },
    });
  },
});

describe('Workers of two teams, through the real scaffolder and catalog', () => {
  const server = setupServer();
  let cf: FakeCloudflareState;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let dir: string;
  const databases = new Map<string, Knex>();
  const taskIds: string[] = [];

  beforeAll(async () => {
    await loadBuiltWorker();
    const fake = createFakeCloudflare({
      token: TOKEN,
      accountId: ACCOUNT,
      zoneId: ZONE,
      accountSubdomain: 'acme',
    });
    cf = fake.state;
    server.listen({ onUnhandledRequest: 'bypass' });
    server.use(...fake.handlers);

    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'two-teams-'));
    fs.writeFileSync(path.join(dir, 'org.yaml'), org);
    fs.writeFileSync(
      path.join(dir, 'workers.yaml'),
      [
        worker('shop-images', 'group:default/team-a'),
        worker('blog-images', 'group:default/team-b'),
        worker('docs-images', 'group:default/team-b'),
        worker('news-images', 'team-b'),
        worker('press-images', 'group:default/team-b'),
        worker('tags-images', 'group:default/team-b'),
        worker('race-images', 'group:default/team-a'),
        worker('race-images-b', 'group:default/team-b', 'race-images'),
      ].join('\n---\n'),
    );
    fs.writeFileSync(path.join(dir, 'template.yaml'), template);

    backend = await startTestBackend({
      features: [
        // One in-memory SQLite per plugin, as the portal has one database per plugin (and as
        // templates/tests/dryRun.ts explains, not backend-test-utils' own driver).
        createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          factory({ plugin }) {
            const knex = knexFactory({
              client: 'better-sqlite3',
              connection: ':memory:',
              useNullAsDefault: true,
            });
            databases.set(plugin.getId(), knex);
            return { getClient: async () => knex };
          },
        }),
        mockServices.rootConfig.factory({
          data: {
            cloudflare: {
              apiToken: TOKEN,
              portalTokenGroups: [
                'group:default/team-a',
                'group:default/team-b',
              ],
              takeoverGroups: ['group:default/platform-team'],
            },
            auth: { environment: 'development', providers: { guest: {} } },
            catalog: {
              rules: [{ allow: ['Component', 'Group', 'User', 'Template'] }],
              locations: ['org.yaml', 'workers.yaml', 'template.yaml'].map(
                file => ({ type: 'file', target: path.join(dir, file) }),
              ),
            },
          },
        }),
        catalogPlugin,
        catalogModuleTemplateKind,
        scaffolderPlugin,
        scaffolderModuleCloudflare,
        authStandIn,
      ],
    });

    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(backend.server)
        .get('/api/catalog/entities?fields=metadata.name')
        .set('Authorization', mockCredentials.user.header(ANN));
      const names = (res.body as Array<{ metadata: { name: string } }>).map(
        e => e.metadata.name,
      );
      if (
        ['deploy-worker', 'race-images-b', 'tia', 'team-b'].every(n =>
          names.includes(n),
        )
      )
        break;
      if (Date.now() > deadline) throw new Error(`catalog served ${names}`);
      await new Promise(r => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    await backend?.stop();
    server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const uid = async (name: string) =>
    (
      await request(backend.server)
        .get(`/api/catalog/entities/by-name/component/default/${name}`)
        .set('Authorization', mockCredentials.user.header(ANN))
    ).body.metadata.uid as string;

  /** Runs the template as `user`; resolves with its status, error message and outputs. */
  async function deploy(
    user: string,
    values: {
      name: string;
      script?: string;
      pattern: string;
      owner?: string;
      takeover?: boolean;
      rotate?: boolean;
    },
  ) {
    const created = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', mockCredentials.user.header(user))
      .send({ templateRef: 'template:default/deploy-worker', values });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    taskIds.push(id);
    for (let i = 0; i < 600; i++) {
      const task = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${id}`)
        .set('Authorization', mockCredentials.user.header(user));
      if (['completed', 'failed'].includes(task.body.status)) break;
      await new Promise(r => setTimeout(r, 100));
    }
    const events = (
      await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${id}/events`)
        .set('Authorization', mockCredentials.user.header(user))
    ).body as Array<{ type: string; body: Record<string, any> }>;
    const completion = events.find(e => e.type === 'completion')!;
    // The failed step's error, as the task page shows it in the step's log.
    const failure = events.find(
      e => e.type === 'log' && e.body.status === 'failed',
    );
    return {
      status: /status: (\w+)$/.exec(completion.body.message)?.[1],
      // Its first line; the stack follows.
      error: (failure?.body.message as string | undefined)?.split('\n')[0],
      output: completion.body.output as { links?: Array<{ url?: string }> },
    };
  }

  const writes = () =>
    cf.requests
      .filter(r => r.method !== 'GET')
      .map(r => `${r.method} ${r.path}`);

  it("deploys team-a's Worker for a team-a member, recording the entity, its uid and the owner, and shows the key once", async () => {
    const result = await deploy(ANN, {
      name: 'shop-images',
      pattern: 'images.example.com/*',
    });
    expect(result.status).toBe('completed');
    expect(cf.scripts.get('shop-images')!.tags).toEqual([
      ...identityTags({
        entityRef: 'component:default/shop-images',
        uid: await uid('shop-images'),
        owner: 'group:default/team-a',
      }),
      `backstage-route=${ZONE}/${cf.routes[0].id}`,
    ]);
    expect(cf.routes.map(r => [r.pattern, r.script])).toEqual([
      ['images.example.com/*', 'shop-images'],
    ]);

    const link = new URL(result.output.links![0].url!);
    const reveal = (user: string) =>
      request(backend.server)
        .post(link.pathname)
        .set('Authorization', mockCredentials.user.header(user));
    const stored = cf.scripts
      .get('shop-images')!
      .versions[0].bindings.find(b => b.name === 'SIGNING_KEY')!.text;
    // The link opens a page, without a token, that holds no key.
    const page = await request(backend.server).get(link.pathname);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Show the signing key once');
    expect(page.text).not.toContain(stored);
    const script = await request(backend.server).get(
      new URL('-/reveal.js', link).pathname,
    );
    expect(script.status).toBe(200);
    expect(script.text).toContain("method: 'POST'");
    // Without the user's token (the test backend's mock auth takes that as user:default/mock).
    const anonymous = await request(backend.server).post(link.pathname);
    expect(anonymous.status).toBe(404);
    expect(anonymous.text).not.toContain(stored);

    expect((await reveal(BEN)).status).toBe(404);
    const shown = await reveal(ANN);
    expect(shown.status).toBe(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(shown.body).toEqual({ signingKey: stored });
    const again = await reveal(ANN);
    expect(again.status).toBe(404);
    expect(again.body.error.message).toContain('it was shown already');
  });

  it('keeps the key on a redeploy by the owning team, and links to no key', async () => {
    const result = await deploy(ANN, {
      name: 'shop-images',
      pattern: 'images.example.com/*',
    });
    expect(result.status).toBe('completed');
    expect(result.output.links?.[0]?.url).toBeUndefined();
  });

  it('shows a new key once in Chromium, on the page the task links to, only to the user who ran the task', async () => {
    const result = await deploy(ANN, {
      name: 'shop-images',
      pattern: 'images.example.com/*',
      rotate: true,
    });
    expect(result.status).toBe('completed');
    const link = result.output.links![0].url!;
    const versions = cf.scripts.get('shop-images')!.versions;
    const stored = versions
      .at(-1)!
      .bindings.find(b => b.name === 'SIGNING_KEY')!.text;
    expect(stored).not.toBe(
      versions[0].bindings.find(b => b.name === 'SIGNING_KEY')!.text,
    );

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      /** Opens the link as `user` (signed in through the session cookie, or not), presses the button. */
      const open = async (user?: string) => {
        const context = await browser.newContext();
        if (user) {
          await context.addCookies([
            { name: 'session', value: user, url: new URL(link).origin },
          ]);
        }
        const page = await context.newPage();
        await page.goto(link);
        await page
          .getByRole('button', { name: 'Show the signing key once' })
          .click();
        const status = page.getByRole('status');
        await status.filter({ hasText: /\S/ }).waitFor();
        const shown = {
          status: await status.textContent(),
          key: (await page.locator('#key').isVisible())
            ? await page.locator('#key').textContent()
            : null,
        };
        await context.close();
        return shown;
      };

      expect(await open()).toEqual({
        status:
          'You are not signed in to the portal in this browser: sign in, then open this link again.',
        key: null,
      });
      expect(await open('ben')).toEqual({
        status: expect.stringContaining('No signing key to show'),
        key: null,
      });
      expect(await open('ann')).toEqual({
        status:
          'Copy the key now, to where your site signs image URLs. It is not shown again.',
        key: stored,
      });
      expect(await open('ann')).toEqual({
        status: expect.stringContaining('it was shown already'),
        key: null,
      });
    } finally {
      await browser.close();
    }
  });

  describe("a team-b member cannot change team-a's Worker", () => {
    /** Refused before any write reached Cloudflare; team-a's Worker runs as it did. */
    async function refused(run: () => Promise<{ error?: string }>) {
      const before = writes();
      const { error } = await run();
      expect(writes()).toEqual(before);
      expect(
        cf.scripts
          .get('shop-images')!
          .versions.at(-1)!
          .bindings.find(b => b.name === 'ALLOWED_ORIGINS')!.text,
      ).toBe('assets.example.com');
      return error;
    }

    it("by typing team-a's Worker name with their own group as the owner", async () => {
      const error = await refused(() =>
        deploy(BEN, {
          name: 'shop-images',
          owner: 'group:default/team-b',
          pattern: 'images.example.com/*',
        }),
      );
      expect(error).toBe(
        "InputError: owner group:default/team-b is not the owner of component:default/shop-images: the catalog names group:default/team-a. Leave owner out, or give the entity's owner",
      );
    });

    it("by redeploying team-a's entity", async () => {
      const error = await refused(() =>
        deploy(BEN, {
          name: 'shop-images',
          pattern: 'shop.example.com/*',
        }),
      );
      expect(error).toBe(
        'NotAllowedError: Only members of group:default/team-a, which owns component:default/shop-images in the catalog, may deploy its Worker; you are signed in as user:default/ben, a member of group:default/team-b. Ask a member of group:default/team-a to deploy it, or to add you to the group',
      );
    });

    it("by taking part of team-a's route with a more specific one", async () => {
      const error = await refused(() =>
        deploy(BEN, {
          name: 'blog-images',
          pattern: 'images.example.com/blog/*',
        }),
      );
      expect(error).toBe(
        "InputError: Route 'images.example.com/*' of the Worker script 'shop-images' in zone fedcba9876543210fedcba9876543210 matches some of the same URLs as 'images.example.com/blog/*' (the more specific route would take them). Pick another route, or ask a member of a takeover group to deploy with `takeover: true` once that is agreed",
      );
    });

    it('by putting a route on the host of a Custom Domain of another Worker', async () => {
      cf.domains.push({
        id: 'd'.repeat(32),
        hostname: 'cdn.example.com',
        service: 'shop-images',
        zone_id: ZONE,
        zone_name: 'example.com',
        environment: 'production',
      });
      const error = await refused(() =>
        deploy(BEN, {
          name: 'blog-images',
          pattern: 'cdn.example.com/*',
        }),
      );
      expect(error).toBe(
        "InputError: The Custom Domain cdn.example.com serves the Worker script 'shop-images', and a route on that host would take its requests. Pick another route, or ask a member of a takeover group to deploy with `takeover: true` once that is agreed",
      );
    });
  });

  it("refuses a Worker name that another entity's Worker has", async () => {
    cf.scripts.set('press-images', {
      tags: identityTags({
        entityRef: 'component:default/press-kit',
        uid: 'uid-of-press-kit',
        owner: 'group:default/team-a',
      }),
      metadata: {},
      versions: [],
    });
    const result = await deploy(BEN, {
      name: 'press-images',
      pattern: 'press.example.com/*',
    });
    expect(result.error).toBe(
      "InputError: Worker script 'press-images' in account 0123456789abcdef0123456789abcdef belongs to the catalog entity component:default/press-kit, not component:default/press-images. Pick another name, or ask a member of a takeover group who is also a member of group:default/team-b to deploy with `takeover: true` after checking that the script may be replaced",
    );
  });

  it('lets only one of two teams that create the same Worker name at once have it', async () => {
    // Both tasks read "no such script" before either claims the name.
    let reads = 0;
    let release: () => void = () => {};
    const bothRead = new Promise<void>(resolve => {
      release = resolve;
    });
    const notYet = async () => {
      reads += 1;
      if (reads === 2) release();
      await bothRead;
      return cfError(404, 10007, 'This Worker does not exist on your account.');
    };
    const settings = `${API}/accounts/${ACCOUNT}/workers/scripts/race-images/script-settings`;
    server.use(
      http.get(settings, notYet, { once: true }),
      http.get(settings, notYet, { once: true }),
    );
    const [ann, ben] = await Promise.all([
      deploy(ANN, { name: 'race-images', pattern: 'race-a.example.com/*' }),
      deploy(BEN, {
        name: 'race-images-b',
        script: 'race-images',
        pattern: 'race-b.example.com/*',
      }),
    ]);
    const outcomes = [ann, ben].map(r => r.status).sort();
    expect(outcomes).toEqual(['completed', 'failed']);
    const loser = ann.status === 'failed' ? ann : ben;
    expect(loser.error).toMatch(
      /^InputError: Worker script 'race-images' in account \w+ belongs to the catalog entity component:default\/race-images(-b)?, not component:default\/race-images(-b)?\. /,
    );
    expect(
      cf.requests.filter(
        r => r.method === 'POST' && r.path.endsWith('/workers/workers'),
      ).length,
    ).toBeGreaterThanOrEqual(2);
    expect(
      cf.routes.filter(r => r.script === 'race-images').map(r => r.pattern),
    ).toHaveLength(1);
  });

  it('refuses a Worker whose other tags leave no room for the marks, naming them', async () => {
    // Five tags of the team's own and the three identity marks: the route's mark would be a ninth.
    cf.scripts.set('tags-images', {
      tags: [
        'team:b',
        'cost:images',
        'tier:1',
        'env:prod',
        'pager:on',
        ...identityTags({
          entityRef: 'component:default/tags-images',
          uid: await uid('tags-images'),
          owner: 'group:default/team-b',
        }),
      ],
      metadata: {},
      versions: [],
    });
    const result = await deploy(BEN, {
      name: 'tags-images',
      pattern: 'tags.example.com/*',
    });
    expect(result.error).toBe(
      "InputError: Worker script 'tags-images' would have 9 tags, over Cloudflare's limit of 8: the portal needs 4 of them. Remove 1 of the other tags (team:b, cost:images, tier:1, env:prod, pager:on) from the script",
    );
  });

  describe('a name reused by a deleted entity’s successor', () => {
    beforeAll(() => {
      // docs-images was team-a's before its entity was deleted; team-b registered a new one.
      cf.scripts.set('docs-images', {
        tags: identityTags({
          entityRef: 'component:default/docs-images',
          uid: 'uid-of-the-deleted-entity',
          owner: 'group:default/team-a',
        }),
        metadata: {},
        versions: [],
      });
    });

    it('is refused to the new owner', async () => {
      const result = await deploy(BEN, {
        name: 'docs-images',
        pattern: 'docs.example.com/*',
      });
      expect(result.error).toBe(
        "InputError: Worker script 'docs-images' in account 0123456789abcdef0123456789abcdef was deployed for an earlier catalog entity named component:default/docs-images (owner group:default/team-a), not for the one the catalog has now: the name was reused after that entity was deleted. Pick another name, or ask a member of a takeover group who is also a member of group:default/team-b to deploy with `takeover: true` after checking that the script may be replaced",
      );
    });

    it('is refused as a takeover to a takeover-group member outside the owning group', async () => {
      const result = await deploy(PAT, {
        name: 'docs-images',
        pattern: 'docs.example.com/*',
        takeover: true,
      });
      expect(result.error).toMatch(
        /^NotAllowedError: Only members of group:default\/team-b, which owns component:default\/docs-images in the catalog, may deploy its Worker/,
      );
    });

    it('is taken over by a takeover-group member of the owning group', async () => {
      const result = await deploy(TIA, {
        name: 'docs-images',
        pattern: 'docs.example.com/*',
        takeover: true,
      });
      expect(result.status).toBe('completed');
      expect(cf.scripts.get('docs-images')!.tags).toEqual(
        expect.arrayContaining([
          `backstage-uid=${await uid('docs-images')}`,
          'backstage-owner=group:default/team-b',
        ]),
      );
    });
  });

  it('deploys a team-b Worker for a team-b member, whose entity names its owner without kind', async () => {
    const result = await deploy(BEN, {
      name: 'news-images',
      pattern: 'news.example.com/*',
    });
    expect(result.status).toBe('completed');
    expect(cf.scripts.get('news-images')!.tags).toContain(
      'backstage-owner=group:default/team-b',
    );
  });

  it('keeps the token and every signing key out of the tasks, their events and their rows', async () => {
    const keys = [...cf.scripts.values()].flatMap(s =>
      s.versions.flatMap(v =>
        v.bindings.filter(b => b.type === 'secret_text').map(b => b.text),
      ),
    );
    expect(keys.length).toBeGreaterThanOrEqual(3);
    const db = databases.get('scaffolder')!;
    const kept = JSON.stringify({
      tasks: await Promise.all(
        taskIds.map(
          async id =>
            (
              await request(backend.server)
                .get(`/api/scaffolder/v2/tasks/${id}`)
                .set('Authorization', mockCredentials.user.header(ANN))
            ).body,
        ),
      ),
      events: await Promise.all(
        taskIds.map(
          async id =>
            (
              await request(backend.server)
                .get(`/api/scaffolder/v2/tasks/${id}/events`)
                .set('Authorization', mockCredentials.user.header(ANN))
            ).body,
        ),
      ),
      rows: {
        tasks: await db('tasks').select(),
        taskEvents: await db('task_events').select(),
      },
    });
    // The search can find things: the tasks and the owners are there.
    expect(kept).toContain('Claimed the name');
    expect(kept).toContain(taskIds[0]);
    for (const secret of [TOKEN, ...keys]) {
      expect(kept).not.toContain(secret);
    }
  });
});
