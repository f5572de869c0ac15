import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DryRunBackend, ruleErrors, startDryRunBackend } from './dryRun';
import { formErrors, formFields } from './lib/formValidation';
import { routeUrl } from '@internal/plugin-scaffolder-backend-module-cloudflare';

const templateDir = path.resolve(__dirname, '../cloudflare-image-optimizer');

const API_TOKEN = 'portal-token-0123456789abcdefghijklmnop';

const routeValues = {
  name: 'shop-images',
  description: 'Resized product photos for the shop',
  owner: 'group:default/platform-team',
  system: 'developer-platform',
  accountId: '0123456789abcdef0123456789abcdef',
  placement: 'route',
  engine: 'auto',
  zoneId: 'fedcba9876543210fedcba9876543210',
  routePattern: 'images.example.com/*',
  allowedOrigins: ['assets.example.com', 'cdn.example.com'],
  maxSourceMiB: 25,
  maxMegapixels: 12,
  originTimeoutMs: 10000,
  imagesPerMonth: 3000,
  signUrls: true,
  repoUrl: 'github.com?owner=acme&repo=shop-images',
};

const workersDevValues = {
  name: 'blog-images',
  description: 'Images of the blog',
  owner: 'group:default/platform-team',
  accountId: '0123456789abcdef0123456789abcdef',
  placement: 'workersDev',
  engine: 'wasm',
  allowedOrigins: ['blog.example.com'],
  maxSourceMiB: 10,
  maxMegapixels: 16,
  originTimeoutMs: 5000,
  imagesPerMonth: 3000,
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
    // platform-team deploys with the portal's token; the dry run resolves it and sends nothing.
    config: {
      cloudflare: {
        apiToken: API_TOKEN,
        portalTokenGroups: ['group:default/platform-team'],
      },
    },
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

  it('lays out every form page, with the fields of the chosen target and signing', () => {
    expect(formFields(templateDir, routeValues)).toEqual([
      ['name', 'description', 'owner', 'system'],
      // The origins and the volume come before the engine, whose field prices them.
      [
        'allowedOrigins',
        'maxSourceMiB',
        'maxMegapixels',
        'originTimeoutMs',
        'derivativesBucket',
        'imagesPerMonth',
      ],
      ['accountId', 'placement', 'engine', 'zoneId', 'routePattern'],
      ['signUrls'],
      ['repoUrl'],
    ]);
    const workersDevPages = formFields(templateDir, workersDevValues);
    expect(workersDevPages[2]).toEqual(['accountId', 'placement', 'engine']);
    expect(workersDevPages[3]).toEqual(['signUrls']);
  });

  it('says in the engine field that Images Free stops at 5,000, nothing billed, and prices the volume through CloudflareEnginePicker', () => {
    const template = parseYaml(
      fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
    );
    const cloudflarePage = template.spec.parameters.find(
      (p: { title: string }) => p.title === 'Cloudflare',
    );
    const { engine } = cloudflarePage.properties;
    expect(engine['ui:field']).toBe('CloudflareEnginePicker');
    expect(engine.description).toContain(
      'on Images Free it stops at 5,000 unique transformations a month, nothing billed (error 9422 past that)',
    );
    expect(engine.description).not.toMatch(/then billed/);
  });

  /** The list above the form when a Cloudflare page rule fails. */
  const targetRule =
    'A route needs a zone id and a route pattern, and workers.dev cannot use Cloudflare Images';

  it.each<{
    title: string;
    change: Record<string, unknown>;
    field: string;
    keyword: string;
    form: string[];
  }>([
    {
      title: 'an account id that is not 32 hex digits',
      change: { accountId: 'acme' },
      field: 'accountId',
      keyword: 'pattern',
      form: [
        "'Account id' must be the 32 hexadecimal characters of a Cloudflare account id",
      ],
    },
    {
      title: 'a name with capitals and an underscore',
      change: { name: 'Shop_Images' },
      field: 'name',
      keyword: 'pattern',
      form: [
        "'Name' must be lowercase letters, digits and hyphens, starting and ending with a letter or digit",
      ],
    },
    {
      title: 'an empty description',
      change: { description: '' },
      field: 'description',
      keyword: 'minLength',
      form: ["'Description' must not be empty"],
    },
    {
      title: 'a zone id that is not 32 hex digits',
      change: { zoneId: 'example.com' },
      field: 'zoneId',
      keyword: 'pattern',
      form: [
        "'Zone Id' must be the 32 hexadecimal characters of a Cloudflare zone id",
        targetRule,
      ],
    },
    {
      title: 'a route pattern with a scheme',
      change: { routePattern: 'https://images.example.com/*' },
      field: 'routePattern',
      keyword: 'pattern',
      form: [
        "'Route Pattern' must be a host of your zone and a path, like images.example.com/*",
        targetRule,
      ],
    },
    {
      title: 'Cloudflare Images on workers.dev',
      change: { placement: 'workersDev', engine: 'cloudflare' },
      field: 'engine',
      keyword: 'enum',
      form: [
        "'Engine' must be Automatic or WebAssembly on workers.dev: Cloudflare Images needs a route of your zone",
        targetRule,
      ],
    },
    {
      title: 'an origin with a path',
      change: { allowedOrigins: ['assets.example.com', 'cdn.example.com/img'] },
      field: 'allowedOrigins',
      keyword: 'pattern',
      form: [
        "'Image origins' must be host names such as assets.example.com, without https:// or a path",
      ],
    },
    {
      title: 'no origin',
      change: { allowedOrigins: [] },
      field: 'allowedOrigins',
      keyword: 'minItems',
      form: ["'Image origins' must list at least one host"],
    },
    {
      title: 'an R2 bucket name with capitals and an underscore',
      change: { derivativesBucket: 'Image_Derivatives' },
      field: 'derivativesBucket',
      keyword: 'pattern',
      form: [
        "'R2 bucket for transformed images (optional)' must be an R2 bucket name: 3 to 64 lower-case letters, digits and dashes, not starting or ending with a dash",
      ],
    },
  ])(
    'refuses $title in the form and in the backend, naming the field',
    async ({ change, field, keyword, form }) => {
      const values = { ...routeValues, ...change };

      const shown = formErrors(templateDir, values);
      expect(shown.map(e => e.listed)).toEqual(form);
      expect(shown[0].property).toBe(`.${field}`);

      const result = await backend.dryRun({ templateDir, values });
      expect(result.status).toBe(400);
      expect(ruleErrors(result.body.errors)).toEqual([
        expect.objectContaining({
          property: expect.stringMatching(
            new RegExp(`^instance\\.${field}(\\[\\d+\\])?$`),
          ),
          name: keyword,
        }),
      ]);
    },
  );

  it.each<{
    title: string;
    field: string;
    form: string[];
  }>([
    {
      title: 'a route without a zone id',
      field: 'zoneId',
      form: ["'Zone Id' must have required property 'Zone id'", targetRule],
    },
    {
      title: 'a route without a route pattern',
      field: 'routePattern',
      form: [
        "'Route Pattern' must have required property 'Route pattern'",
        targetRule,
      ],
    },
  ])(
    'refuses $title in the form and in the backend, naming the field',
    async ({ field, form }) => {
      const values: Record<string, unknown> = { ...routeValues };
      delete values[field];

      const shown = formErrors(templateDir, values);
      expect(shown.map(e => e.listed)).toEqual(form);
      expect(shown[0].property).toBe(field);

      const result = await backend.dryRun({ templateDir, values });
      expect(result.status).toBe(400);
      expect(ruleErrors(result.body.errors)).toEqual([
        expect.objectContaining({
          property: 'instance',
          name: 'required',
          argument: field,
        }),
      ]);
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
      // The form's 25 MiB and 12 megapixels, as the Worker takes them.
      expect(log).toContain('MAX_SOURCE_BYTES=26214400');
      expect(log).toContain('MAX_PIXELS=12000000');
      expect(log).toContain(
        'ALLOWED_ORIGINS=assets.example.com,cdn.example.com',
      );
      expect(log).toContain('SIGNING_KEY (secret)');
      expect(log).toContain(
        'Target: route images.example.com/* in zone fedcba9876543210fedcba9876543210; engine cloudflare; Workers Logs on (observability)',
      );
      // The form's images a month, priced as the task will price them; on Images Free (or an
      // unknown plan) the log says it stops at 5,000 rather than billing past them.
      expect(log).toContain('Cost for 3000 a month:');
      expect(log).toContain(
        'Images Free stops at 5,000 unique transformations a month, nothing billed (error 9422 past that)',
      );
      expect(log).not.toMatch(/then billed/);
      expect(log).toContain(
        "Dry run: the zone's Transformations settings are not checked",
      );
      expect(log).toContain(
        'Dry run: component:default/shop-images is not in the catalog yet; a real run waits for it and takes its owner from it',
      );
      expect(log).toContain("Token: the portal's token");
      expect(log).toContain(
        "Dry run: would deploy 'shop-images' to account 0123456789abcdef0123456789abcdef",
      );
    });

    it('deploys in one step with one placement input and no token', () => {
      const deploys = result.steps.filter(
        s => s.action === 'cloudflare:worker:deploy',
      );
      expect(deploys).toHaveLength(1);
      expect(deploys[0].input).toMatchObject({
        scriptName: 'shop-images',
        entityRef: 'component:default/shop-images',
        owner: 'group:default/platform-team',
        engine: 'auto',
        imagesPerMonth: 3000,
        placement: {
          type: 'route',
          zoneId: 'fedcba9876543210fedcba9876543210',
          pattern: 'images.example.com/*',
        },
      });
      expect(JSON.stringify(deploys[0].input)).not.toMatch(/token/i);
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

    it('asks for no signing key, and puts the token in no log line, output or file', () => {
      expect(result.steps.map(s => s.action)).toEqual([
        'fetch:template',
        'publish:github',
        'portal:catalog:register',
        'cloudflare:worker:deploy',
      ]);
      expect(JSON.stringify(result.body)).not.toContain(API_TOKEN);
    });

    it('links the catalog entry to the URL the deploy reports for the route', async () => {
      const entity = parseYaml(result.files.get('catalog-info.yaml')!);
      expect(entity.metadata.links[0].url).toBe(
        routeUrl('images.example.com/*'),
      );
      expect(result.body.output.links[0].url).toBe(
        routeUrl('images.example.com/*'),
      );
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
        'Target: workers.dev; engine wasm',
      );
      expect(result.log.join('\n')).toContain(
        "Dry run: would deploy 'blog-images' to account 0123456789abcdef0123456789abcdef",
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
