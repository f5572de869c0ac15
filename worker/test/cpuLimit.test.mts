// The CPU limit the Worker knows (CPU_LIMIT_MS) and the wasm engine's CPU estimate
// (engines/cpuEstimate): the estimate's shape, bundled with esbuild as lib.test.mts does, and the
// 422 `cpu-limit` answer of the built Worker in workerd. No timings are asserted here: whether
// the estimate stays above the CPU time really spent is checked by the benchmark (`yarn bench`,
// verdict `cpu-estimate`).
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { photo } from './fixtures.mts';
import { startWorker, type WorkerHarness } from './harness.mts';

type Lib = typeof import('../src/engines/cpuEstimate.ts') &
  typeof import('../src/lib/geometry.ts');

const contract = createRequire(import.meta.url)('../src/contract.json');
const ORIGIN = 'https://images.example.com';

let lib: Lib;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-worker-cpu-'));
  const src = join(import.meta.dirname, '..', 'src');
  const entry = join(dir, 'entry.ts');
  await writeFile(
    entry,
    ['engines/cpuEstimate', 'lib/geometry']
      .map(name => `export * from ${JSON.stringify(join(src, `${name}.ts`))};`)
      .join('\n'),
  );
  await build({
    entryPoints: [entry],
    outfile: join(dir, 'lib.mjs'),
    bundle: true,
    format: 'esm',
    logLevel: 'error',
  });
  lib = await import(pathToFileURL(join(dir, 'lib.mjs')).href);
});
after(() => rm(dir, { recursive: true, force: true }));

describe('the CPU estimate', () => {
  type Type = 'jpeg' | 'png' | 'webp' | 'gif';
  const estimate = (
    options: {
      type?: Type;
      width?: number;
      format?: 'webp' | 'avif' | 'jpeg' | 'png';
      avifSpeed?: number;
      frames?: number;
      coefficientBytes?: number;
    } = {},
  ) => {
    const info = {
      type: options.type ?? 'jpeg',
      width: 4000,
      height: 3000,
      ...(options.coefficientBytes
        ? { coefficientBytes: options.coefficientBytes }
        : {}),
    };
    const geometry = lib.computeGeometry(
      4000,
      3000,
      'scale-down',
      options.width ?? 1280,
      undefined,
    );
    return lib.estimateCpuMs({
      info: info as never,
      sourceBytes: 2_000_000,
      geometry,
      format: options.format ?? 'webp',
      avifSpeed: options.avifSpeed ?? 5,
      frames: options.frames,
    });
  };

  it('grows with the output size, for every format', () => {
    for (const format of ['webp', 'avif', 'jpeg', 'png'] as const) {
      const sizes = [100, 400, 800, 1280, 2000].map(width =>
        estimate({ width, format, type: 'png' }),
      );
      for (let i = 1; i < sizes.length; i++) {
        assert.ok(
          sizes[i] > sizes[i - 1],
          `${format}: ${sizes.join(' < ')} ms`,
        );
      }
    }
  });

  it('puts AVIF far above WebP, JPEG and PNG of the same size', () => {
    const avif = estimate({ format: 'avif' });
    for (const format of ['webp', 'jpeg', 'png'] as const) {
      assert.ok(
        avif > 5 * estimate({ format }),
        `AVIF ${avif} ms, ${format} ${estimate({ format })} ms`,
      );
    }
  });

  it('makes AVIF costlier at a slower AVIF_SPEED, and no cheaper than speed 5 at a faster one', () => {
    const at5 = estimate({ format: 'avif' });
    assert.ok(estimate({ format: 'avif', avifSpeed: 3 }) > at5);
    assert.equal(estimate({ format: 'avif', avifSpeed: 8 }), at5);
  });

  it('is lower for a JPEG decoded scaled down in the DCT domain than for a source decoded whole', () => {
    // 4000 px to 400 px: imagecore decodes the JPEG at 1/8; a PNG is decoded at full size.
    const geometry = lib.computeGeometry(4000, 3000, 'scale-down', 400);
    assert.equal(lib.jpegShrink(geometry), 8);
    assert.ok(
      estimate({ width: 400 }) < estimate({ width: 400, type: 'png' }),
      `JPEG ${estimate({ width: 400 })} ms, PNG ${estimate({
        width: 400,
        type: 'png',
      })} ms`,
    );
    // The same output from a JPEG at 1/2 (1600 px) costs more to decode than at 1/8 (400 px).
    const decodeAt = (width: number) =>
      estimate({ width, type: 'jpeg' }) - estimate({ width, type: 'png' });
    assert.ok(decodeAt(400) < decodeAt(1600));
  });

  it("counts a progressive JPEG's coefficients at full size, whatever the DCT scale", () => {
    // 4000 x 3000 at 4:4:4: 500 x 375 blocks of 64 coefficients for each of 3 components.
    const coefficientBytes = 500 * 375 * 3 * 128;
    const extra = (width: number) =>
      estimate({ width, coefficientBytes }) - estimate({ width });
    // At least the 3.5 ns per coefficient measured, with the safety margin.
    const least = 1.5 * 3.5e-6 * (coefficientBytes / 2);
    assert.ok(extra(400) >= least, `${extra(400)} ms more at 400 px`);
    assert.ok(Math.abs(extra(400) - extra(1280)) <= 1, 'the same at 1280 px');
  });

  it('counts every frame of an animation', () => {
    const still = estimate({ type: 'gif', width: 400 });
    const animated = estimate({ type: 'gif', width: 400, frames: 10 });
    assert.ok(animated > 5 * still, `${still} ms, 10 frames ${animated} ms`);
  });

  it('admits up to the contract share of the CPU limit', () => {
    assert.equal(lib.ADMIT_FRACTION, contract.cpu.admitFraction);
    assert.equal(
      lib.admittedCpuMs(contract.defaults.cpuLimitMs),
      Math.floor(contract.defaults.cpuLimitMs * contract.cpu.admitFraction),
    );
  });
});

describe('CPU_LIMIT_MS in the wasm engine', () => {
  let source: Buffer;
  let low: WorkerHarness;
  let standard: WorkerHarness;
  const serve = () => () =>
    new Response(new Uint8Array(source), {
      headers: { 'Content-Type': 'image/jpeg' },
    });
  const q = (params: Record<string, string | number>) => {
    const search = new URLSearchParams({ url: `${ORIGIN}/photo.jpg` });
    for (const [k, v] of Object.entries(params)) search.set(k, String(v));
    return `/?${search}`;
  };
  const LOW_LIMIT = 50;

  before(async () => {
    source = await (await photo(1200, 800)).jpeg({ quality: 90 }).toBuffer();
    const bindings = {
      ENGINE: 'wasm',
      ALLOWED_ORIGINS: 'images.example.com',
      DEBUG_HEADERS: 'true',
    };
    low = await startWorker(
      { ...bindings, CPU_LIMIT_MS: String(LOW_LIMIT) },
      serve(),
    );
    standard = await startWorker(bindings, serve());
  });
  after(async () => {
    await low?.dispose();
    await standard?.dispose();
  });

  const lines = (worker: WorkerHarness) =>
    worker.logs
      .filter(line => line.startsWith('{'))
      .map(line => JSON.parse(line) as Record<string, unknown>);

  it('refuses a request whose estimate is past a low limit with 422 cpu-limit, naming both numbers', async () => {
    const res = await low.fetch(q({ w: 1200, f: 'webp' }));
    const text = await res.text();
    assert.equal(res.status, 422, text);
    assert.equal(res.headers.get('Cache-Control'), 'no-store');
    const match =
      /^This transformation would need about (\d+) ms of CPU; this Worker's CPU limit is (\d+) ms \(CPU_LIMIT_MS\)/.exec(
        text,
      );
    assert.ok(match, text);
    assert.ok(Number(match[1]) > LOW_LIMIT * contract.cpu.admitFraction);
    assert.equal(Number(match[2]), LOW_LIMIT);
    assert.match(text, /ask for a smaller w or h/);
    assert.doesNotMatch(text, /f=webp/, 'no AVIF advice for a WebP');
    const line = lines(low).find(l => l.cause === 'cpu-limit');
    assert.ok(line, `a cpu-limit line among ${low.logs.join('\n')}`);
    assert.equal(line.status, 422);
    assert.equal(line.error, text.trim());
    assert.equal(line.engine, 'wasm');
    assert.ok(
      !JSON.stringify(line).includes('photo.jpg'),
      'no source URL in the log line',
    );
  });

  it('transforms the same request under the default limit, and reports its estimate', async () => {
    const res = await standard.fetch(q({ w: 1200, f: 'webp' }));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('Content-Type'), 'image/webp');
    await res.arrayBuffer();
    const estimate = Number(
      /cpu-estimate-ms=(\d+)/.exec(res.headers.get('X-Image-Debug') ?? '')?.[1],
    );
    assert.ok(estimate > LOW_LIMIT, `estimate ${estimate} ms`);
    assert.ok(estimate <= contract.defaults.cpuLimitMs);
  });

  it('refuses an AVIF where a WebP of the same size passes, and advises f=webp', async () => {
    const webp = await low.fetch(q({ w: 100, f: 'webp' }));
    assert.equal(webp.status, 200, await webp.clone().text());
    await webp.arrayBuffer();
    const avif = await low.fetch(q({ w: 100, f: 'avif' }));
    const text = await avif.text();
    assert.equal(avif.status, 422, text);
    assert.match(text, /CPU limit is 50 ms \(CPU_LIMIT_MS\).*, or f=webp$/m);
    const still = await standard.fetch(q({ w: 100, f: 'avif' }));
    assert.equal(still.status, 200, await still.clone().text());
    await still.arrayBuffer();
  });

  for (const value of ['fast', '5', '300001', '1.5']) {
    it(`answers 500 misconfigured for CPU_LIMIT_MS=${value}, the reason in the log`, async () => {
      const broken = await startWorker(
        {
          ENGINE: 'wasm',
          ALLOWED_ORIGINS: 'images.example.com',
          CPU_LIMIT_MS: value,
        },
        serve(),
      );
      try {
        const res = await broken.fetch(q({ w: 100 }));
        assert.equal(res.status, 500);
        assert.equal(await res.text(), 'The image Worker is misconfigured\n');
        const line = lines(broken).find(l => l.cause === 'misconfigured');
        assert.match(
          String(line?.error),
          new RegExp(
            `CPU_LIMIT_MS must be a whole number of ms from ${contract.limits.cpuLimitMs.min} to ${contract.limits.cpuLimitMs.max}`,
          ),
        );
      } finally {
        await broken.dispose();
      }
    });
  }
});
