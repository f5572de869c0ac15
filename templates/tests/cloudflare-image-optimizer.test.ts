import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DryRunBackend, startDryRunBackend } from './dryRun';
import { formErrors } from './lib/formValidation';

const templateDir = path.resolve(__dirname, '../cloudflare-image-optimizer');

const SIGNING_KEY = 'k3y-for-signing-image-urls-0123456789abcdef';
const API_TOKEN = 'user-token-0123456789abcdefghijklmnop';

/** The form sends asterisks in place of a Secret field's value and the value as a secret. */
const masked = (secret: string) => '*'.repeat(secret.length);

const routeValues = {
  name: 'shop-images',
  description: 'Resized product photos for the shop',
  owner: 'group:default/platform-team',
  system: 'developer-platform',
  accountId: '0123456789abcdef0123456789abcdef',
  target: 'route',
  engine: 'cloudflare',
  cloudflareApiToken: masked(API_TOKEN),
  zoneId: 'fedcba9876543210fedcba9876543210',
  routePattern: 'images.example.com/*',
  allowedOrigins: ['assets.example.com', 'cdn.example.com'],
  maxSourceBytes: 26214400,
  maxPixels: 25000000,
  originTimeoutMs: 10000,
  signUrls: true,
  signingKey: masked(SIGNING_KEY),
  repoUrl: 'github.com?owner=acme&repo=shop-images',
};

const workersDevValues = {
  name: 'blog-images',
  description: 'Images of the blog',
  owner: 'group:default/platform-team',
  accountId: '0123456789abcdef0123456789abcdef',
  target: 'workersDev',
  engine: 'wasm',
  allowedOrigins: ['blog.example.com'],
  maxSourceBytes: 10485760,
  maxPixels: 16000000,
  originTimeoutMs: 5000,
  signUrls: false,
  repoUrl: 'dev.azure.com?organization=acme&project=web&repo=blog-images',
};

/** Hosts of the outgoing HTTP(S) requests made while `fn` runs, other than the test backend's own. */
async function outboundHosts(fn: () => Promise<unknown>): Promise<string[]> {
  const hosts: string[] = [];
  const spies = [http, https].map(module => {
    const original = module.request;
    return jest.spyOn(module, 'request').mockImplementation(((
      ...args: any[]
    ) => {
      const [first] = args;
      const host =
        typeof first === 'string' || first instanceof URL
          ? new URL(first).hostname
          : first?.hostname ?? first?.host;
      if (host && !['127.0.0.1', 'localhost', '::1'].includes(host)) {
        hosts.push(host);
      }
      return (original as any).apply(module, args);
    }) as any);
  });
  try {
    await fn();
  } finally {
    spies.forEach(spy => spy.mockRestore());
  }
  return hosts;
}

let backend: DryRunBackend;

beforeAll(async () => {
  backend = await startDryRunBackend({
    features: [import('@internal/plugin-scaffolder-backend-module-cloudflare')],
  });
});

afterAll(async () => {
  await backend?.stop();
});

describe('cloudflare-image-optimizer', () => {
  it.each([
    ['route', routeValues],
    ['workers.dev', workersDevValues],
  ])('accepts valid %s values in the form', (_title, values) => {
    expect(formErrors(templateDir, values)).toEqual([]);
  });

  it.each([
    [
      'an account id that is not 32 hex digits',
      { accountId: 'acme' },
      'accountId',
    ],
    ['a route without a zone', { zoneId: undefined }, 'zoneId'],
    [
      'a route pattern with a scheme',
      { routePattern: 'https://images.example.com/*' },
      'routePattern',
    ],
    [
      'an origin with a path',
      { allowedOrigins: ['assets.example.com/img'] },
      'allowedOrigins',
    ],
    ['a short signing key', { signingKey: '*'.repeat(12) }, 'signingKey'],
    [
      'Cloudflare Images on workers.dev',
      { target: 'workersDev', engine: 'cloudflare' },
      'engine',
    ],
  ])(
    'refuses %s in the form and in the backend',
    async (_title, change, field) => {
      const values = { ...routeValues, ...change };
      expect(formErrors(templateDir, values).map(e => e.property)).toEqual(
        expect.arrayContaining([expect.stringContaining(field)]),
      );
      const result = await backend.dryRun({ templateDir, values });
      expect(result.status).toBe(400);
      expect(JSON.stringify(result.body.errors)).toContain(field);
    },
  );

  describe('dry run on a route with signed URLs', () => {
    let result: Awaited<ReturnType<DryRunBackend['dryRun']>>;
    let hosts: string[];

    beforeAll(async () => {
      hosts = await outboundHosts(async () => {
        result = await backend.dryRun({
          templateDir,
          values: routeValues,
          secrets: { signingKey: SIGNING_KEY, cloudflareApiToken: API_TOKEN },
        });
      });
    });

    it('succeeds without a request to Cloudflare', () => {
      expect(result.status).toBe(200);
      expect(hosts).toEqual([]);
    });

    it('runs the deploy action, which logs the bundle size, bindings and route', () => {
      const log = result.log.join('\n');
      expect(log).toMatch(
        /Worker bundle: \d+ module\(s\), [\d.]+ KiB raw, [\d.]+ KiB gzip/,
      );
      expect(log).toContain('ENGINE=cloudflare');
      expect(log).toContain(
        'ALLOWED_ORIGINS=assets.example.com,cdn.example.com',
      );
      expect(log).toContain('SIGNING_KEY (secret)');
      expect(log).toContain(
        "Dry run: would deploy 'shop-images' to account 0123456789abcdef0123456789abcdef on route images.example.com/* in zone fedcba9876543210fedcba9876543210",
      );
    });

    it('writes a catalog Component of type service linking to the Worker URL', () => {
      const entity = parseYaml(result.files.get('catalog-info.yaml')!);
      expect(entity).toEqual({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: 'shop-images',
          description: 'Resized product photos for the shop',
          annotations: {
            'cloudflare.com/account-id': '0123456789abcdef0123456789abcdef',
            'cloudflare.com/worker-name': 'shop-images',
          },
          tags: ['cloudflare-worker', 'images'],
          links: [
            {
              url: 'https://images.example.com/',
              title: 'Image Worker',
              icon: 'cloud',
            },
          ],
        },
        spec: {
          type: 'service',
          lifecycle: 'production',
          owner: 'group:default/platform-team',
          system: 'developer-platform',
        },
      });
      expect(result.files.get('README.md')).toContain(
        '- Route: `images.example.com/*` in zone `fedcba9876543210fedcba9876543210`\n- URL: https://images.example.com/\n',
      );
    });

    it('puts the signing key and the token in no log line, output or file', () => {
      const everything = JSON.stringify(result.body);
      expect(everything).not.toContain(SIGNING_KEY);
      expect(everything).not.toContain(API_TOKEN);
    });
  });

  describe('dry run on workers.dev', () => {
    it('deploys without signing and leaves the unknown URL out of the catalog entry', async () => {
      const result = await backend.dryRun({
        templateDir,
        values: workersDevValues,
      });
      expect(result.status).toBe(200);
      expect(result.log.join('\n')).toContain(
        "Dry run: would deploy 'blog-images' to account 0123456789abcdef0123456789abcdef on workers.dev",
      );
      expect(result.log.join('\n')).not.toContain('SIGNING_KEY');
      const entity = parseYaml(result.files.get('catalog-info.yaml')!);
      expect(entity.metadata.name).toBe('blog-images');
      expect(entity.metadata.links).toBeUndefined();
      expect(entity.spec).toEqual({
        type: 'service',
        lifecycle: 'production',
        owner: 'group:default/platform-team',
      });
    });
  });
});
