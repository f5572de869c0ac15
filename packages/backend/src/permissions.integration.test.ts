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
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import permissionPlugin from '@backstage/plugin-permission-backend';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import catalogModuleTemplateKind from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import portalPolicyModule from '@internal/plugin-permission-backend-module-portal-policy';
import scaffolderModuleCloudflare from '@internal/plugin-scaffolder-backend-module-cloudflare';
import {
  REPO_ROOT,
  startBackendProcess,
  type BackendProcess,
} from './testing/backendProcess';
import { startEntityServer, waitForEntities } from './testing/catalog';

jest.setTimeout(120_000);

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';
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

/** The policy's settings exactly as app-config.yaml has them. */
function portalPolicyFromAppConfig() {
  const config = parseYaml(
    fs.readFileSync(path.join(REPO_ROOT, 'app-config.yaml'), 'utf8'),
  );
  return config.permission.portalPolicy;
}

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
    origin = await startEntityServer();
    const ownership = ownershipFromOrg();

    backend = await startTestBackend({
      features: [
        permissionPlugin,
        portalPolicyModule,
        catalogPlugin,
        catalogModuleTemplateKind,
        scaffolderPlugin,
        scaffolderModuleCloudflare,
        mockServices.rootConfig.factory({
          data: {
            permission: {
              enabled: true,
              portalPolicy: portalPolicyFromAppConfig(),
            },
            backend: origin.readingConfig,
            cloudflare: {
              apiToken: 'portal-token-for-the-dry-run',
              portalTokenGroups: ['group:default/platform-team'],
            },
            catalog: {
              rules: [
                {
                  allow: ['Component', 'Group', 'User', 'Template', 'Location'],
                },
              ],
              locations: [
                {
                  type: 'file',
                  target: path.join(REPO_ROOT, 'examples/org.yaml'),
                },
                {
                  type: 'file',
                  target: path.join(
                    REPO_ROOT,
                    'templates/cloudflare-image-optimizer/template.yaml',
                  ),
                },
                { type: 'file', target: path.join(dir, 'components.yaml') },
              ],
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
        ['cloudflare-image-optimizer', 'dashboards-other', 'alice'].every(n =>
          names.includes(n),
        )
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
      expect(list.body.items).toEqual([]);
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

  describe('catalog locations are deleted only by admins', () => {
    it('refuses a team member and lets an admin delete a location', async () => {
      const created = await request(backend.server)
        .post('/api/catalog/locations')
        .set('Authorization', as(BOB))
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
  });
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
