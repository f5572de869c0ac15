import type { WorkerBundle } from '@internal/image-worker/bundle';
import { loadBuiltWorker } from '../__testUtils__/workerBundle';
import {
  bundleSize,
  deployTag,
  formatBytes,
  FREE_PLAN_GZIP_LIMIT_BYTES,
  varBindings,
} from './plan';

const tiny: WorkerBundle = {
  mainModule: 'index.js',
  modules: [
    {
      name: 'index.js',
      contentType: 'application/javascript+module',
      content: Buffer.from(
        'export default { fetch() { return new Response("ok"); } };',
      ),
    },
  ],
  compatibilityDate: '2025-11-01',
  compatibilityFlags: [],
};

describe('varBindings', () => {
  it('maps the variables to the binding names the Worker reads, leaving out unset limits', () => {
    expect(
      varBindings({
        engine: 'wasm',
        allowedOrigins: ['a.example.com', 'b.example.com'],
        maxPixels: 100,
      }),
    ).toEqual([
      { type: 'plain_text', name: 'ENGINE', text: 'wasm' },
      {
        type: 'plain_text',
        name: 'ALLOWED_ORIGINS',
        text: 'a.example.com,b.example.com',
      },
      { type: 'plain_text', name: 'MAX_PIXELS', text: '100' },
    ]);
  });
});

describe('deployTag', () => {
  const base = {
    bundle: tiny,
    compatibilityDate: '2025-11-01',
    bindings: varBindings({
      engine: 'wasm',
      allowedOrigins: ['a.example.com'],
    }),
    signUrls: true,
  };

  it('is stable for the same input and fits the 100 bytes of a version tag', () => {
    expect(deployTag(base)).toBe(deployTag({ ...base }));
    expect(deployTag(base)).toMatch(/^portal-[0-9a-f]{32}$/);
    expect(Buffer.byteLength(deployTag(base))).toBeLessThanOrEqual(100);
  });

  it.each([
    [
      'the code',
      {
        bundle: {
          ...tiny,
          modules: [{ ...tiny.modules[0], content: Buffer.from('x') }],
        },
      },
    ],
    ['the compatibility date', { compatibilityDate: '2025-12-01' }],
    [
      'a variable',
      {
        bindings: varBindings({
          engine: 'cloudflare',
          allowedOrigins: ['a.example.com'],
        }),
      },
    ],
    ['signing being off', { signUrls: false }],
    ['the R2 bucket', { derivativesBucket: 'image-derivatives' }],
  ])('changes with %s', (_what, change) => {
    expect(deployTag({ ...base, ...change })).not.toBe(deployTag(base));
  });
});

describe('the built image Worker', () => {
  it('fits the free plan limit of 3 MB gzip', async () => {
    const bundle = await loadBuiltWorker();
    const size = bundleSize(bundle);
    // Printed on purpose: the test output is where the bundle size is tracked.
    // eslint-disable-next-line no-console
    console.log(
      `image Worker bundle: ${bundle.modules.length} modules, ${formatBytes(
        size.rawBytes,
      )} raw, ${formatBytes(size.gzipBytes)} gzip (limit ${formatBytes(
        FREE_PLAN_GZIP_LIMIT_BYTES,
      )})`,
    );
    expect(size.rawBytes).toBeGreaterThan(size.gzipBytes);
    expect(size.gzipBytes).toBeLessThanOrEqual(FREE_PLAN_GZIP_LIMIT_BYTES);
  });
});
