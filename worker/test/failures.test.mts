// Direct tests of how failures are named (lib/errors, engines/cloudflare) and of the isolate's
// memory budget (engines/memoryBudget). Bundled with esbuild first, as lib.test.mts does.
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

// engines/cloudflare.ts uses the Workers types, which this Node type check does not load.
type Lib = typeof import('../src/lib/errors.ts') &
  typeof import('../src/engines/memoryBudget.ts') & {
    checkResizerResponse(response: Response, host: string): Promise<void>;
  };

const contract = createRequire(import.meta.url)('../src/contract.json');

let lib: Lib;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-worker-failures-'));
  const src = join(import.meta.dirname, '..', 'src');
  const entry = join(dir, 'entry.ts');
  await writeFile(
    entry,
    ['lib/errors', 'engines/cloudflare', 'engines/memoryBudget']
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

function resized(
  code: number | undefined,
  status: number,
  type = 'text/plain',
) {
  const headers: Record<string, string> = { 'Content-Type': type };
  if (code !== undefined) headers['Cf-Resized'] = `err=${code}`;
  return new Response('ERROR', { status, headers });
}

async function failureOf(response: Response) {
  try {
    await lib.checkResizerResponse(response, 'assets.example.org');
  } catch (error) {
    return error as InstanceType<Lib['HttpError']>;
  }
  return undefined;
}

describe("Cloudflare's transformation errors (errors.mdx)", () => {
  const cases: [number, number, number, string, RegExp][] = [
    [
      9422,
      429,
      429,
      'transform-quota',
      /free unique transformations .* err=9422/,
    ],
    [9401, 403, 502, 'source-not-allowed', /assets\.example\.org .* Sources/],
    [9401, 400, 502, 'transform-failed', /refused the options/],
    [9403, 508, 508, 'transform-loop', /already resized/],
    [9412, 415, 415, 'not-image', /not an image/],
    [9413, 403, 413, 'too-large', /100 megapixels/],
    [9404, 404, 502, 'origin-status', /err=9404/],
    [9421, 400, 502, 'origin-redirect', /too many times/],
    [9504, 524, 504, 'origin-timeout', /in time/],
    [9522, 503, 503, 'transform-busy', /retry/],
    [9999, 500, 502, 'transform-failed', /err=9999/],
  ];
  for (const [code, cfStatus, status, cause, message] of cases) {
    it(`answers err=${code} (Cloudflare's ${cfStatus}) with ${status} and cause ${cause}`, async () => {
      const error = await failureOf(resized(code, cfStatus));
      assert.ok(error instanceof lib.HttpError);
      assert.equal(error.status, status);
      assert.equal(error.failure, cause);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /Origin answered \d+$/);
    });
  }

  it('asks for a retry when the resizer is busy', async () => {
    const error = await failureOf(resized(9522, 503));
    assert.equal(error?.headers['Retry-After'], '5');
  });

  it('says that transformations are not enabled when Cf-Resized is missing', async () => {
    const error = await failureOf(resized(undefined, 200, 'image/jpeg'));
    assert.equal(error?.status, 502);
    assert.equal(error?.failure, 'transform-not-enabled');
    assert.match(error!.message, /enable Images > Transformations/);
  });

  it('accepts a transformed image', async () => {
    const ok = new Response('x', {
      headers: { 'Content-Type': 'image/webp', 'Cf-Resized': 'internal=ok/m' },
    });
    assert.equal(await failureOf(ok), undefined);
  });
});

describe('codec failures', () => {
  it('names a refused memory allocation as a 503 memory limit', () => {
    for (const error of [
      new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'),
      new RangeError('Array buffer allocation failed'),
      new WebAssembly.RuntimeError('Aborted(OOM)'),
    ]) {
      const failure = lib.codecFailure(error) as InstanceType<Lib['HttpError']>;
      assert.equal(failure.status, 503, error.message);
      assert.equal(failure.failure, 'memory-limit');
      assert.ok(failure.headers['Retry-After']);
    }
  });

  it('names any other WebAssembly trap as a 500 wasm trap', () => {
    const failure = lib.codecFailure(
      new WebAssembly.RuntimeError('unreachable'),
    ) as InstanceType<Lib['HttpError']>;
    assert.equal(failure.status, 500);
    assert.equal(failure.failure, 'wasm-trap');
    assert.match(failure.message, /WebAssembly trap \(unreachable\)/);
  });

  it('leaves other errors alone', () => {
    const error = new TypeError('x is undefined');
    assert.equal(lib.codecFailure(error), error);
  });
});

describe('the isolate memory budget', () => {
  const MIB = 1024 * 1024;
  const settings = {
    capacity: 100 * MIB,
    queueLength: 2,
    queueTimeoutMs: 300,
    retryAfterSeconds: 2,
    leaseMaxMs: 60_000,
  };

  it('reads its size, queue and timeout from the contract', () => {
    assert.equal(
      lib.WASM_MEMORY_BUDGET,
      contract.isolate.wasmMemoryBudgetBytes,
    );
    assert.ok(lib.WASM_MEMORY_BUDGET < 128 * 1000 * 1000);
  });

  it('admits requests together while their estimates fit', async () => {
    const budget = new lib.MemoryBudget(settings);
    const a = await budget.acquire(40 * MIB);
    const b = await budget.acquire(40 * MIB);
    assert.equal(b.inUse, 80 * MIB);
    a.release();
    b.release();
    assert.equal(budget.inUse(), 0);
  });

  it('makes a request that does not fit wait until memory is released, first come first served', async () => {
    const budget = new lib.MemoryBudget({ ...settings, queueTimeoutMs: 2000 });
    const first = await budget.acquire(70 * MIB);
    const order: string[] = [];
    const second = budget.acquire(50 * MIB).then(lease => {
      order.push('second');
      return lease;
    });
    const third = budget.acquire(10 * MIB).then(lease => {
      order.push('third');
      return lease;
    });
    await new Promise(resolve => setTimeout(resolve, 50));
    assert.deepEqual(order, [], 'both wait while 70 MiB are held');
    first.release();
    const leases = await Promise.all([second, third]);
    assert.deepEqual(order, ['second', 'third']);
    assert.ok(leases[0].waitedMs >= 40);
    assert.ok(leases.every(l => l.inUse <= settings.capacity));
    leases.forEach(l => l.release());
  });

  it('runs an estimate larger than the budget alone', async () => {
    const budget = new lib.MemoryBudget(settings);
    const big = await budget.acquire(300 * MIB);
    assert.equal(big.bytes, settings.capacity);
    const waiting = budget.acquire(1 * MIB);
    big.release();
    (await waiting).release();
  });

  it('refuses with 503 and Retry-After when the queue is full', async () => {
    const budget = new lib.MemoryBudget(settings);
    const held = await budget.acquire(100 * MIB);
    const queued = [budget.acquire(MIB), budget.acquire(MIB)];
    await assert.rejects(budget.acquire(MIB), (error: any) => {
      assert.equal(error.status, 503);
      assert.equal(error.failure, 'memory-busy');
      assert.equal(error.headers['Retry-After'], '2');
      assert.match(
        error.message,
        /100 of its 100 MiB .* 2 requests are already waiting/,
      );
      return true;
    });
    held.release();
    for (const lease of await Promise.all(queued)) lease.release();
  });

  it('refuses a request whose wait runs out', async () => {
    const budget = new lib.MemoryBudget(settings);
    const held = await budget.acquire(90 * MIB);
    const started = Date.now();
    await assert.rejects(budget.acquire(20 * MIB), /within 300 ms/);
    assert.ok(Date.now() - started >= 290);
    held.release();
    (await budget.acquire(20 * MIB)).release();
  });

  it('drops a reservation whose request never released it', async () => {
    let now = 0;
    const budget = new lib.MemoryBudget({
      ...settings,
      now: () => now,
    });
    await budget.acquire(100 * MIB); // never released: its request was cancelled
    now = settings.leaseMaxMs + 1;
    assert.equal(budget.inUse(), 0);
    (await budget.acquire(100 * MIB)).release();
  });
});
