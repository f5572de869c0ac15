// Stored derivatives: two Worker locations (two workerd instances, each with its own Cache API)
// share one R2 bucket, so a transformation computed in one is served by the other without the
// origin or the codecs. R2 is miniflare's local R2, persisted to a temporary folder.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { photo } from './fixtures.mts';
import { startWorker, type WorkerHarness } from './harness.mts';

const require = createRequire(import.meta.url);
const contract =
  require('../src/contract.json') as typeof import('../src/contract.json');

const ORIGIN = 'https://images.example.com';
/** The optional R2 binding, as the Worker's contract names it (`Env.DERIVATIVES`, src/lib/config.ts). */
const BINDING = contract.bindings.derivatives;

let jpeg: Buffer;
let dir: string;
const originHits: string[] = [];

function location(): Promise<WorkerHarness> {
  return startWorker(
    { ENGINE: 'wasm', ALLOWED_ORIGINS: 'images.example.com' },
    request => {
      originHits.push(request.url);
      return new Response(new Uint8Array(jpeg), {
        headers: { 'Content-Type': 'image/jpeg' },
      });
    },
    { r2Buckets: [BINDING], r2Persist: join(dir, 'r2') },
  );
}

async function storedKeys(worker: WorkerHarness): Promise<string[]> {
  const bucket = await worker.mf.getR2Bucket(BINDING);
  return (await bucket.list()).objects.map(o => o.key);
}

async function waitForObjects(worker: WorkerHarness, count: number) {
  for (let i = 0; i < 100; i++) {
    if ((await storedKeys(worker)).length >= count) return;
    await new Promise(resolve => setTimeout(resolve, 50));
  }
  assert.fail(`R2 never held ${count} objects`);
}

const path = (params: Record<string, string>) =>
  `/?${new URLSearchParams({ url: `${ORIGIN}/photo.jpg`, ...params })}`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-worker-r2-'));
  jpeg = await (await photo(800, 600)).jpeg({ quality: 90 }).toBuffer();
});
after(() => rm(dir, { recursive: true, force: true }));

describe('stored derivatives (R2)', () => {
  let first: Buffer;
  let firstEtag: string | null;

  it('computes a transformation once, stores it in R2 and keeps the Cache API in front', async () => {
    const a = await location();
    try {
      const res = await a.fetch(path({ w: '200', f: 'webp' }));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('X-Stored'), 'MISS');
      assert.equal(res.headers.get('X-Cache'), 'MISS');
      first = Buffer.from(await res.arrayBuffer());
      firstEtag = res.headers.get('ETag');
      assert.equal(originHits.length, 1);
      await waitForObjects(a, 1);
      const keys = await storedKeys(a);
      assert.match(keys[0], /^derivatives\/v1\/wasm\/fixed\/[0-9a-f]{64}$/);
      assert.ok(
        !keys[0].includes('images.example.com'),
        'no source URL in the key',
      );
      const again = await a.fetch(path({ f: 'webp', w: '200' }));
      assert.equal(
        again.headers.get('X-Cache'),
        'HIT',
        'the Cache API answers first',
      );
      await again.arrayBuffer();
      assert.equal(originHits.length, 1);
    } finally {
      await a.dispose();
    }
  });

  it('serves the stored result in another location without the origin or a transform', async () => {
    const b = await location();
    try {
      const res = await b.fetch(path({ w: '200', f: 'webp' }));
      assert.equal(res.status, 200);
      assert.equal(
        res.headers.get('X-Cache'),
        'MISS',
        "this location's cache is empty",
      );
      assert.equal(res.headers.get('X-Stored'), 'HIT');
      assert.equal(res.headers.get('Content-Type'), 'image/webp');
      const body = Buffer.from(await res.arrayBuffer());
      assert.ok(
        body.equals(first),
        'the same bytes as the first location made',
      );
      assert.equal(res.headers.get('ETag'), firstEtag);
      assert.equal(originHits.length, 1, 'the origin was not asked again');
      assert.equal((await sharp(body).metadata()).width, 200);
      const cached = await b.fetch(path({ w: '200', f: 'webp' }));
      assert.equal(cached.headers.get('X-Cache'), 'HIT');
      await cached.arrayBuffer();

      // A different transformation is still computed, and stored as a second object.
      const other = await b.fetch(path({ w: '120', f: 'webp' }));
      assert.equal(other.headers.get('X-Stored'), 'MISS');
      await other.arrayBuffer();
      assert.equal(originHits.length, 2);
      await waitForObjects(b, 2);
    } finally {
      await b.dispose();
    }
  });

  it('works without the binding, and says nothing about a store', async () => {
    const c = await startWorker(
      { ENGINE: 'wasm', ALLOWED_ORIGINS: 'images.example.com' },
      () =>
        new Response(new Uint8Array(jpeg), {
          headers: { 'Content-Type': 'image/jpeg' },
        }),
    );
    try {
      const res = await c.fetch(path({ w: '100', f: 'webp' }));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('X-Stored'), null);
      await res.arrayBuffer();
    } finally {
      await c.dispose();
    }
  });
});
