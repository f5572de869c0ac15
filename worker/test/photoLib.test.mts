// Direct tests of the photo helpers (orientation, ICC, EXIF, parameters), bundled with esbuild
// first as test/lib.test.mts does.
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { adobeRgbProfile } from './photoFixtures.mts';

type Lib = typeof import('../src/photo/orientation.ts') &
  typeof import('../src/photo/icc.ts') &
  typeof import('../src/photo/metadata.ts') &
  typeof import('../src/lib/extraOptions.ts');

let lib: Lib;
let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-worker-photo-lib-'));
  const src = join(import.meta.dirname, '..', 'src');
  const entry = join(dir, 'entry.ts');
  await writeFile(
    entry,
    ['photo/orientation', 'photo/icc', 'photo/metadata', 'lib/extraOptions']
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

describe('orientation', () => {
  // A 5x3 image whose pixels hold their own index, so every move can be traced.
  const W = 5;
  const H = 3;
  const stored = () => {
    const data = new Uint8ClampedArray(W * H * 4);
    for (let i = 0; i < W * H; i++) data[i * 4] = i;
    return { data, width: W, height: H };
  };

  for (let o = 1; o <= 8; o++) {
    it(`maps a displayed crop to the stored pixels that orientation ${o} shows there`, () => {
      const shown = lib.applyOrientation(stored(), o);
      const size = lib.displayedSize(W, H, o);
      assert.deepEqual([shown.width, shown.height], [size.width, size.height]);
      const rect = { x: 1, y: 1, width: 2, height: 1 };
      const back = lib.storedRect(rect, W, H, o);
      // The stored rectangle holds exactly the pixels the displayed one shows.
      const showing = new Set<number>();
      for (let y = rect.y; y < rect.y + rect.height; y++) {
        for (let x = rect.x; x < rect.x + rect.width; x++) {
          showing.add(shown.data[(y * shown.width + x) * 4]);
        }
      }
      const holding = new Set<number>();
      for (let y = back.y; y < back.y + back.height; y++) {
        for (let x = back.x; x < back.x + back.width; x++)
          holding.add(y * W + x);
      }
      assert.deepEqual([...holding].sort(), [...showing].sort());
    });
  }
});

describe('ICC profiles', () => {
  it('reads an Adobe RGB matrix/TRC profile and knows it is not sRGB', () => {
    const profile = lib.parseRgbProfile(new Uint8Array(adobeRgbProfile()));
    assert.ok(profile);
    assert.ok(Math.abs(profile.matrix[0] - 0.60974) < 1e-4);
    assert.ok(
      Math.abs(profile.curves[0](0.5) - Math.pow(0.5, 563 / 256)) < 1e-6,
    );
    assert.equal(lib.isSrgb(profile), false);
  });

  it("recognises libvips' sRGB profile, so sRGB sources are left alone", async () => {
    const tagged = await sharp({
      create: { width: 4, height: 4, channels: 3, background: '#808080' },
    })
      .withIccProfile('srgb')
      .jpeg()
      .toBuffer();
    const icc = (await sharp(tagged).metadata()).icc!;
    const profile = lib.parseRgbProfile(new Uint8Array(icc));
    assert.ok(profile);
    assert.equal(lib.isSrgb(profile), true);
    assert.equal(lib.srgbConversion(new Uint8Array(icc)), undefined);
  });

  it('ignores CMYK and broken profiles', () => {
    const cmyk = new Uint8Array(adobeRgbProfile());
    cmyk.set([0x43, 0x4d, 0x59, 0x4b], 16);
    assert.equal(lib.parseRgbProfile(cmyk), undefined);
    assert.equal(lib.parseRgbProfile(new Uint8Array(40)), undefined);
  });
});

describe('PNG profiles', () => {
  it('inflates a zlib profile, and gives up past 4 MiB', async () => {
    const profile = adobeRgbProfile();
    const back = await lib.inflateIcc(new Uint8Array(deflateSync(profile)));
    assert.ok(back && Buffer.from(back).equals(profile));
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    assert.equal(await lib.inflateIcc(new Uint8Array(bomb)), undefined);
    assert.equal(await lib.inflateIcc(new Uint8Array([1, 2, 3])), undefined);
  });
});

describe('EXIF', () => {
  it('writes a copyright-only block that reads back', () => {
    const text = new TextEncoder().encode('© Jane Doe');
    const tiff = lib.exifWithCopyright(text);
    assert.deepEqual(
      new TextDecoder().decode(lib.exifCopyright(tiff)!).replace(/\0$/, ''),
      '© Jane Doe',
    );
    assert.equal(lib.exifOrientation(tiff), 1);
  });

  it('resets the orientation and leaves the rest as it was', async () => {
    const jpeg = await sharp({
      create: { width: 4, height: 4, channels: 3, background: '#808080' },
    })
      .withExif({ IFD0: { Make: 'PhoneCo' } })
      .withMetadata({ orientation: 8 })
      .jpeg()
      .toBuffer();
    const meta = lib.readMetadata(new Uint8Array(jpeg), 'jpeg');
    assert.equal(meta.orientation, 8);
    const fixed = lib.exifWithoutRotation(meta.exif!);
    assert.equal(lib.exifOrientation(fixed), 1);
    assert.equal(fixed.length, meta.exif!.length);
    assert.equal(
      lib.exifOrientation(meta.exif),
      8,
      'the source is not changed',
    );
  });
});

describe('photo parameters', () => {
  it('reads gravity in both spellings, and auto', () => {
    assert.deepEqual(lib.parseGravity('0.25,1'), { x: 0.25, y: 1 });
    assert.deepEqual(lib.parseGravity('0.5x.2'), { x: 0.5, y: 0.2 });
    assert.equal(lib.parseGravity('auto'), 'auto');
    for (const bad of [
      '1.5,0',
      '-0.1,0',
      '0.5',
      'left',
      '0.5,0.5,0.5',
      'NaN,1',
    ]) {
      assert.throws(() => lib.parseGravity(bad), /gravity/, bad);
    }
  });

  it('reads dpr from 1 to 3', () => {
    assert.equal(lib.parseDpr('1.5'), 1.5);
    assert.equal(lib.parseDpr('3'), 3);
    for (const bad of ['0.5', '3.5', '2.555', 'two', '']) {
      assert.throws(() => lib.parseDpr(bad), /dpr must be/, bad);
    }
  });

  it('reads CSS colours', () => {
    assert.deepEqual(lib.parseBackground('#f00'), {
      r: 255,
      g: 0,
      b: 0,
      a: 255,
    });
    assert.deepEqual(lib.parseBackground('#00ff0080'), {
      r: 0,
      g: 255,
      b: 0,
      a: 128,
    });
    assert.deepEqual(lib.parseBackground('rgba(1, 2, 3, 0.5)'), {
      r: 1,
      g: 2,
      b: 3,
      a: 128,
    });
    for (const bad of ['#ff', 'rgb(300,0,0)', 'red', 'rgb(1,2)']) {
      assert.throws(() => lib.parseBackground(bad), /background must be/, bad);
    }
  });
});
