/*
 * The portal's permission policy (permission.portalPolicy in app-config.yaml) enforced by the real
 * permission, catalog and scaffolder backends: each rule with a user it allows and one it refuses.
 * Users and groups are the repository's own (examples/org.yaml): alice is in platform-team, bob in
 * dashboards-team. Each user's ownership refs are what the sign-in resolvers put into the token:
 * the user and the groups the catalog lists them in.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import {
  type AuthService,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import catalogPlugin, {
  CATALOG_ERRORS_TOPIC,
} from '@backstage/plugin-catalog-backend';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { locationSpecToMetadataName } from '@backstage/plugin-catalog-node';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import portalPolicyModule from '@internal/plugin-permission-backend-module-portal-policy';
import scaffolderModuleCloudflare from '@internal/plugin-scaffolder-backend-module-cloudflare';
import scaffolderModulePortalCatalog from '@internal/plugin-scaffolder-backend-module-portal-catalog';
import {
  REPO_ROOT,
  startBackendProcess,
  type BackendProcess,
} from './testing/backendProcess';
import { startEntityServer, waitForEntities } from './testing/catalog';

jest.setTimeout(120_000);

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
/** A signed-in user of no team and no admin. */
const CAROL = 'user:default/carol';
const CLOUDFLARE_TEMPLATE = 'template:default/cloudflare-image-optimizer';

/** `user:default/<name>` → the user and the groups examples/org.yaml lists them in. */
function ownershipFromOrg(): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  const text = fs.readFileSync(
    path.join(REPO_ROOT, 'examples/org.yaml'),
    'utf8',
  );
  for (const doc of parseAllDocuments(text)) {
    const entity = doc.toJS();
    if (entity?.kind !== 'User') continue;
    const user = `user:default/${entity.metadata.name}`;
    refs.set(user, [
      user,
      ...(entity.spec.memberOf ?? []).map((g: string) => `group:default/${g}`),
    ]);
  }
  return refs;
}

function appConfig() {
  return parseYaml(
    fs.readFileSync(path.join(REPO_ROOT, 'app-config.yaml'), 'utf8'),
  );
}

/** The policy's settings exactly as app-config.yaml has them. */
function portalPolicyFromAppConfig() {
  return appConfig().permission.portalPolicy;
}

/**
 * app-config.yaml's catalog rules: what any location may bring in, and what only the configured
 * location (the portal's own catalog-info.yaml) may, which the test gives its own file locations.
 */
function catalogRulesFromAppConfig() {
  const { catalog } = appConfig();
  return {
    rules: catalog.rules,
    configuredLocationRules: catalog.locations[0].rules,
  };
}

/** Templates of the test's own configured location: one that registers, one that waits. */
const TEST_TEMPLATES = [
  {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'register-service' },
    spec: {
      type: 'service',
      owner: 'group:default/platform-team',
      parameters: [{ properties: { url: { type: 'string' } } }],
      steps: [
        {
          id: 'register',
          name: 'Register in the catalog',
          action: 'portal:catalog:register',
          input: { catalogInfoUrl: '${{ parameters.url }}' },
        },
      ],
    },
  },
  {
    apiVersion: 'scaffolder.backstage.io/v1beta3',
    kind: 'Template',
    metadata: { name: 'wait-a-minute' },
    spec: {
      type: 'service',
      owner: 'group:default/platform-team',
      steps: [
        {
          id: 'wait',
          name: 'Wait',
          action: 'debug:wait',
          input: { minutes: 1 },
        },
      ],
    },
  },
];

const sharedEvents = mockServices.events();
/** What the catalog publishes when it refuses what an entity's processing produced. */
const catalogErrors: Array<{ entity: string; errors: Error[] }> = [];
const catalogErrorsListener = createBackendPlugin({
  pluginId: 'catalog-errors-listener',
  register(env) {
    env.registerInit({
      deps: { events: eventsServiceRef },
      async init({ events }) {
        await events.subscribe({
          id: 'catalog-errors-listener',
          topics: [CATALOG_ERRORS_TOPIC],
          async onEvent(event) {
            catalogErrors.push(event.eventPayload as (typeof catalogErrors)[0]);
          },
        });
      },
    });
  },
});

describe('the portal permission policy in the real backend', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let dir: string;
  let origin: Awaited<ReturnType<typeof startEntityServer>>;
  const as = (user: string) => mockCredentials.user.header(user);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'policy-'));
    const component = (name: string, owner: string) =>
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        `metadata: { name: ${name} }`,
        `spec: { type: service, lifecycle: production, owner: ${owner} }`,
      ].join('\n');
    fs.writeFileSync(
      path.join(dir, 'components.yaml'),
      [
        component('platform-service', 'group:default/platform-team'),
        component('dashboards-service', 'group:default/dashboards-team'),
        component('dashboards-other', 'group:default/dashboards-team'),
      ].join('\n---\n'),
    );
    fs.writeFileSync(
      path.join(dir, 'templates.yaml'),
      TEST_TEMPLATES.map(t => JSON.stringify(t)).join('\n---\n'),
    );
    origin = await startEntityServer();
    const ownership = ownershipFromOrg();
    const { rules, configuredLocationRules } = catalogRulesFromAppConfig();

    backend = await startTestBackend({
      features: [
        permissionPlugin,
        portalPolicyModule,
        catalogPlugin,
        catalogModuleTemplateKind,
        scaffolderPlugin,
        scaffolderModuleCloudflare,
        scaffolderModulePortalCatalog,
        catalogErrorsListener,
        // One event bus for all plugins (the mock one is per plugin), as the default service is.
        createServiceFactory({
          service: eventsServiceRef,
          deps: {},
          factory: () => sharedEvents,
        }),
        mockServices.rootConfig.factory({
          data: {
            permission: {
              enabled: true,
              portalPolicy: {
                ...portalPolicyFromAppConfig(),
                // The entity server stands for the organisation the templates publish to.
                registerableLocations: [origin.baseUrl],
              },
            },
            backend: origin.readingConfig,
            cloudflare: {
              apiToken: 'portal-token-for-the-dry-run',
              portalTokenGroups: ['group:default/platform-team'],
            },
            catalog: {
              rules,
              locations: [
                path.join(REPO_ROOT, 'examples/org.yaml'),
                path.join(
                  REPO_ROOT,
                  'templates/cloudflare-image-optimizer/template.yaml',
                ),
                path.join(dir, 'components.yaml'),
                path.join(dir, 'templates.yaml'),
              ].map(target => ({
                type: 'file',
                target,
                rules: configuredLocationRules,
              })),
            },
          },
        }),
        createServiceFactory({
          service: coreServices.auth,
          deps: { plugin: coreServices.pluginMetadata },
          factory({ plugin }) {
            // The mock auth service drops the calling plugin from a token issued on a user's
            // behalf; the real one keeps it as the token's actor, and the permission backend
            // answers conditional decisions only to such a token.
            const inner = mockServices.auth({ pluginId: plugin.getId() });
            const auth: AuthService = Object.create(inner);
            auth.getPluginRequestToken = async options => {
              const principal = options.onBehalfOf.principal as {
                type: string;
                userEntityRef?: string;
              };
              if (principal.type !== 'user') {
                return inner.getPluginRequestToken(options);
              }
              return {
                token: mockCredentials.user.token(principal.userEntityRef, {
                  actor: { subject: `plugin:${plugin.getId()}` },
                }),
              };
            };
            return auth;
          },
        }),
        createServiceFactory({
          service: coreServices.userInfo,
          deps: {},
          factory: () => ({
            async getUserInfo(credentials) {
              const principal = credentials.principal as {
                userEntityRef?: string;
              };
              const user = principal.userEntityRef;
              if (!user) throw new Error('not a user');
              return {
                userEntityRef: user,
                ownershipEntityRefs: ownership.get(user) ?? [user],
              };
            },
          }),
        }),
      ],
    });

    // The catalog reads its locations in the background; wait until it serves what the tests use.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(backend.server)
        .get('/api/catalog/entities/by-query?fields=metadata.name&limit=100')
        .set('Authorization', as(ALICE));
      if (res.status !== 200)
        throw new Error(`catalog answered ${res.status}: ${res.text}`);
      const names = (
        res.body.items as Array<{ metadata: { name: string } }>
      ).map(e => e.metadata.name);
      if (
        [
          'cloudflare-image-optimizer',
          'dashboards-other',
          'alice',
          'register-service',
          'wait-a-minute',
        ].every(n => names.includes(n))
      )
        break;
      if (Date.now() > deadline)
        throw new Error(`catalog never served the entities: ${names}`);
      await new Promise(r => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await origin?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const entityUid = async (ref: string) => {
    const [kind, rest] = ref.split(':');
    const res = await request(backend.server)
      .get(`/api/catalog/entities/by-name/${kind}/${rest}`)
      .set('Authorization', as(ALICE));
    expect(res.status).toBe(200);
    return res.body.metadata.uid as string;
  };

  describe('the Cloudflare template is only for platform-team', () => {
    it('shows it to a platform-team member and hides it from anyone else', async () => {
      const url =
        '/api/catalog/entities/by-name/template/default/cloudflare-image-optimizer';
      expect(
        (await request(backend.server).get(url).set('Authorization', as(ALICE)))
          .status,
      ).toBe(200);
      expect(
        (await request(backend.server).get(url).set('Authorization', as(BOB)))
          .status,
      ).toBe(404);

      const list = await request(backend.server)
        .get('/api/catalog/entities/by-query?filter=kind=template')
        .set('Authorization', as(BOB));
      expect(list.status).toBe(200);
      const names = list.body.items.map(
        (t: { metadata: { name: string } }) => t.metadata.name,
      );
      expect(names).not.toContain('cloudflare-image-optimizer');
      expect(names).toContain('register-service');
    });

    it('lets a platform-team member start it and refuses to find it for anyone else', async () => {
      // Values the template's schema refuses: the scaffolder must find the template to say so,
      // and no task starts.
      const body = {
        templateRef: CLOUDFLARE_TEMPLATE,
        values: { name: 'Bad Name' },
      };
      const alice = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', as(ALICE))
        .send(body);
      expect(alice.status).toBe(400);
      expect(JSON.stringify(alice.body)).toMatch(/name/);

      const bob = await request(backend.server)
        .post('/api/scaffolder/v2/tasks')
        .set('Authorization', as(BOB))
        .send(body);
      expect(bob.status).toBe(404);
      expect(bob.body.error.name).toBe('NotFoundError');
    });
  });

  describe('cloudflare:worker:deploy runs only for platform-team, whatever template calls it', () => {
    const template = {
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: 'own-template' },
      spec: {
        type: 'service',
        steps: [
          {
            id: 'deploy',
            name: 'Deploy',
            action: 'cloudflare:worker:deploy',
            input: {
              scriptName: 'shop-images',
              entityRef: 'component:default/shop-images',
              owner: 'group:default/platform-team',
              accountId: '0123456789abcdef0123456789abcdef',
              allowedOrigins: ['assets.example.com'],
              placement: { type: 'workersDev' },
            },
          },
        ],
      },
    };
    const dryRun = (user: string) =>
      request(backend.server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', as(user))
        .send({ template, values: {}, directoryContents: [] });

    it('runs the action for a platform-team member', async () => {
      const res = await dryRun(ALICE);
      expect(res.status).toBe(200);
      const log = res.body.log.map((l: any) => l.body.message).join('\n');
      expect(log).toMatch(/Dry run: would deploy 'shop-images'/);
      // The action found alice in the catalog and checked her membership of the owner group.
      expect(log).not.toMatch(/without a catalog user/);
      expect(log).toContain("Token: the portal's token");
    });

    it('refuses the action to anyone else', async () => {
      const res = await dryRun(BOB);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        name: 'NotAllowedError',
        message: expect.stringContaining('cloudflare:worker:deploy'),
      });
    });
  });

  describe('entities are unregistered only by their owners', () => {
    it('lets a dashboards-team member delete an entity dashboards-team owns', async () => {
      const uid = await entityUid('component:default/dashboards-service');
      const res = await request(backend.server)
        .delete(`/api/catalog/entities/by-uid/${uid}`)
        .set('Authorization', as(BOB));
      expect(res.status).toBe(204);
    });

    it('refuses a dashboards-team member the deletion of an entity platform-team owns', async () => {
      const uid = await entityUid('component:default/platform-service');
      const res = await request(backend.server)
        .delete(`/api/catalog/entities/by-uid/${uid}`)
        .set('Authorization', as(BOB));
      expect(res.status).toBe(403);
      expect(
        (
          await request(backend.server)
            .get(
              '/api/catalog/entities/by-name/component/default/platform-service',
            )
            .set('Authorization', as(ALICE))
        ).status,
      ).toBe(200);
    });

    it('lets an admin delete an entity of another team', async () => {
      const uid = await entityUid('component:default/dashboards-other');
      const res = await request(backend.server)
        .delete(`/api/catalog/entities/by-uid/${uid}`)
        .set('Authorization', as(ALICE));
      expect(res.status).toBe(204);
    });
  });

  describe('catalog locations are registered and deleted only by admins', () => {
    it('refuses a team member the registration of a location', async () => {
      const res = await request(backend.server)
        .post('/api/catalog/locations')
        .set('Authorization', as(BOB))
        .send({ type: 'url', target: origin.urlFor('bobs-location') });
      expect(res.status).toBe(403);
      expect(res.body.error.name).toBe('NotAllowedError');
    });

    it('lets an admin register a location, refuses its deletion to a team member, lets the admin delete it', async () => {
      const created = await request(backend.server)
        .post('/api/catalog/locations')
        .set('Authorization', as(ALICE))
        .send({ type: 'url', target: origin.urlFor('extra-service') });
      expect(created.status).toBe(201);
      const id = created.body.location.id;

      const bob = await request(backend.server)
        .delete(`/api/catalog/locations/${id}`)
        .set('Authorization', as(BOB));
      expect(bob.status).toBe(403);

      const alice = await request(backend.server)
        .delete(`/api/catalog/locations/${id}`)
        .set('Authorization', as(ALICE));
      expect(alice.status).toBe(204);
    });

    it('refuses a Template or a Group from a registered location, even one an admin registered', async () => {
      for (const [file, kind] of [
        ['template.yaml', 'template'],
        ['group.yaml', 'group'],
      ]) {
        const name = `registered-${kind}`;
        const created = await request(backend.server)
          .post('/api/catalog/locations')
          .set('Authorization', as(ALICE))
          .send({ type: 'url', target: origin.urlFor(name, file) });
        expect(created.status).toBe(201);
        // The catalog records why it refused on the location entity that brought the entity in.
        const message = await waitForProcessingError(
          `location:default/${locationSpecToMetadataName({
            type: 'url',
            target: origin.urlFor(name, file),
          })}`,
        );
        expect(message).toContain(
          `Entity ${kind}:default/${name} at url:${origin.urlFor(
            name,
            file,
          )}, originated at url:${origin.urlFor(
            name,
            file,
          )}, is not of an allowed kind for that location`,
        );
        const res = await request(backend.server)
          .get(`/api/catalog/entities/by-name/${kind}/default/${name}`)
          .set('Authorization', as(ALICE));
        expect(res.status).toBe(404);
      }
    });
  });

  describe('templates register the repository they published, as the portal', () => {
    it("registers a team member's new service through portal:catalog:register", async () => {
      const task = await startTask(BOB, 'register-service', {
        url: origin.urlFor('bobs-service'),
      });
      expect(await finished(task, BOB)).toBe('completed');
      const res = await waitForEntity('component/default/bobs-service');
      expect(res.status).toBe(200);
    });

    it('refuses a catalog file outside the registerable locations, naming the setting', async () => {
      const task = await startTask(BOB, 'register-service', {
        url: 'http://127.0.0.2:9/elsewhere/catalog-info.yaml',
      });
      expect(await finished(task, BOB)).toBe('failed');
      expect(await taskLog(task, BOB)).toContain(
        `http://127.0.0.2:9/elsewhere/catalog-info.yaml is not under a location the portal registers services from (permission.portalPolicy.registerableLocations: ${origin.baseUrl})`,
      );
    });
  });

  describe('a task belongs to the user who started it', () => {
    let bobsTask: string;
    beforeAll(async () => {
      bobsTask = await startTask(BOB, 'register-service', {
        url: origin.urlFor('bobs-other-service'),
      });
      await finished(bobsTask, BOB);
    });

    it('lets its creator and an admin read the task and its events', async () => {
      for (const user of [BOB, ALICE]) {
        for (const url of [
          `/api/scaffolder/v2/tasks/${bobsTask}`,
          `/api/scaffolder/v2/tasks/${bobsTask}/events`,
        ]) {
          const res = await request(backend.server)
            .get(url)
            .set('Authorization', as(user));
          expect(`${user} ${url} ${res.status}`).toBe(`${user} ${url} 200`);
        }
      }
    });

    it('refuses anyone else the task, its events and its parameters, and lists only their own tasks', async () => {
      for (const url of [
        `/api/scaffolder/v2/tasks/${bobsTask}`,
        `/api/scaffolder/v2/tasks/${bobsTask}/events`,
      ]) {
        const res = await request(backend.server)
          .get(url)
          .set('Authorization', as(CAROL));
        expect(`${url} ${res.status}`).toBe(`${url} 403`);
        expect(res.text).not.toContain('bobs-other-service');
      }
      const ids = async (user: string) =>
        (
          await request(backend.server)
            .get('/api/scaffolder/v2/tasks')
            .set('Authorization', as(user))
        ).body.tasks.map((t: { id: string }) => t.id);
      expect(await ids(CAROL)).toEqual([]);
      expect(await ids(BOB)).toContain(bobsTask);
      expect(await ids(ALICE)).toContain(bobsTask);
    });

    it('lets only its creator or an admin cancel it', async () => {
      // Cancelling before the first step has started fails inside the scaffolder (500), so each
      // task is cancelled while it waits.
      const carols = await startTask(CAROL, 'wait-a-minute', {});
      await processing(carols);
      const bob = await request(backend.server)
        .post(`/api/scaffolder/v2/tasks/${carols}/cancel`)
        .set('Authorization', as(BOB));
      expect(bob.status).toBe(403);
      const carol = await request(backend.server)
        .post(`/api/scaffolder/v2/tasks/${carols}/cancel`)
        .set('Authorization', as(CAROL));
      expect(carol.status).toBe(200);
      await finished(carols, CAROL);
      expect(await taskLog(carols, CAROL)).toMatch(/has been cancelled/);

      const another = await startTask(CAROL, 'wait-a-minute', {});
      await processing(another);
      const alice = await request(backend.server)
        .post(`/api/scaffolder/v2/tasks/${another}/cancel`)
        .set('Authorization', as(ALICE));
      expect(`${alice.status} ${alice.text}`).toBe(
        '200 {"status":"cancelled"}',
      );
      await finished(another, CAROL);
      expect(await taskLog(another, CAROL)).toMatch(/has been cancelled/);
    });
  });

  async function startTask(
    user: string,
    template: string,
    values: Record<string, string>,
  ): Promise<string> {
    const res = await request(backend.server)
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', as(user))
      .send({ templateRef: `template:default/${template}`, values });
    if (res.status !== 201)
      throw new Error(
        `starting ${template} answered ${res.status}: ${res.text}`,
      );
    return res.body.id;
  }

  /** Polls the task as `user` until it is no longer open or processing; resolves with its status. */
  async function finished(id: string, user: string): Promise<string> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(backend.server)
        .get(`/api/scaffolder/v2/tasks/${id}`)
        .set('Authorization', as(user));
      const status = res.body.status;
      if (!['open', 'processing'].includes(status) || Date.now() > deadline)
        return status;
      await new Promise(r => setTimeout(r, 200));
    }
  }

  /** Waits until the task's first step has started. */
  async function processing(id: string) {
    const deadline = Date.now() + 30_000;
    while (!(await taskLog(id, ALICE)).includes('Beginning step')) {
      if (Date.now() > deadline) throw new Error(`task ${id} never started`);
      await new Promise(r => setTimeout(r, 200));
    }
  }

  async function taskLog(id: string, user: string): Promise<string> {
    const res = await request(backend.server)
      .get(`/api/scaffolder/v2/tasks/${id}/events`)
      .set('Authorization', as(user));
    return res.body
      .map((e: { body: { message?: string } }) => e.body.message ?? '')
      .join('\n');
  }

  async function waitForEntity(ref: string) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await request(backend.server)
        .get(`/api/catalog/entities/by-name/${ref}`)
        .set('Authorization', as(ALICE));
      if (res.status === 200 || Date.now() > deadline) return res;
      await new Promise(r => setTimeout(r, 250));
    }
  }

  /** The first processing error the catalog publishes for an entity, waiting for it. */
  async function waitForProcessingError(ref: string): Promise<string> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const event = catalogErrors.find(e => e.entity === ref);
      if (event) return event.errors.map(e => e.message).join('\n');
      if (Date.now() > deadline)
        throw new Error(
          `the catalog published no processing error for ${ref}: ${JSON.stringify(
            catalogErrors.map(e => [e.entity, e.errors.map(x => x.message)]),
          )}`,
        );
      await new Promise(r => setTimeout(r, 250));
    }
  }
});

describe('the local guest setup on the real backend process', () => {
  let backend: BackendProcess | undefined;
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-'));
  });
  afterAll(async () => {
    await backend?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs the guest in as a platform-team member, who sees the Cloudflare templates and may run the action', async () => {
    backend = await startBackendProcess({
      config: {
        backend: {
          database: {
            client: 'better-sqlite3',
            connection: { directory: dataDir },
          },
        },
      },
    });
    const refs = [
      CLOUDFLARE_TEMPLATE,
      'template:default/cloudflare-image-redeploy',
      'user:default/guest',
    ];
    const served = await waitForEntities(backend, refs);
    expect(refs.filter(ref => !served.has(ref))).toEqual([]);

    const signIn = await fetch(`${backend.baseUrl}/api/auth/guest/refresh`, {
      headers: { 'x-requested-with': 'XMLHttpRequest' },
    });
    expect(signIn.status).toBe(200);
    const identity = (await signIn.json()).backstageIdentity;
    expect(identity.identity.ownershipEntityRefs).toEqual(
      expect.arrayContaining(['group:default/platform-team']),
    );
    const asGuest = { authorization: `Bearer ${identity.token}` };

    for (const name of [
      'cloudflare-image-optimizer',
      'cloudflare-image-redeploy',
    ]) {
      const res = await fetch(
        `${backend.baseUrl}/api/catalog/entities/by-name/template/default/${name}`,
        { headers: asGuest },
      );
      expect(`${name} ${res.status}`).toBe(`${name} 200`);
    }
    const actions = await fetch(
      `${backend.baseUrl}/api/scaffolder/v2/actions`,
      {
        headers: asGuest,
      },
    );
    expect(
      ((await actions.json()) as Array<{ id: string }>).map(a => a.id),
    ).toContain('cloudflare:worker:deploy');
  });
});
