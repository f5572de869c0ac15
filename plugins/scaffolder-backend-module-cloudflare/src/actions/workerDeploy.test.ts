import { ConfigReader } from '@backstage/config';
import { registerMswTestHooks } from '@backstage/backend-test-utils';
import type { JsonValue } from '@backstage/types';
import type { WorkerBundle } from '@internal/image-worker/bundle';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  API,
  cfError,
  createFakeCloudflare,
  FakeCloudflareState,
} from '../__testUtils__/fakeCloudflare';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import { loadBuiltWorker } from '../__testUtils__/workerBundle';
import contract from '@internal/image-worker/contract';
import { createCloudflareWorkerDeployAction } from './workerDeploy';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { mockCredentials } from '@backstage/backend-test-utils';
import { SigningKeyVault } from '../lib/signingKeys';
import { identityTags } from '../lib/ownership';

const TOKEN = 'cf-token-7Hq2xZ9pLmN4vR8sT1wY';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const ZONE = 'fedcba9876543210fedcba9876543210';
const SCRIPT_PATH = `/accounts/${ACCOUNT}/workers/scripts/shop-images`;

const PLATFORM = 'group:default/platform-team';
const WEB = 'group:default/web-team';
const ALICE = { ref: 'user:default/alice', memberOf: [PLATFORM] };
const WENDY = { ref: 'user:default/wendy', memberOf: [WEB] };

/** A Worker entity as the image optimizer template registers it. */
const workerEntity = (name: string, owner: string, uid = `uid-of-${name}`) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    uid,
    annotations: {
      'cloudflare.com/worker-name': name,
      'cloudflare.com/account-id': ACCOUNT,
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner },
});
const SHOP = workerEntity('shop-images', PLATFORM);
const SHOP_IDENTITY = {
  entityRef: 'component:default/shop-images',
  uid: 'uid-of-shop-images',
  owner: PLATFORM,
};

/** The portal's token for platform-team, web-team's own token; platform-team may take over. */
const accessConfig = (tokens: { portal?: string; web?: string } = {}) => ({
  cloudflare: {
    apiToken: tokens.portal ?? TOKEN,
    portalTokenGroups: [PLATFORM],
    teamTokens: [
      { group: WEB, apiToken: tokens.web ?? 'web-token-unused-Zx81' },
    ],
    takeoverGroups: [PLATFORM],
  },
});

const routeInput = {
  scriptName: 'shop-images',
  entityRef: 'component:default/shop-images',
  owner: PLATFORM,
  accountId: ACCOUNT,
  engine: 'cloudflare' as const,
  allowedOrigins: ['assets.example.com', 'cdn.example.com'],
  limits: {
    maxSourceBytes: 10_000_000,
    maxPixels: 16_000_000,
    originTimeoutMs: 5000,
  },
  signUrls: true,
  placement: { type: 'route', zoneId: ZONE, pattern: 'images.example.com/*' },
};

const devInput = {
  scriptName: 'shop-images',
  entityRef: 'component:default/shop-images',
  owner: PLATFORM,
  accountId: ACCOUNT,
  engine: 'wasm' as const,
  allowedOrigins: ['assets.example.com'],
  placement: { type: 'workersDev' },
};

describe('cloudflare:worker:deploy', () => {
  const server = setupServer();
  registerMswTestHooks(server);

  let bundle: WorkerBundle;
  let cf: FakeCloudflareState;
  const sleep = jest.fn(async (_ms: number) => {});

  beforeAll(async () => {
    bundle = await loadBuiltWorker();
  });

  beforeEach(() => {
    sleep.mockClear();
    const fake = createFakeCloudflare({
      token: TOKEN,
      accountId: ACCOUNT,
      zoneId: ZONE,
      accountSubdomain: 'acme',
      r2Buckets: ['image-derivatives', 'image-derivatives-eu'],
    });
    cf = fake.state;
    server.use(...fake.handlers);
  });

  let vault: SigningKeyVault;
  beforeEach(() => {
    const store = new Map<string, unknown>();
    vault = new SigningKeyVault({
      cache: {
        get: async (k: string) => store.get(k),
        set: async (k: string, v: unknown) => {
          store.set(k, v);
        },
        delete: async (k: string) => {
          store.delete(k);
        },
        withOptions: () => {
          throw new Error('unused');
        },
      } as any,
    });
  });

  const makeAction = (
    config: object = accessConfig(),
    entities: object[] = [SHOP],
  ) =>
    createCloudflareWorkerDeployAction({
      config: new ConfigReader(config),
      retry: { delaysMs: [10, 20, 40], sleep },
      catalog: catalogServiceMock({ entities: entities as any }),
      signingKeys: vault,
      signingKeyUrl: async id => `http://portal/reveal/${id}`,
      entityWait: { timeoutMs: 0 },
    });

  async function run(
    input: object,
    opts: {
      secrets?: Record<string, string>;
      isDryRun?: boolean;
      checkpoints?: Map<string, JsonValue | void>;
      config?: object;
      user?: { ref: string; memberOf: string[] } | null;
      entities?: object[];
    } = {},
  ) {
    const test = createTestActionContext({
      input: input as any,
      secrets: opts.secrets ?? {},
      isDryRun: opts.isDryRun,
      user: opts.user === null ? undefined : opts.user ?? ALICE,
      checkpoints: opts.checkpoints,
    });
    const user = opts.user === null ? undefined : opts.user ?? ALICE;
    (test.ctx as any).getInitiatorCredentials = async () =>
      mockCredentials.user(user?.ref);
    let error: Error | undefined;
    try {
      // Built per run, as the backend builds it at start-up from its config.
      await makeAction(opts.config, opts.entities).handler(test.ctx as any);
    } catch (e) {
      error = e as Error;
    }
    return { ...test, error };
  }

  const writes = () => cf.requests.filter(r => r.method !== 'GET');
  const uploads = () =>
    cf.requests.filter(r => r.method === 'PUT' && r.path === SCRIPT_PATH);

  describe('upload', () => {
    it('sends one metadata JSON part with main_module, compatibility_date and bindings, and one part per module', async () => {
      const { error } = await run(routeInput);
      expect(error).toBeUndefined();

      const [upload] = uploads();
      expect(upload.authorization).toBe(`Bearer ${TOKEN}`);
      const parts = upload.parts!;
      // No bracket-flattened fields such as metadata[bindings][0][name] or files[].
      expect(parts.map(p => p.name).filter(n => n.includes('['))).toEqual([]);

      const metadataParts = parts.filter(p => p.name === 'metadata');
      expect(metadataParts).toHaveLength(1);
      expect(metadataParts[0].type).toBe('application/json');
      const metadata = JSON.parse(metadataParts[0].bytes.toString('utf8'));
      expect(metadata).toMatchObject({
        main_module: bundle.mainModule,
        compatibility_date: bundle.compatibilityDate,
        compatibility_flags: bundle.compatibilityFlags,
      });
      expect(metadata.bindings).toEqual(
        expect.arrayContaining([
          { type: 'plain_text', name: 'ENGINE', text: 'cloudflare' },
          {
            type: 'plain_text',
            name: 'ALLOWED_ORIGINS',
            text: 'assets.example.com,cdn.example.com',
          },
          { type: 'plain_text', name: 'MAX_SOURCE_BYTES', text: '10000000' },
          { type: 'plain_text', name: 'MAX_PIXELS', text: '16000000' },
          { type: 'plain_text', name: 'ORIGIN_TIMEOUT_MS', text: '5000' },
          {
            type: 'plain_text',
            name: 'CPU_LIMIT_MS',
            text: String(contract.defaults.cpuLimitMs),
          },
          {
            type: 'secret_text',
            name: 'SIGNING_KEY',
            text: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
          },
        ]),
      );
      expect(metadata.bindings).toHaveLength(7);
      // Workers Paid: the default CPU limit, the same value as CPU_LIMIT_MS.
      expect(metadata.limits).toEqual({
        cpu_ms: contract.defaults.cpuLimitMs,
      });
      expect(metadata.annotations).toEqual({
        'workers/tag': expect.stringMatching(/^portal-[0-9a-f]{32}$/),
        'workers/message': 'Deployed by the portal (cloudflare:worker:deploy)',
      });
      expect(metadata.tags).toEqual(identityTags(SHOP_IDENTITY));

      const moduleParts = parts.filter(p => p.name !== 'metadata');
      expect(moduleParts).toHaveLength(bundle.modules.length);
      for (const module of bundle.modules) {
        const part = moduleParts.find(p => p.filename === module.name);
        expect(part).toBeDefined();
        expect(part!.type).toBe(module.contentType);
        expect(part!.bytes.equals(module.content)).toBe(true);
      }
    });

    it('uses the compatibility date of the input over the bundle one, and leaves out limits not given (the CPU limit has a default)', async () => {
      const { error } = await run(
        { ...devInput, compatibilityDate: '2024-09-23' },
        { secrets: {} },
      );
      expect(error).toBeUndefined();
      const metadata = JSON.parse(
        uploads()[0]
          .parts!.find(p => p.name === 'metadata')!
          .bytes.toString('utf8'),
      );
      expect(metadata.compatibility_date).toBe('2024-09-23');
      expect(
        metadata.bindings.map((b: { name: string }) => b.name).sort(),
      ).toEqual(['ALLOWED_ORIGINS', 'CPU_LIMIT_MS', 'ENGINE']);
    });
  });

  describe('route and workers.dev', () => {
    it('creates the route and outputs its URL, the script name and the deployment id', async () => {
      const { error, outputs } = await run(routeInput);
      expect(error).toBeUndefined();
      expect(cf.routes).toEqual([
        {
          id: expect.any(String),
          pattern: 'images.example.com/*',
          script: 'shop-images',
        },
      ]);
      const deployments = cf.deployments.get('shop-images')!;
      expect(outputs).toEqual({
        scriptName: 'shop-images',
        engine: 'cloudflare',
        url: 'https://images.example.com/',
        deploymentId: deployments[deployments.length - 1].id,
        signingKeyUrl: expect.stringMatching(/^http:\/\/portal\/reveal\//),
      });
    });

    it('leaves a route alone that already points at the script', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      const routes = JSON.stringify(cf.routes);
      cf.requests.length = 0;
      const { error, logLines } = await run({ ...routeInput, limits: {} });
      expect(error).toBeUndefined();
      expect(JSON.stringify(cf.routes)).toBe(routes);
      expect(
        cf.requests.filter(
          r => r.path.includes('/workers/routes') && r.method !== 'GET',
        ),
      ).toEqual([]);
      expect(logLines.join('\n')).toContain('unchanged');
    });

    it('enables workers.dev and outputs the workers.dev URL', async () => {
      const { error, outputs } = await run(devInput, { secrets: {} });
      expect(error).toBeUndefined();
      expect(cf.workersDev.get('shop-images')).toBe(true);
      expect(outputs.url).toBe('https://shop-images.acme.workers.dev/');
      expect(cf.routes).toEqual([]);
    });

    it('says how to fix an account without a workers.dev subdomain', async () => {
      cf.accountSubdomain = undefined;
      const { error } = await run(devInput, { secrets: {} });
      expect(error?.name).toBe('InputError');
      expect(error?.message).toMatch(
        /no workers\.dev subdomain.*route instead/,
      );
    });
  });

  describe('idempotency', () => {
    it('changes nothing when run again with the same input', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      const firstWrites = writes().length;
      const again = await run(routeInput);
      expect(again.error).toBeUndefined();
      expect(writes()).toHaveLength(firstWrites);
      expect(cf.routes).toHaveLength(1);
      expect(again.outputs.url).toBe('https://images.example.com/');
      expect(again.logLines.join('\n')).toContain('not uploaded again');

      expect((await run(devInput, { secrets: {} })).error).toBeUndefined();
      const afterDev = writes().length;
      expect((await run(devInput, { secrets: {} })).error).toBeUndefined();
      expect(writes()).toHaveLength(afterDev);
    });

    it('does not redo a finished step when the task is retried', async () => {
      const checkpoints = new Map<string, JsonValue | void>();
      expect((await run(routeInput, { checkpoints })).error).toBeUndefined();
      const before = cf.requests.length;
      const retried = await run(routeInput, { checkpoints });
      expect(retried.error).toBeUndefined();
      // Only reads go out again: the plan and the zone's settings (the engine is decided anew),
      // the marks, and the version serving traffic.
      expect(
        cf.requests.slice(before).map(r => `${r.method} ${r.path}`),
      ).toEqual([
        `GET /accounts/${ACCOUNT}/subscriptions`,
        `GET /zones/${ZONE}`,
        `GET /zones/${ZONE}/settings/transformations`,
        `GET /zones/${ZONE}/settings/transformations_allowed_origins`,
        `GET ${SCRIPT_PATH}/script-settings`,
        `GET ${SCRIPT_PATH}/deployments`,
        expect.stringMatching(`^GET ${SCRIPT_PATH}/versions/`),
      ]);
      expect(retried.outputs.deploymentId).toBeDefined();
    });

    it('uploads again when a variable changes, and drops SIGNING_KEY when signing is turned off', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      const changed = await run(
        {
          ...routeInput,
          signUrls: false,
          allowedOrigins: ['other.example.com'],
        },
        { secrets: {} },
      );
      expect(changed.error).toBeUndefined();
      expect(uploads()).toHaveLength(2);
      const metadata = cf.scripts.get('shop-images')!.metadata as {
        bindings: Array<{ name: string; text: string }>;
      };
      expect(
        metadata.bindings.find(b => b.name === 'ALLOWED_ORIGINS')?.text,
      ).toBe('other.example.com');
      expect(metadata.bindings.some(b => b.name === 'SIGNING_KEY')).toBe(false);
      expect(cf.routes).toHaveLength(1);
    });

    it('keeps tags set by others and writes its own: entity, uid, owner and the route it created', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      cf.scripts.get('shop-images')!.tags.unshift('team:shop');
      expect(
        (await run({ ...routeInput, engine: 'wasm' })).error,
      ).toBeUndefined();
      expect(cf.scripts.get('shop-images')!.tags).toEqual([
        'team:shop',
        ...identityTags(SHOP_IDENTITY),
        `backstage-route=${ZONE}/${cf.routes[0].id}`,
      ]);
    });

    it('keeps the signing key on a redeploy and generates a new one only when asked', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      const again = await run({
        ...routeInput,
        allowedOrigins: ['x.example.com'],
      });
      expect(again.error).toBeUndefined();
      expect(again.outputs.signingKeyUrl).toBeUndefined();
      expect(
        JSON.parse(
          uploads()[1]
            .parts!.find(p => p.name === 'metadata')!
            .bytes.toString(),
        ),
      ).toMatchObject({
        keep_bindings: ['secret_text'],
      });
      const versions = cf.scripts.get('shop-images')!.versions;
      const keyOf = (v: { bindings: Array<Record<string, any>> }) =>
        v.bindings.find(b => b.name === 'SIGNING_KEY')?.text;
      expect(keyOf(versions[1])).toBe(keyOf(versions[0]));

      const rotated = await run({
        ...routeInput,
        allowedOrigins: ['x.example.com'],
        rotateSigningKey: true,
      });
      expect(rotated.error).toBeUndefined();
      expect(rotated.outputs.signingKeyUrl).toBeDefined();
      expect(uploads()).toHaveLength(3);
      expect(keyOf(versions[2])).not.toBe(keyOf(versions[0]));
    });

    it('deploys again when the version serving traffic was changed outside the portal', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      // e.g. `wrangler deploy` or a dashboard edit: tags stay, the running version has no portal tag.
      cf.deployOutside('shop-images', bindings =>
        bindings.map(b =>
          b.name === 'ALLOWED_ORIGINS' ? { ...b, text: 'evil.example.net' } : b,
        ),
      );
      const { error, logLines } = await run(routeInput);
      expect(error).toBeUndefined();
      expect(uploads()).toHaveLength(2);
      expect(logLines.join('\n')).toContain('was not deployed by the portal');
      const versions = cf.scripts.get('shop-images')!.versions;
      expect(
        versions[versions.length - 1].bindings.find(
          b => b.name === 'ALLOWED_ORIGINS',
        )?.text,
      ).toBe('assets.example.com,cdn.example.com');
    });
  });

  describe('failures', () => {
    it('retries 503 and 429 answers with the configured pauses, then succeeds', async () => {
      server.use(
        http.put(
          `${API}${SCRIPT_PATH}`,
          () => cfError(503, 10013, 'Service unavailable'),
          {
            once: true,
          },
        ),
        http.put(
          `${API}${SCRIPT_PATH}`,
          () =>
            cfError(
              429,
              971,
              'Please wait and consider throttling your request speed',
            ),
          {
            once: true,
          },
        ),
      );
      const { error, logLines } = await run(routeInput);
      expect(error).toBeUndefined();
      expect(sleep.mock.calls.map(c => c[0])).toEqual([10, 20]);
      expect(uploads()).toHaveLength(1);
      expect(logLines.filter(l => l.includes('retrying'))).toHaveLength(2);
    });

    it('does not create a second route when a create failed after Cloudflare stored the route', async () => {
      server.use(
        http.post(
          `${API}/zones/${ZONE}/workers/routes`,
          async ({ request }) => {
            const body = (await request.json()) as {
              pattern: string;
              script: string;
            };
            cf.routes.push({ id: 'route-stored', ...body });
            return cfError(502, 10013, 'Bad gateway');
          },
          { once: true },
        ),
      );
      const { error } = await run(routeInput);
      expect(error).toBeUndefined();
      expect(sleep).toHaveBeenCalledTimes(1);
      expect(cf.routes).toEqual([
        {
          id: 'route-stored',
          pattern: 'images.example.com/*',
          script: 'shop-images',
        },
      ]);
    });

    it('retries when the connection fails', async () => {
      server.use(
        http.get(
          `${API}${SCRIPT_PATH}/script-settings`,
          () => HttpResponse.error(),
          {
            once: true,
          },
        ),
      );
      const { error } = await run(routeInput);
      expect(error).toBeUndefined();
      expect(sleep).toHaveBeenCalledTimes(1);
      expect(uploads()).toHaveLength(1);
    });

    it('waits as long as Retry-After asks', async () => {
      server.use(
        http.get(
          `${API}/zones/${ZONE}/workers/routes`,
          () =>
            HttpResponse.json(
              {
                success: false,
                errors: [{ code: 971, message: 'Slow down' }],
                messages: [],
              },
              { status: 429, headers: { 'Retry-After': '3' } },
            ),
          { once: true },
        ),
      );
      expect((await run(routeInput)).error).toBeUndefined();
      expect(sleep.mock.calls.map(c => c[0])).toEqual([3000]);
    });

    it('gives up after the last retry with the status, the attempts and the API message', async () => {
      server.use(
        http.put(`${API}${SCRIPT_PATH}`, () =>
          cfError(502, 10013, 'Bad gateway upstream'),
        ),
      );
      const { error } = await run(routeInput);
      expect(sleep).toHaveBeenCalledTimes(3);
      expect(error?.name).toBe('Error');
      expect(error?.message).toContain('502');
      expect(error?.message).toContain('4 attempts');
      expect(error?.message).toContain('Bad gateway upstream');
    });

    it('does not retry a rejected upload and passes the API message through', async () => {
      server.use(
        http.put(`${API}${SCRIPT_PATH}`, () =>
          cfError(
            400,
            10021,
            'Uncaught SyntaxError: Unexpected token at index.js:1:4',
          ),
        ),
      );
      const { error } = await run(routeInput);
      expect(sleep).not.toHaveBeenCalled();
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        'Uncaught SyntaxError: Unexpected token at index.js:1:4 (code 10021)',
      );
    });

    it('names the token permission when the token is refused', async () => {
      const { error } = await run(routeInput, {
        config: accessConfig({ portal: 'wrong-token-value' }),
      });
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain('401');
      expect(error?.message).toContain('Workers Scripts > Edit');
      expect(error?.message).toContain('Authentication error');
    });

    it('names Zone > Workers Routes > Edit when the token may not change routes', async () => {
      server.use(
        http.get(`${API}/zones/${ZONE}/workers/routes`, () =>
          cfError(403, 10000, 'Authentication error'),
        ),
      );
      const { error } = await run(routeInput);
      expect(`${error?.name}: ${error?.message}`).toMatch(/^InputError: /);
      expect(error?.message).toContain('403');
      expect(error?.message).toContain('Zone > Workers Routes > Edit');
      expect(error?.message).toContain(ZONE);
    });

    it('names an unknown account', async () => {
      const other = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
      const entity = workerEntity('shop-images', PLATFORM);
      entity.metadata.annotations['cloudflare.com/account-id'] = other;
      const { error } = await run(
        { ...routeInput, accountId: other },
        { entities: [entity] },
      );
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(`account '${other}' was not found`);
      expect(error?.message).toContain(
        'perhaps your object identifier is invalid',
      );
    });

    it('refuses an entity whose annotations name another script or account, before calling Cloudflare', async () => {
      const { error } = await run({ ...routeInput, scriptName: 'blog-images' });
      expect(error?.message).toBe(
        `The catalog entity component:default/shop-images describes the Worker 'shop-images' in account ${ACCOUNT} (annotations cloudflare.com/worker-name, cloudflare.com/account-id), not 'blog-images' in account ${ACCOUNT}: deploy the Worker its entity names`,
      );
      expect(cf.requests).toEqual([]);
    });

    it('refuses an entity the catalog does not have, before calling Cloudflare', async () => {
      const { error } = await run(routeInput, { entities: [] });
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        'The catalog has no entity component:default/shop-images that you may read',
      );
      expect(cf.requests).toEqual([]);
    });

    it('names an unknown zone', async () => {
      const other = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
      const { error } = await run({
        ...routeInput,
        placement: { ...routeInput.placement, zoneId: other },
      });
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(`zone '${other}' was not found`);
    });
  });

  describe('input checks', () => {
    it.each([
      [
        'a script name with capitals',
        { ...devInput, scriptName: 'Shop-Images' },
        /lower-case/,
      ],
      [
        'a script name over 63 characters',
        { ...devInput, scriptName: 'a'.repeat(64) },
        /at most 63/,
      ],
      [
        'a route without a zone id',
        {
          ...routeInput,
          placement: { type: 'route', pattern: 'images.example.com/*' },
        },
        /placement.zoneId '' must be the 32 lower-case hex digits/,
      ],
      [
        'a route with a wildcard host',
        {
          ...routeInput,
          placement: {
            type: 'route',
            zoneId: ZONE,
            pattern: '*.example.com/*',
          },
        },
        /placement.pattern '\*.example.com\/\*' must be a route with a concrete host/,
      ],
      [
        'workers.dev with a route pattern',
        {
          ...devInput,
          placement: { type: 'workersDev', pattern: 'images.example.com/*' },
        },
        /workersDev takes no zoneId or pattern/,
      ],
      [
        'the cloudflare engine on workers.dev',
        { ...devInput, engine: 'cloudflare' },
        /Image Transformations, which work only on a route/,
      ],
      [
        'an owner that is not a group',
        { ...devInput, owner: 'user:default/alice' },
        /must be a group/,
      ],
    ])(
      'refuses %s before calling Cloudflare',
      async (_name, input, message) => {
        const { error } = await run(input, { secrets: {} });
        expect(error?.name).toBe('InputError');
        expect(error?.message).toMatch(message);
        expect(cf.requests).toEqual([]);
      },
    );
  });

  describe('tokens per owner group', () => {
    it("deploys a web-team Worker with web-team's own token, never the portal's", async () => {
      const { error, logLines } = await run(
        { ...devInput, owner: WEB },
        {
          secrets: {},
          user: WENDY,
          config: accessConfig({ portal: 'portal-token-Qm2v8', web: TOKEN }),
          entities: [workerEntity('shop-images', WEB)],
        },
      );
      expect(error).toBeUndefined();
      expect(cf.requests.length).toBeGreaterThan(0);
      expect(
        cf.requests.every(r => r.authorization === `Bearer ${TOKEN}`),
      ).toBe(true);
      expect(logLines.join('\n')).toContain(
        `Token: the token of ${WEB} (cloudflare.teamTokens)`,
      );
    });

    it("deploys a platform-team Worker with the portal's token, as portalTokenGroups allows", async () => {
      const { error, logLines } = await run(devInput, { secrets: {} });
      expect(error).toBeUndefined();
      expect(
        cf.requests.every(r => r.authorization === `Bearer ${TOKEN}`),
      ).toBe(true);
      expect(logLines.join('\n')).toContain("Token: the portal's token");
    });

    it("refuses a group with neither its own token nor the portal's, naming the settings", async () => {
      const other = 'group:default/data-team';
      const { error } = await run(
        { ...devInput, owner: other },
        {
          secrets: {},
          user: { ref: 'user:default/dan', memberOf: [other] },
          entities: [workerEntity('shop-images', other)],
        },
      );
      expect(error?.name).toBe('InputError');
      expect(error?.message).toBe(
        `No Cloudflare token for ${other}: add the group with its token to cloudflare.teamTokens, or to cloudflare.portalTokenGroups to let it use the portal's token`,
      );
      expect(cf.requests).toEqual([]);
    });

    it('says which variable to set when a group token is empty', async () => {
      const { error } = await run(
        { ...devInput, owner: WEB },
        {
          secrets: {},
          user: WENDY,
          config: accessConfig({ web: '' }),
          entities: [workerEntity('shop-images', WEB)],
        },
      );
      expect(error?.message).toContain(
        `The Cloudflare token of ${WEB} is empty`,
      );
      expect(cf.requests).toEqual([]);
    });

    it('ends with one line saying the deploy was skipped and which variable to set, where unconfigured services are skipped', async () => {
      const { error, logLines, outputs } = await run(devInput, {
        secrets: {},
        config: {
          // As app-config.yaml reads without CLOUDFLARE_API_TOKEN: no apiToken at all.
          cloudflare: { ...accessConfig().cloudflare, apiToken: undefined },
          goldenPath: { unconfiguredServices: 'skip' },
        },
      });
      expect(error).toBeUndefined();
      expect(logLines.filter(l => l.startsWith('warn:'))).toEqual([
        `warn: Cloudflare not configured here: skipped, as ${PLATFORM} deploys with the portal's Cloudflare token, and cloudflare.apiToken is empty. To connect it, set CLOUDFLARE_API_TOKEN (Workers Scripts: Edit, and Zone: Workers Routes: Edit for routes) and restart the portal.`,
      ]);
      expect(outputs).toEqual({ scriptName: devInput.scriptName });
      expect(cf.requests).toEqual([]);
    });

    it('still fails without the token where skipping is not allowed (production)', async () => {
      const { error } = await run(devInput, {
        secrets: {},
        config: {
          // As app-config.yaml reads without CLOUDFLARE_API_TOKEN: no apiToken at all.
          cloudflare: { ...accessConfig().cloudflare, apiToken: undefined },
          goldenPath: { unconfiguredServices: 'fail' },
        },
      });
      expect(error?.name).toBe('InputError');
      expect(error?.message).toBe(
        `${PLATFORM} deploys with the portal's Cloudflare token, but cloudflare.apiToken is empty: set CLOUDFLARE_API_TOKEN`,
      );
      expect(cf.requests).toEqual([]);
    });

    it("refuses someone outside the owner group, so nobody deploys with another team's token", async () => {
      const { error } = await run(devInput, { secrets: {}, user: WENDY });
      expect(error?.name).toBe('NotAllowedError');
      expect(error?.message).toContain(
        `Only members of ${PLATFORM}, which owns component:default/shop-images in the catalog, may deploy its Worker`,
      );
      expect(cf.requests).toEqual([]);
    });

    it('has no input for a token: a token typed into a form cannot reach the task', () => {
      const action = makeAction();
      const properties = Object.keys(
        (action.schema?.input as any).properties ?? {},
      );
      expect(properties.filter(p => /token/i.test(p))).toEqual([]);
    });
  });

  describe('ownership guard', () => {
    it('refuses to overwrite a script the portal did not deploy, and uploads nothing', async () => {
      cf.scripts.set('shop-images', {
        tags: ['team:other'],
        metadata: {},
        versions: [],
      });
      const { error } = await run(routeInput);
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        `Worker script 'shop-images' in account ${ACCOUNT} already exists and was not deployed by the portal`,
      );
      expect(uploads()).toEqual([]);
      expect(writes()).toEqual([]);
    });

    it('refuses to overwrite a script the portal deployed for another entity, naming it', async () => {
      cf.scripts.set('shop-images', {
        tags: ['backstage-entity=component:default/blog-images'],
        metadata: {},
        versions: [],
      });
      const { error } = await run(routeInput);
      expect(error?.message).toContain(
        'belongs to the catalog entity component:default/blog-images, not component:default/shop-images',
      );
      expect(writes()).toEqual([]);
    });

    it('takes over such a script for a member of a takeover group who asks for it', async () => {
      cf.scripts.set('shop-images', {
        tags: ['team:other'],
        metadata: {},
        versions: [],
      });
      const { error, logLines } = await run({ ...routeInput, takeover: true });
      expect(error).toBeUndefined();
      expect(uploads()).toHaveLength(1);
      expect(cf.scripts.get('shop-images')!.tags).toEqual([
        'team:other',
        ...identityTags(SHOP_IDENTITY),
        `backstage-route=${ZONE}/${cf.routes[0].id}`,
      ]);
      expect(logLines.join('\n')).toContain(
        "Taking over Worker script 'shop-images'",
      );
    });

    it('refuses takeover to anyone outside the takeover groups, before calling Cloudflare', async () => {
      const { error } = await run(
        { ...devInput, owner: WEB, takeover: true },
        { secrets: {}, user: WENDY },
      );
      expect(error?.name).toBe('NotAllowedError');
      expect(error?.message).toBe(
        `takeover may only be used by members of ${PLATFORM}`,
      );
      expect(cf.requests).toEqual([]);
    });

    it('refuses a route that serves another script, naming that script, and changes nothing', async () => {
      cf.routes.push({
        id: 'route-old',
        pattern: 'images.example.com/*',
        script: 'legacy',
      });
      const { error } = await run(routeInput);
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        `Route 'images.example.com/*' in zone ${ZONE} already serves the Worker script 'legacy'`,
      );
      expect(cf.routes).toEqual([
        { id: 'route-old', pattern: 'images.example.com/*', script: 'legacy' },
      ]);
      // Refused before the upload: no script was created that serves nowhere.
      expect(writes()).toEqual([]);
      expect(cf.scripts.has('shop-images')).toBe(false);
    });

    it('points such a route at the script on takeover', async () => {
      cf.routes.push({
        id: 'route-old',
        pattern: 'images.example.com/*',
        script: 'legacy',
      });
      const { error } = await run({ ...routeInput, takeover: true });
      expect(error).toBeUndefined();
      expect(cf.routes).toEqual([
        {
          id: 'route-old',
          pattern: 'images.example.com/*',
          script: 'shop-images',
        },
      ]);
    });
  });

  describe('claims and routes of other Workers', () => {
    it('lets only one of two tasks that create the same name at once claim it', async () => {
      const web = workerEntity('shop-images', WEB, 'uid-of-web-shop');
      // Both tasks read "no such script" before either claims it.
      let reads = 0;
      let release: () => void = () => {};
      const bothRead = new Promise<void>(resolve => {
        release = resolve;
      });
      server.use(
        http.get(
          `${API}${SCRIPT_PATH}/script-settings`,
          async () => {
            reads += 1;
            if (reads === 2) release();
            await bothRead;
            return cfError(
              404,
              10007,
              'This Worker does not exist on your account.',
            );
          },
          { once: true },
        ),
        http.get(
          `${API}${SCRIPT_PATH}/script-settings`,
          async () => {
            reads += 1;
            if (reads === 2) release();
            await bothRead;
            return cfError(
              404,
              10007,
              'This Worker does not exist on your account.',
            );
          },
          { once: true },
        ),
      );
      const [platform, other] = await Promise.all([
        run(routeInput),
        run(
          {
            ...routeInput,
            owner: WEB,
            placement: { ...routeInput.placement, pattern: 'b.example.com/*' },
          },
          {
            user: WENDY,
            entities: [web],
            config: accessConfig({ web: TOKEN }),
          },
        ),
      ]);
      const errors = [platform.error, other.error].filter(Boolean);
      expect(errors).toHaveLength(1);
      expect(errors[0]!.message).toMatch(
        /Worker script 'shop-images' in account \w+ (was deployed for an earlier catalog entity|belongs)/,
      );
      expect(
        cf.requests.filter(
          r => r.method === 'POST' && r.path.endsWith('/workers/workers'),
        ),
      ).toHaveLength(2);
      expect(uploads()).toHaveLength(1);
      expect(cf.routes).toHaveLength(1);
    });

    it.each([
      ['a less specific route', '*.example.com/*'],
      ['a more specific route', 'images.example.com/thumbs/*'],
      [
        'the same route with another case and a scheme',
        'https://Images.example.com/*',
      ],
    ])(
      'refuses a route that overlaps %s of another Worker, naming it, before anything is written',
      async (_what, pattern) => {
        cf.routes.push({ id: 'f'.repeat(32), pattern, script: 'shop-site' });
        const { error } = await run(routeInput);
        expect(error?.name).toBe('InputError');
        expect(error?.message).toMatch(
          new RegExp(
            `(R|r)oute '${pattern.replace(
              /[.*/]/g,
              c => `\\${c}`,
            )}'.*the Worker script 'shop-site'`,
          ),
        );
        expect(writes()).toEqual([]);
      },
    );

    it('leaves routes of other hosts and paths alone', async () => {
      cf.routes.push(
        { id: 'e'.repeat(32), pattern: 'images.example.net/*', script: 'x' },
        { id: 'f'.repeat(32), pattern: 'www.example.com/*', script: 'y' },
      );
      expect((await run(routeInput)).error).toBeUndefined();
    });

    it("refuses a route on a host another Worker's Custom Domain serves, naming it", async () => {
      cf.domains.push({
        id: 'd'.repeat(32),
        hostname: 'images.example.com',
        service: 'cdn-router',
        zone_id: ZONE,
        zone_name: 'example.com',
        environment: 'production',
      });
      const { error } = await run(routeInput);
      expect(error?.message).toContain(
        "The Custom Domain images.example.com serves the Worker script 'cdn-router', and a route on that host would take its requests",
      );
      expect(writes()).toEqual([]);
    });

    it('refuses a script whose other tags leave no room for the portal, before uploading', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      cf.scripts.get('shop-images')!.tags.unshift('a', 'b', 'c', 'd');
      const { error } = await run({ ...routeInput, engine: 'wasm' });
      expect(error?.message).toContain(
        "would have 9 tags, over Cloudflare's limit of 8",
      );
      expect(uploads()).toHaveLength(1);
    });
  });

  describe('moving the Worker', () => {
    it('removes the route the portal created when the route changes', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      const moved = {
        ...routeInput,
        placement: { ...routeInput.placement, pattern: 'img.example.com/*' },
      };
      const { error, logLines } = await run(moved);
      expect(error).toBeUndefined();
      expect(cf.routes.map(r => [r.pattern, r.script])).toEqual([
        ['img.example.com/*', 'shop-images'],
      ]);
      const deletes = cf.requests.filter(r => r.method === 'DELETE');
      expect(deletes).toHaveLength(1);
      expect(deletes[0].path).toMatch(
        new RegExp(`^/zones/${ZONE}/workers/routes/[0-9a-f]{32}$`),
      );
      expect(logLines.join('\n')).toContain(
        `Previous route images.example.com/* in zone ${ZONE}: removed`,
      );
      expect(cf.scripts.get('shop-images')!.tags).toEqual([
        ...identityTags(SHOP_IDENTITY),
        `backstage-route=${ZONE}/${cf.routes[0].id}`,
      ]);
    });

    it('marks a route only once it exists, so the run after a failed route step still removes the old one', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      const oldRoute = cf.routes[0];
      // The new route is refused after the upload: its host is outside the zone.
      const failed = await run({
        ...routeInput,
        placement: { ...routeInput.placement, pattern: 'typo.example.net/*' },
      });
      expect(failed.error?.message).toContain(
        'The route pattern typo.example.net/* is not on the zone example.com',
      );
      expect(cf.scripts.get('shop-images')!.tags).toContain(
        `backstage-route=${ZONE}/${oldRoute.id}`,
      );

      const fixed = await run({
        ...routeInput,
        placement: { ...routeInput.placement, pattern: 'img.example.com/*' },
      });
      expect(fixed.error).toBeUndefined();
      expect(cf.routes.map(r => r.pattern)).toEqual(['img.example.com/*']);
      expect(cf.scripts.get('shop-images')!.tags).toEqual([
        ...identityTags(SHOP_IDENTITY),
        `backstage-route=${ZONE}/${cf.routes[0].id}`,
      ]);
    });

    it('removes the old route when the Worker moves to workers.dev', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      const { error } = await run({ ...devInput, signUrls: true });
      expect(error).toBeUndefined();
      expect(cf.routes).toEqual([]);
      expect(cf.workersDev.get('shop-images')).toBe(true);
    });

    it('turns workers.dev off when the Worker moves from workers.dev to a route', async () => {
      expect((await run(devInput, { secrets: {} })).error).toBeUndefined();
      expect(cf.workersDev.get('shop-images')).toBe(true);
      const { error, logLines } = await run(routeInput);
      expect(error).toBeUndefined();
      expect(cf.workersDev.get('shop-images')).toBe(false);
      expect(
        cf.requests
          .filter(
            r => r.method === 'POST' && r.path === `${SCRIPT_PATH}/subdomain`,
          )
          .map(r => r.json),
      ).toEqual([
        { enabled: true, previews_enabled: false },
        { enabled: false, previews_enabled: false },
      ]);
      expect(logLines.join('\n')).toContain(
        "workers.dev turned off for 'shop-images': it answers only on images.example.com/*",
      );
    });

    it('leaves workers.dev on when keepWorkersDev asks for it', async () => {
      expect((await run(devInput, { secrets: {} })).error).toBeUndefined();
      const { error, logLines } = await run({
        ...routeInput,
        keepWorkersDev: true,
      });
      expect(error).toBeUndefined();
      expect(cf.workersDev.get('shop-images')).toBe(true);
      expect(logLines.join('\n')).toContain(
        'workers.dev left as it is (keepWorkersDev)',
      );
    });

    it('leaves the old route alone when someone pointed it at another script since', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      cf.routes[0].script = 'someone-else';
      const moved = {
        ...routeInput,
        placement: { ...routeInput.placement, pattern: 'img.example.com/*' },
      };
      const { error, logLines } = await run(moved);
      expect(error).toBeUndefined();
      expect(cf.routes.map(r => [r.pattern, r.script])).toEqual([
        ['images.example.com/*', 'someone-else'],
        ['img.example.com/*', 'shop-images'],
      ]);
      expect(logLines.join('\n')).toContain('left as it is');
    });
  });

  describe('derivative store', () => {
    const metadataOf = (upload: {
      parts?: Array<{ name: string; bytes: Buffer }>;
    }) =>
      JSON.parse(
        upload.parts!.find(p => p.name === 'metadata')!.bytes.toString('utf8'),
      );

    it('binds the R2 bucket as DERIVATIVES in the upload metadata, next to the variables', async () => {
      const { error, logLines } = await run(
        { ...devInput, derivativesBucket: 'image-derivatives' },
        { secrets: {} },
      );
      expect(error).toBeUndefined();
      // The r2_bucket binding as the Workers script upload metadata defines it:
      // https://developers.cloudflare.com/workers/configuration/multipart-upload-metadata/
      expect(metadataOf(uploads()[0]).bindings).toEqual([
        { type: 'plain_text', name: 'ENGINE', text: 'wasm' },
        {
          type: 'plain_text',
          name: 'ALLOWED_ORIGINS',
          text: 'assets.example.com',
        },
        {
          type: 'plain_text',
          name: 'CPU_LIMIT_MS',
          text: String(contract.defaults.cpuLimitMs),
        },
        {
          type: 'r2_bucket',
          name: 'DERIVATIVES',
          bucket_name: 'image-derivatives',
        },
      ]);
      expect(logLines.join('\n')).toContain(
        'DERIVATIVES=R2 bucket image-derivatives',
      );
    });

    it('sends the binding with the signing key on a route', async () => {
      const { error } = await run({
        ...routeInput,
        derivativesBucket: 'image-derivatives',
      });
      expect(error).toBeUndefined();
      const { bindings } = metadataOf(uploads()[0]);
      expect(bindings).toHaveLength(8);
      expect(bindings.slice(-2)).toEqual([
        {
          type: 'r2_bucket',
          name: 'DERIVATIVES',
          bucket_name: 'image-derivatives',
        },
        {
          type: 'secret_text',
          name: 'SIGNING_KEY',
          text: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        },
      ]);
    });

    it('uploads again when the bucket changes or is left out, and not when it stays the same', async () => {
      const checkpoints = new Map<string, JsonValue | void>();
      const opts = { secrets: {}, checkpoints };
      const withBucket = {
        ...devInput,
        derivativesBucket: 'image-derivatives',
      };
      expect((await run(withBucket, opts)).error).toBeUndefined();
      const same = await run(withBucket, opts);
      expect(same.error).toBeUndefined();
      expect(uploads()).toHaveLength(1);

      const moved = await run(
        { ...withBucket, derivativesBucket: 'image-derivatives-eu' },
        opts,
      );
      expect(moved.error).toBeUndefined();
      expect(uploads()).toHaveLength(2);
      expect(
        metadataOf(uploads()[1]).bindings.filter(
          (b: { type: string }) => b.type === 'r2_bucket',
        ),
      ).toEqual([
        {
          type: 'r2_bucket',
          name: 'DERIVATIVES',
          bucket_name: 'image-derivatives-eu',
        },
      ]);

      const without = await run(devInput, opts);
      expect(without.error).toBeUndefined();
      expect(uploads()).toHaveLength(3);
      expect(
        metadataOf(uploads()[2]).bindings.map((b: { name: string }) => b.name),
      ).toEqual(['ENGINE', 'ALLOWED_ORIGINS', 'CPU_LIMIT_MS']);
    });

    it('says to create the bucket when the account has no bucket of that name, before writing anything', async () => {
      const { error } = await run(
        { ...devInput, derivativesBucket: 'no-such-bucket' },
        { secrets: {} },
      );
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        `The R2 bucket 'no-such-bucket' does not exist in the default jurisdiction of account '${ACCOUNT}'`,
      );
      expect(error?.message).toContain('wrangler r2 bucket create');
      expect(writes()).toEqual([]);
    });

    it('leaves the check to the upload when the token may not read buckets, which still refuses a missing one', async () => {
      cf.denied.add('r2');
      const { error, logLines } = await run(
        { ...devInput, derivativesBucket: 'no-such-bucket' },
        { secrets: {} },
      );
      expect(logLines.join('\n')).toContain(
        'The token may not read R2 buckets (403',
      );
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        `The R2 bucket for the derivative store does not exist in account '${ACCOUNT}'`,
      );
      expect(error?.message).toContain(
        "R2 bucket 'no-such-bucket' not found. Please use a different name and try again. (code 10085)",
      );
    });

    it('looks the bucket up in its jurisdiction and binds it there', async () => {
      cf.r2Buckets.push({ name: 'derivatives-eu', jurisdiction: 'eu' });
      const { error, logLines } = await run(
        {
          ...devInput,
          derivativesBucket: 'derivatives-eu',
          derivativesJurisdiction: 'eu',
        },
        { secrets: {} },
      );
      expect(error).toBeUndefined();
      const lookup = cf.requests.find(r =>
        r.path.endsWith('/r2/buckets/derivatives-eu'),
      );
      // The R2 API takes the jurisdiction as the cf-r2-jurisdiction header.
      expect(lookup?.r2Jurisdiction).toBe('eu');
      expect(
        metadataOf(uploads()[0]).bindings.filter(
          (b: { type: string }) => b.type === 'r2_bucket',
        ),
      ).toEqual([
        {
          type: 'r2_bucket',
          name: 'DERIVATIVES',
          bucket_name: 'derivatives-eu',
          jurisdiction: 'eu',
        },
      ]);
      expect(logLines.join('\n')).toContain(
        'R2 bucket derivatives-eu found in jurisdiction eu',
      );
    });

    it('does not find an EU bucket without its jurisdiction, and says to give it', async () => {
      cf.r2Buckets.push({ name: 'derivatives-eu', jurisdiction: 'eu' });
      const { error } = await run(
        { ...devInput, derivativesBucket: 'derivatives-eu' },
        { secrets: {} },
      );
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        'give its jurisdiction when it was created in one (eu, fedramp, fedramp-high)',
      );
      expect(uploads()).toEqual([]);
    });

    it('checks the bucket name with the pattern of the Worker contract', () => {
      const property = (makeAction().schema?.input as any).properties
        .derivativesBucket;
      expect(property.pattern).toBe(contract.patterns.r2BucketName);
      const pattern = new RegExp(property.pattern);
      expect(
        ['image-derivatives', 'abc', 'a'.repeat(64)].map(n => pattern.test(n)),
      ).toEqual([true, true, true]);
      expect(
        ['ab', '-images', 'images-', 'Images', 'img_store', 'a'.repeat(65)].map(
          n => pattern.test(n),
        ),
      ).toEqual([false, false, false, false, false, false]);
    });
  });

  describe('the plan decides the engine', () => {
    const metadataOfUpload = (index: number) =>
      JSON.parse(
        uploads()
          [index].parts!.find(p => p.name === 'metadata')!
          .bytes.toString('utf8'),
      );
    const engineOf = () =>
      metadataOfUpload(0).bindings.find(
        (b: { name: string }) => b.name === 'ENGINE',
      )?.text;
    const outside = ['assets.example.com', 'media.other-cdn.net'];
    const withPlans = (plans: object) => ({
      ...accessConfig(),
      cloudflare: {
        ...accessConfig().cloudflare,
        accounts: [{ accountId: ACCOUNT, ...plans }],
      },
    });

    it('refuses auto on workers.dev on Workers Free before any upload, naming Workers Paid', async () => {
      cf.workersPlan = 'free';
      const { error } = await run(
        { ...devInput, engine: 'auto' },
        { secrets: {} },
      );
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain('No engine can work here');
      expect(error?.message).toContain(
        "The account is on Workers Free (the account's subscriptions) and the wasm engine takes 28–2,788 ms of CPU per image in the benchmark, over Workers Free's 10 ms per request: upgrade it to Workers Paid",
      );
      expect(error?.message).toContain('work only on a route of a zone');
      expect(writes()).toEqual([]);
    });

    it('refuses an explicit wasm engine on Workers Free, and says the cloudflare engine would work on the route', async () => {
      cf.workersPlan = 'free';
      const { error } = await run({ ...routeInput, engine: 'wasm' });
      expect(error?.name).toBe('InputError');
      expect(error?.message).toMatch(
        /^The wasm engine cannot work here, so nothing was uploaded: The account is on Workers Free/,
      );
      expect(error?.message).toContain(
        'The cloudflare engine would: pick it, or Automatic',
      );
      expect(writes()).toEqual([]);
    });

    it('picks the cloudflare engine on Workers Free when the zone takes every origin', async () => {
      cf.workersPlan = 'free';
      const { error, logLines } = await run({ ...routeInput, engine: 'auto' });
      expect(error).toBeUndefined();
      expect(engineOf()).toBe('cloudflare');
      expect(logLines.join('\n')).toContain(
        'Engine cloudflare, chosen for this account and placement (the wasm engine cannot: the account is on Workers Free',
      );
    });

    it('picks wasm on Workers Paid when an origin is outside the sources the zone accepts, naming the setting', async () => {
      const { error, logLines } = await run({
        ...routeInput,
        engine: 'auto',
        allowedOrigins: outside,
      });
      expect(error).toBeUndefined();
      expect(engineOf()).toBe('wasm');
      expect(logLines.join('\n')).toContain(
        'the cloudflare engine cannot: the Transformations of zone example.com do not accept images from media.other-cdn.net (zone setting transformations_allowed_origins: only the zone itself)',
      );
    });

    it('refuses the cloudflare engine for an origin outside the zone, with the zone setting to change', async () => {
      const { error } = await run({
        ...routeInput,
        allowedOrigins: outside,
      });
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        'do not accept images from media.other-cdn.net (zone setting transformations_allowed_origins: only the zone itself): add it under Images > Transformations > the zone > Sources, or allow any origin',
      );
      expect(error?.message).toContain('The wasm engine would');
      expect(writes()).toEqual([]);
    });

    it("accepts an origin the zone's Sources list, or any origin with *", async () => {
      cf.transformationsAllowedOrigins = 'media.other-cdn.net';
      expect(
        (await run({ ...routeInput, allowedOrigins: outside })).error,
      ).toBeUndefined();
      cf.transformationsAllowedOrigins = '*';
      const { error } = await run({
        ...routeInput,
        allowedOrigins: ['images.elsewhere.org'],
      });
      expect(error).toBeUndefined();
    });

    it('refuses the cloudflare engine when Transformations are off on the zone, and picks wasm for auto', async () => {
      cf.transformations = 'off';
      const refused = await run(routeInput);
      expect(refused.error?.message).toContain(
        'Image Transformations are off on zone example.com (zone setting transformations): enable them',
      );
      const auto = await run({ ...routeInput, engine: 'auto' });
      expect(auto.error).toBeUndefined();
      expect(engineOf()).toBe('wasm');
    });

    it('treats a zone without the transformations setting (404) as Transformations off', async () => {
      cf.transformations = undefined;
      const { error } = await run(routeInput);
      expect(error?.message).toContain('Image Transformations are off');
    });

    it('says on Images Free that the cloudflare engine stops at 5,000, nothing billed', async () => {
      const { error, logLines } = await run(
        { ...routeInput, imagesPerMonth: 3000 },
        { config: withPlans({ imagesPlan: 'free' }) },
      );
      expect(error).toBeUndefined();
      const log = logLines.join('\n');
      expect(log).toContain(
        'Images plan: free (cloudflare.accounts (configuration; no API call answers it)); Images Free stops at 5,000 unique transformations a month, nothing billed (error 9422 past that)',
      );
      expect(log).toContain(
        'Cost for 3000 a month: $0.00 a month: Images Free covers 3,000 unique transformations (it stops at 5,000, nothing billed; error 9422 past that)',
      );
      expect(log).not.toMatch(/then billed/);
    });

    it('moves auto to wasm on Images Free when more than 5,000 transformations a month are expected', async () => {
      const { error, logLines } = await run(
        { ...routeInput, engine: 'auto', imagesPerMonth: 20_000 },
        { config: withPlans({ imagesPlan: 'free' }) },
      );
      expect(error).toBeUndefined();
      expect(engineOf()).toBe('wasm');
      const log = logLines.join('\n');
      expect(log).toContain(
        'the account is on Images Free, which stops at 5,000 unique transformations a month (nothing billed; error 9422 past that), and 20,000 are expected',
      );
      expect(log).toMatch(
        /Cost for 20000 a month: \$\d+\.\d\d a month on Workers Paid/,
      );
    });

    it('prices Images Paid per 1,000 past the included 5,000', async () => {
      const { error, logLines } = await run(
        { ...routeInput, imagesPerMonth: 15_000 },
        { config: withPlans({ imagesPlan: 'paid' }) },
      );
      expect(error).toBeUndefined();
      expect(logLines.join('\n')).toContain(
        '$5.00 a month on Images Paid for 15,000 unique transformations (5,000 included, then $0.50 per 1,000)',
      );
    });

    it('falls back to cloudflare.accounts when the token may not read the subscriptions, and says so', async () => {
      // The account is on Workers Paid, as configured; the token may not say so itself.
      cf.denied.add('billing');
      const { error, logLines } = await run(devInput, {
        secrets: {},
        config: withPlans({ workersPlan: 'paid' }),
      });
      expect(error).toBeUndefined();
      expect(logLines.join('\n')).toContain(
        `Workers plan: the token may not read the account's subscriptions (403: Authentication error; it needs "Account > Billing > Read"); using cloudflare.accounts, which says paid`,
      );
    });

    it('does not guess the plan: without Billing Read or configuration the wasm engine is refused with what to grant', async () => {
      cf.denied.add('billing');
      const { error, logLines } = await run(devInput, { secrets: {} });
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        "The Workers plan is not known (unknown: the token may not read the account's subscriptions",
      );
      expect(error?.message).toContain(
        'give the token "Account > Billing > Read", or set workersPlan in cloudflare.accounts for this account',
      );
      expect(logLines.join('\n')).toContain('Workers plan not known');
      expect(writes()).toEqual([]);
    });

    it('refuses the cloudflare engine when the token may not read the zone settings, naming the permission', async () => {
      cf.denied.add('zoneSettings');
      const { error } = await run(routeInput);
      expect(error?.message).toContain(
        'could not be read: give the token "Zone > Zone Settings > Read"',
      );
      expect(writes()).toEqual([]);
    });

    it('judges only the Sources list when the token may not read the zone, and says so', async () => {
      cf.denied.add('zone');
      cf.transformationsAllowedOrigins = 'assets.example.com,cdn.example.com';
      const { error, logLines } = await run(routeInput);
      expect(error).toBeUndefined();
      expect(logLines.join('\n')).toContain(
        'the token may not read it (403; "Zone > Zone > Read"), so only hosts on its Sources list count as accepted',
      );
    });

    it('stops a config with a plan that is not free or paid at start-up, naming the setting', () => {
      expect(() => makeAction(withPlans({ workersPlan: 'pro' }))).toThrow(
        "cloudflare.accounts[0].workersPlan: 'pro' is not a plan; write free or paid",
      );
    });
  });

  describe('CPU limit', () => {
    const metadataOf = (index = 0) =>
      JSON.parse(
        uploads()
          [index].parts!.find(p => p.name === 'metadata')!
          .bytes.toString('utf8'),
      );
    const cpuBinding = (index = 0) =>
      metadataOf(index).bindings.find(
        (b: { name: string }) => b.name === contract.bindings.cpuLimitMs,
      )?.text;
    const withCpu = (
      input: typeof routeInput | typeof devInput,
      cpuMs: number,
    ) => ({
      ...input,
      limits: { ...('limits' in input ? input.limits : {}), cpuMs },
    });

    it('sends limits.cpu_ms in the upload metadata with CPU_LIMIT_MS of the same value', async () => {
      const { error, logLines } = await run(withCpu(devInput, 120_000), {
        secrets: {},
      });
      expect(error).toBeUndefined();
      expect(metadataOf().limits).toEqual({ cpu_ms: 120_000 });
      expect(cpuBinding()).toBe('120000');
      expect(Number(cpuBinding())).toBe(metadataOf().limits.cpu_ms);
      expect(logLines.join('\n')).toContain(
        'CPU limit: 120,000 ms per request (limits.cpu_ms and CPU_LIMIT_MS)',
      );
    });

    it('uploads again when the CPU limit changes, and not when it stays the same', async () => {
      const checkpoints = new Map<string, JsonValue | void>();
      const opts = { secrets: {}, checkpoints };
      expect(
        (await run(withCpu(devInput, 60_000), opts)).error,
      ).toBeUndefined();
      expect(
        (await run(withCpu(devInput, 60_000), opts)).error,
      ).toBeUndefined();
      expect(uploads()).toHaveLength(1);
      expect(
        (await run(withCpu(devInput, 90_000), opts)).error,
      ).toBeUndefined();
      expect(uploads()).toHaveLength(2);
      expect(metadataOf(1).limits).toEqual({ cpu_ms: 90_000 });
      expect(cpuBinding(1)).toBe('90000');
    });

    it.each([
      [contract.limits.cpuLimitMs.max + 1],
      [contract.limits.cpuLimitMs.min - 1],
      [1.5],
    ])(
      'refuses limits.cpuMs %s with the allowed range, before calling Cloudflare',
      async cpuMs => {
        const { error } = await run(withCpu(devInput, cpuMs), { secrets: {} });
        expect(error?.name).toBe('InputError');
        expect(error?.message).toContain(
          `limits.cpuMs must be a whole number of ms from ${contract.limits.cpuLimitMs.min.toLocaleString(
            'en-US',
          )} to ${contract.limits.cpuLimitMs.max.toLocaleString('en-US')}`,
        );
        expect(error?.message).toContain(`got ${cpuMs}`);
        expect(cf.requests).toEqual([]);
      },
    );

    it('sends no limits on Workers Free, whose 10 ms cannot be changed, and CPU_LIMIT_MS says 10 ms', async () => {
      cf.workersPlan = 'free';
      const { error, logLines } = await run({ ...routeInput, engine: 'auto' });
      expect(error).toBeUndefined();
      expect(metadataOf().limits).toBeUndefined();
      expect(cpuBinding()).toBe('10');
      expect(logLines.join('\n')).toContain(
        "CPU limit: Workers Free's 10 ms per request (CPU_LIMIT_MS=10; limits.cpu_ms is not sent",
      );
    });

    it('refuses a CPU limit on Workers Free, naming the plan, before any upload', async () => {
      cf.workersPlan = 'free';
      const { error } = await run(
        withCpu(
          { ...routeInput, engine: 'auto' } as unknown as typeof routeInput,
          60_000,
        ),
      );
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        'limits.cpuMs 60,000 cannot be set: the account is on Workers Free',
      );
      expect(error?.message).toContain('upgrade the account to Workers Paid');
      expect(writes()).toEqual([]);
    });

    it('refuses a CPU limit when the Workers plan is not known, and sends none without one', async () => {
      cf.denied.add('billing');
      const asked = await run(withCpu(routeInput, 60_000));
      expect(asked.error?.name).toBe('InputError');
      expect(asked.error?.message).toContain(
        'only Workers Paid may change the CPU limit, and the Workers plan is not known',
      );
      expect(writes()).toEqual([]);
      const { error } = await run(routeInput);
      expect(error).toBeUndefined();
      expect(metadataOf().limits).toBeUndefined();
      expect(cpuBinding()).toBeUndefined();
    });

    it("passes on Cloudflare's refusal when the configured plan is wrong and the account is on Workers Free", async () => {
      cf.denied.add('billing');
      cf.workersPlan = 'free';
      const { error } = await run(withCpu(devInput, 60_000), {
        secrets: {},
        config: {
          ...accessConfig(),
          cloudflare: {
            ...accessConfig().cloudflare,
            accounts: [{ accountId: ACCOUNT, workersPlan: 'paid' }],
          },
        },
      });
      expect(error?.message).toContain(
        'limits.cpu_ms can only be set on the Workers Paid plan',
      );
    });
  });

  describe('Workers Logs', () => {
    it('turns on Workers Logs in the upload metadata (observability)', async () => {
      const { error, logLines } = await run(routeInput);
      expect(error).toBeUndefined();
      const metadata = JSON.parse(
        uploads()[0]
          .parts!.find(p => p.name === 'metadata')!
          .bytes.toString('utf8'),
      );
      expect(metadata.observability).toEqual({ enabled: true });
      expect(logLines.join('\n')).toContain('Workers Logs on (observability)');
    });
  });

  describe('engine', () => {
    it.each([
      ['a route', routeInput, 'cloudflare'],
      ['workers.dev', devInput, 'wasm'],
    ])(
      'picks the engine for %s when none is given',
      async (_n, input, engine) => {
        const { error } = await run({ ...input, engine: undefined }, {});
        expect(error).toBeUndefined();
        const metadata = JSON.parse(
          uploads()[0]
            .parts!.find(p => p.name === 'metadata')!
            .bytes.toString('utf8'),
        );
        expect(metadata.bindings).toContainEqual({
          type: 'plain_text',
          name: 'ENGINE',
          text: engine,
        });
      },
    );
  });

  describe('dry run', () => {
    it('sends nothing, logs the bundle size, bindings and route, and outputs what it knows', async () => {
      const { error, logLines, outputs } = await run(routeInput, {
        isDryRun: true,
      });
      expect(error).toBeUndefined();
      expect(cf.requests).toEqual([]);
      const log = logLines.join('\n');
      expect(log).toMatch(
        /Worker bundle: \d+ module\(s\), [\d.]+ (KiB|B) raw, [\d.]+ (KiB|B) gzip/,
      );
      expect(log).toContain('ENGINE=cloudflare');
      expect(log).toContain(
        'ALLOWED_ORIGINS=assets.example.com,cdn.example.com',
      );
      expect(log).toContain('SIGNING_KEY (secret)');
      expect(log).toContain('route images.example.com/* in zone');
      expect(outputs).toEqual({
        scriptName: 'shop-images',
        engine: 'cloudflare',
        url: 'https://images.example.com/',
      });
    });

    it('leaves the workers.dev URL out, as it needs a request to know', async () => {
      const { error, outputs } = await run(devInput, {
        isDryRun: true,
        secrets: {},
      });
      expect(error).toBeUndefined();
      expect(cf.requests).toEqual([]);
      expect(outputs).toEqual({ scriptName: 'shop-images', engine: 'wasm' });
    });
  });

  describe('secrets', () => {
    const secretOf = (index: number) =>
      JSON.parse(
        uploads()
          [index].parts!.find(p => p.name === 'metadata')!
          .bytes.toString(),
      ).bindings.find((b: { name: string }) => b.name === 'SIGNING_KEY')?.text;
    const revealIdOf = (outputs: Record<string, unknown>) =>
      String(outputs.signingKeyUrl).split('/').pop()!;

    it('generates the signing key, stores it only as the Worker secret, and shows it once to the user who ran the task', async () => {
      const { error, outputs, logLines } = await run(routeInput);
      expect(error).toBeUndefined();
      const key = secretOf(0);
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(JSON.stringify({ outputs, logLines })).not.toContain(key);

      const id = revealIdOf(outputs);
      expect(await vault.take(id, WENDY.ref)).toBeUndefined();
      expect(await vault.take(id, ALICE.ref)).toBe(key);
      expect(await vault.take(id, ALICE.ref)).toBeUndefined();
    });

    it('keeps the tokens and the generated key out of every log line, output and error', async () => {
      // Cloudflare echoing the credentials back is the worst case for an error message.
      server.use(
        http.put(
          `${API}${SCRIPT_PATH}`,
          async ({ request }) => {
            const form = await request.formData();
            const metadata = JSON.parse(
              await (form.get('metadata') as File).text(),
            );
            const key = metadata.bindings.find(
              (b: { name: string }) => b.name === 'SIGNING_KEY',
            ).text;
            cf.requests.push({
              method: 'PUT',
              path: SCRIPT_PATH,
              authorization: request.headers.get('authorization'),
              parts: [
                {
                  name: 'metadata',
                  type: 'application/json',
                  bytes: Buffer.from(JSON.stringify(metadata)),
                },
              ],
            });
            return cfError(
              400,
              10021,
              `token ${TOKEN} and key ${key} rejected`,
            );
          },
          { once: true },
        ),
      );
      const failed = await run(routeInput);
      const key = secretOf(0);
      expect(failed.error?.message).toContain('*** and key *** rejected');
      const ok = await run(routeInput, {});
      const dry = await run(routeInput, { isDryRun: true });
      for (const r of [failed, ok, dry]) {
        const text = JSON.stringify({
          log: r.logLines,
          outputs: r.outputs,
          error: [r.error?.message, r.error?.stack],
        });
        expect(text).not.toContain(TOKEN);
        expect(text).not.toContain(key);
        expect(text).not.toContain(secretOf(uploads().length - 1));
      }
    });
  });
});
