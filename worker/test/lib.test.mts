// Direct tests of the Worker's pure logic. The TypeScript sources are bundled with esbuild first,
// since they use the bundler's extensionless imports.
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

type Lib = typeof import('../src/lib/accept.ts') &
  typeof import('../src/lib/address.ts') &
  typeof import('../src/lib/allowList.ts') &
  typeof import('../src/lib/geometry.ts') &
  typeof import('../src/lib/imageHeader.ts') &
  typeof import('../src/lib/options.ts');

let lib: Lib;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-worker-lib-'));
  const src = join(import.meta.dirname, '..', 'src', 'lib');
  const entry = join(dir, 'entry.ts');
  await writeFile(
    entry,
    ['accept', 'address', 'allowList', 'geometry', 'imageHeader', 'options']
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

describe('formatBucket', () => {
  const cases: [string | null, string][] = [
    ['image/avif,image/webp,*/*;q=0.8', 'avif'],
    ['image/webp;q=1, image/avif;q=0.8', 'webp'],
    ['IMAGE/AVIF', 'avif'],
    ['image/avif;q=0', 'original'],
    ['image/avif; q=0.0, image/webp', 'webp'],
    ['image/*', 'original'],
    ['*/*', 'original'],
    ['text/html, image/jxl', 'original'],
    ['garbage;;;', 'original'],
    [null, 'original'],
  ];
  for (const [header, bucket] of cases) {
    it(`puts ${JSON.stringify(header)} in ${bucket}`, () => {
      assert.equal(lib.formatBucket(header), bucket);
    });
  }
});

describe('isPrivateHost', () => {
  for (const host of [
    '127.0.0.1',
    '10.0.0.8',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '[::1]',
    '[::]',
    '[fe80::1]',
    '[fc00::1]',
    '[::ffff:10.0.0.1]',
    '[::ffff:a00:1]',
    '[64:ff9b::7f00:1]',
    'localhost',
    'foo.localhost',
    'printer.local',
    'db.internal',
    'intranet',
    'router.home.arpa',
  ]) {
    it(`refuses ${host}`, () => assert.equal(lib.isPrivateHost(host), true));
  }
  for (const host of [
    'images.example.com',
    '8.8.8.8',
    '172.32.0.1',
    '[2606:4700::1111]',
    '[::ffff:8.8.8.8]',
  ]) {
    it(`allows ${host}`, () => assert.equal(lib.isPrivateHost(host), false));
  }
});

describe('isAllowedHost', () => {
  it('matches exact hosts, wildcard subdomains and pinned ports', () => {
    const allow = lib.parseAllowList(
      ' Images.Example.com , *.cdn.example.org, media.example.net:8443,',
    );
    assert.deepEqual(allow, [
      'images.example.com',
      '*.cdn.example.org',
      'media.example.net:8443',
    ]);
    assert.ok(
      lib.isAllowedHost(new URL('https://images.example.com/a'), allow),
    );
    assert.ok(
      lib.isAllowedHost(new URL('https://a.b.cdn.example.org/a'), allow),
    );
    assert.ok(!lib.isAllowedHost(new URL('https://cdn.example.org/a'), allow));
    assert.ok(
      !lib.isAllowedHost(new URL('https://evilcdn.example.org/a'), allow),
    );
    assert.ok(
      lib.isAllowedHost(new URL('https://media.example.net:8443/a'), allow),
    );
    assert.ok(
      !lib.isAllowedHost(new URL('https://media.example.net/a'), allow),
    );
    assert.ok(
      !lib.isAllowedHost(
        new URL('https://images.example.com.evil.net/a'),
        allow,
      ),
    );
  });
});

describe('computeGeometry and jpegShrink', () => {
  it('scale-down keeps the aspect ratio and never enlarges', () => {
    assert.deepEqual(lib.computeGeometry(4000, 3000, 'scale-down', 400), {
      crop: { x: 0, y: 0, width: 4000, height: 3000 },
      width: 400,
      height: 300,
    });
    assert.equal(lib.computeGeometry(100, 50, 'scale-down', 400).width, 100);
  });
  it('cover crops the centre to the exact box', () => {
    const g = lib.computeGeometry(4000, 3000, 'cover', 300, 300);
    assert.deepEqual([g.width, g.height], [300, 300]);
    assert.deepEqual(g.crop, { x: 500, y: 0, width: 3000, height: 3000 });
  });
  it('picks DCT scaling like sharp, leaving Lanczos some reduction', () => {
    const shrink = (w: number) =>
      lib.jpegShrink(lib.computeGeometry(4000, 3000, 'scale-down', w));
    assert.equal(shrink(4000), 1);
    assert.equal(shrink(1280), 2); // 3.1x
    assert.equal(shrink(1000), 2); // exactly 4x: halved
    assert.equal(shrink(400), 8); // 10x
    assert.equal(shrink(500), 4); // exactly 8x: halved
  });
});

describe('readImageInfo', () => {
  it('reads the size from a JPEG frame header after other segments', () => {
    const jpeg = Buffer.from([
      0xff, 0xd8, 0xff, 0xe1, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc2, 0x00, 0x11,
      0x08, 0x02, 0x58, 0x03, 0x20, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01,
      0x03, 0x11, 0x01,
    ]);
    assert.deepEqual(lib.readImageInfo(jpeg), {
      type: 'jpeg',
      width: 800,
      height: 600,
      // SOF2 is progressive: 4:2:0 blocks for the whole image, luma 100 x 76 (75 rows rounded up
      // to its vertical sampling of 2) and chroma 50 x 38 twice, 128 bytes each.
      coefficientBytes: (100 * 76 + 2 * 50 * 38) * 128,
    });
  });
  // A sequential 4:4:4 frame header (SOF0, 640 x 480) and a first scan header with `scanned`
  // of its 3 components, after a table segment.
  const sequential = (scanned: number) =>
    Buffer.from([
      0xff,
      0xd8,
      0xff,
      0xc0,
      0x00,
      0x11,
      0x08,
      0x01,
      0xe0,
      0x02,
      0x80,
      0x03,
      0x01,
      0x11,
      0x00,
      0x02,
      0x11,
      0x01,
      0x03,
      0x11,
      0x01,
      0xff,
      0xc4,
      0x00,
      0x03,
      0x00,
      0xff,
      0xda,
      0x00,
      6 + 2 * scanned,
      scanned,
      ...Array.from({ length: scanned }, (_, c) => [c + 1, 0x00]).flat(),
      0x00,
      0x3f,
      0x00,
    ]);
  it('gives no coefficient buffer for a sequential JPEG whose first scan has every component', () => {
    assert.deepEqual(lib.readImageInfo(sequential(3)), {
      type: 'jpeg',
      width: 640,
      height: 480,
    });
  });
  it('gives the coefficient buffer of a sequential JPEG with a scan per component', () => {
    assert.deepEqual(lib.readImageInfo(sequential(1)), {
      type: 'jpeg',
      width: 640,
      height: 480,
      coefficientBytes: 3 * 80 * 60 * 128,
    });
  });
  it('reads the size of a sequential JPEG whose bytes end before its first scan', () => {
    assert.deepEqual(lib.readImageInfo(sequential(3).subarray(0, 26)), {
      type: 'jpeg',
      width: 640,
      height: 480,
    });
  });
  it('returns undefined for unknown or truncated data', () => {
    assert.equal(
      lib.readImageInfo(Buffer.from('hello world, not an image')),
      undefined,
    );
    assert.equal(
      lib.readImageInfo(Buffer.from([0x89, 0x50, 0x4e, 0x47])),
      undefined,
    );
  });
});

describe('parseOptions', () => {
  it('parses a full query into typed options', () => {
    const o = lib.parseOptions(
      new URLSearchParams(
        'url=https://a.example/x.jpg%23frag&w=10&h=20&fit=cover&q=55&f=webp',
      ),
    );
    assert.equal(o.source.toString(), 'https://a.example/x.jpg');
    assert.deepEqual(
      [o.width, o.height, o.fit, o.quality, o.format],
      [10, 20, 'cover', 55, 'webp'],
    );
  });
  it('normalises the cache key whatever the parameter order', () => {
    const a = lib.parseOptions(
      new URLSearchParams('url=https://a.example/x.jpg&w=10'),
    );
    const b = lib.parseOptions(
      new URLSearchParams('w=10&url=https://a.example/x.jpg'),
    );
    assert.equal(lib.normalizedKey(a), lib.normalizedKey(b));
  });
  it('refuses credentials in the source URL', () => {
    assert.throws(
      () =>
        lib.parseOptions(
          new URLSearchParams('url=https://user:pw@a.example/x.jpg'),
        ),
      /must not contain credentials/,
    );
  });
});
