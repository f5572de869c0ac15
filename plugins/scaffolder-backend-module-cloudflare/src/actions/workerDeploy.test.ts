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

const TOKEN = 'cf-token-7Hq2xZ9pLmN4vR8sT1wY';
const SIGNING_KEY = 'sign-key-Qw3eR5tY7uI9oP1aS3dF';
const ACCOUNT = '0123456789abcdef0123456789abcdef';
const ZONE = 'fedcba9876543210fedcba9876543210';
const SCRIPT_PATH = `/accounts/${ACCOUNT}/workers/scripts/shop-images`;

const PLATFORM = 'group:default/platform-team';
const WEB = 'group:default/web-team';
const ALICE = { ref: 'user:default/alice', memberOf: [PLATFORM] };
const WENDY = { ref: 'user:default/wendy', memberOf: [WEB] };

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

  const makeAction = (config: object = accessConfig()) =>
    createCloudflareWorkerDeployAction({
      config: new ConfigReader(config),
      retry: { delaysMs: [10, 20, 40], sleep },
    });

  async function run(
    input: object,
    opts: {
      secrets?: Record<string, string>;
      isDryRun?: boolean;
      checkpoints?: Map<string, JsonValue | void>;
      config?: object;
      user?: { ref: string; memberOf: string[] } | null;
    } = {},
  ) {
    const test = createTestActionContext({
      input: input as any,
      secrets: opts.secrets ?? { signingKey: SIGNING_KEY },
      isDryRun: opts.isDryRun,
      user: opts.user === null ? undefined : opts.user ?? ALICE,
      checkpoints: opts.checkpoints,
    });
    let error: Error | undefined;
    try {
      // Built per run, as the backend builds it at start-up from its config.
      await makeAction(opts.config).handler(test.ctx as any);
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
          { type: 'secret_text', name: 'SIGNING_KEY', text: SIGNING_KEY },
        ]),
      );
      expect(metadata.bindings).toHaveLength(6);

      const moduleParts = parts.filter(p => p.name !== 'metadata');
      expect(moduleParts).toHaveLength(bundle.modules.length);
      for (const module of bundle.modules) {
        const part = moduleParts.find(p => p.filename === module.name);
        expect(part).toBeDefined();
        expect(part!.type).toBe(module.contentType);
        expect(part!.bytes.equals(module.content)).toBe(true);
      }
    });

    it('uses the compatibility date of the input over the bundle one, and leaves out limits not given', async () => {
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
      ).toEqual(['ALLOWED_ORIGINS', 'ENGINE']);
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
      // Only the read of the current deployment id goes out again.
      expect(
        cf.requests.slice(before).map(r => `${r.method} ${r.path}`),
      ).toEqual([`GET ${SCRIPT_PATH}/deployments`]);
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

    it('keeps tags set by others and replaces only its own deploy tag', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      const firstTag = cf.scripts.get('shop-images')!.tags[0];
      cf.scripts.get('shop-images')!.tags.push('team:shop');
      expect(
        (await run({ ...routeInput, engine: 'wasm' })).error,
      ).toBeUndefined();
      const tags = cf.scripts.get('shop-images')!.tags;
      expect(tags).toHaveLength(4);
      expect(tags).toContain('team:shop');
      expect(tags).not.toContain(firstTag);
      expect(tags).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^deploy-[0-9a-f]{32}$/),
          'backstage-entity=component:default/shop-images',
          `backstage-route=${ZONE}/images.example.com/*`,
        ]),
      );
    });

    it('uploads again when only the signing key changes', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      expect(
        (
          await run(routeInput, {
            secrets: { signingKey: `${SIGNING_KEY}-rotated` },
          })
        ).error,
      ).toBeUndefined();
      expect(uploads()).toHaveLength(2);
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
      const { error } = await run({ ...routeInput, accountId: other });
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(`account '${other}' was not found`);
      expect(error?.message).toContain(
        'perhaps your object identifier is invalid',
      );
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
      [
        'signed URLs without the key secret',
        { ...devInput, signUrls: true },
        /no secret 'signingKey'/,
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
        { secrets: {}, user: { ref: 'user:default/dan', memberOf: [other] } },
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
        { secrets: {}, user: WENDY, config: accessConfig({ web: '' }) },
      );
      expect(error?.message).toContain(
        `The Cloudflare token of ${WEB} is empty`,
      );
      expect(cf.requests).toEqual([]);
    });

    it("refuses someone outside the owner group, so nobody deploys with another team's token", async () => {
      const { error } = await run(devInput, { secrets: {}, user: WENDY });
      expect(error?.name).toBe('NotAllowedError');
      expect(error?.message).toContain(
        `Only members of ${PLATFORM} may deploy its Workers`,
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
      cf.scripts.set('shop-images', { tags: ['team:other'], metadata: {} });
      const { error } = await run(routeInput);
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        `Worker script 'shop-images' already exists in account ${ACCOUNT} and was not deployed by the portal`,
      );
      expect(uploads()).toEqual([]);
      expect(writes()).toEqual([]);
    });

    it('refuses to overwrite a script the portal deployed for another entity, naming it', async () => {
      cf.scripts.set('shop-images', {
        tags: ['backstage-entity=component:default/blog-images'],
        metadata: {},
      });
      const { error } = await run(routeInput);
      expect(error?.message).toContain(
        'belongs to the catalog entity component:default/blog-images, not component:default/shop-images',
      );
      expect(writes()).toEqual([]);
    });

    it('takes over such a script for a member of a takeover group who asks for it', async () => {
      cf.scripts.set('shop-images', { tags: ['team:other'], metadata: {} });
      const { error, logLines } = await run({ ...routeInput, takeover: true });
      expect(error).toBeUndefined();
      expect(uploads()).toHaveLength(1);
      expect(cf.scripts.get('shop-images')!.tags).toEqual(
        expect.arrayContaining([
          'team:other',
          'backstage-entity=component:default/shop-images',
        ]),
      );
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
        new RegExp(`^/zones/${ZONE}/workers/routes/route-\\d+$`),
      );
      expect(logLines.join('\n')).toContain(
        `Previous route images.example.com/* in zone ${ZONE}: removed`,
      );
      expect(cf.scripts.get('shop-images')!.tags).toContain(
        `backstage-route=${ZONE}/img.example.com/*`,
      );
    });

    it('removes the old route when the Worker moves to workers.dev', async () => {
      expect((await run(routeInput)).error).toBeUndefined();
      const { error } = await run({ ...devInput, signUrls: true });
      expect(error).toBeUndefined();
      expect(cf.routes).toEqual([]);
      expect(cf.workersDev.get('shop-images')).toBe(true);
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
      expect(bindings).toHaveLength(7);
      expect(bindings.slice(-2)).toEqual([
        { type: 'secret_text', name: 'SIGNING_KEY', text: SIGNING_KEY },
        {
          type: 'r2_bucket',
          name: 'DERIVATIVES',
          bucket_name: 'image-derivatives',
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
      ).toEqual(['ENGINE', 'ALLOWED_ORIGINS']);
    });

    it('says to create the bucket when the account has no bucket of that name', async () => {
      const { error } = await run(
        { ...devInput, derivativesBucket: 'no-such-bucket' },
        { secrets: {} },
      );
      expect(error?.name).toBe('InputError');
      expect(error?.message).toContain(
        `The R2 bucket for the derivative store does not exist in account '${ACCOUNT}'`,
      );
      expect(error?.message).toContain(
        "R2 bucket 'no-such-bucket' not found. Please use a different name and try again. (code 10085)",
      );
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

  describe('engine', () => {
    it.each([
      ['a route', routeInput, 'cloudflare'],
      ['workers.dev', devInput, 'wasm'],
    ])(
      'picks the engine for %s when none is given',
      async (_n, input, engine) => {
        const { error } = await run(
          { ...input, engine: undefined },
          { secrets: { signingKey: SIGNING_KEY } },
        );
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
    const leaks = (texts: string[]) =>
      texts.filter(t => t.includes(TOKEN) || t.includes(SIGNING_KEY));

    it('keeps the token and the signing key out of every log line, output and error', async () => {
      // Cloudflare echoing the credentials back is the worst case for an error message.
      const echo = `token ${TOKEN} and key ${SIGNING_KEY} rejected`;
      const runs = [
        await run(routeInput),
        await run(routeInput, { isDryRun: true }),
        await (async () => {
          server.use(
            http.put(`${API}${SCRIPT_PATH}`, () => cfError(400, 10021, echo), {
              once: true,
            }),
          );
          return run({
            ...routeInput,
            allowedOrigins: ['changed.example.com'],
          });
        })(),
        await (async () => {
          server.use(
            http.get(`${API}/zones/${ZONE}/workers/routes`, () =>
              cfError(500, 10000, echo),
            ),
          );
          return run({ ...routeInput, allowedOrigins: ['again.example.com'] });
        })(),
      ];

      // The failing runs really did carry the credentials in the API's answer.
      expect(runs[2].error?.message).toContain('*** and key *** rejected');
      expect(runs[3].error?.message).toContain('*** and key *** rejected');
      for (const r of runs) {
        expect(leaks(r.logLines)).toEqual([]);
        expect(leaks([JSON.stringify(r.outputs)])).toEqual([]);
        expect(leaks([r.error?.message ?? '', r.error?.stack ?? ''])).toEqual(
          [],
        );
      }
      // ... while the secret did reach Cloudflare where it belongs.
      expect(
        uploads()[0]
          .parts!.find(p => p.name === 'metadata')!
          .bytes.toString(),
      ).toContain(SIGNING_KEY);
    });
  });
});
