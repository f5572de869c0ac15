// codecs/webpenc is libwebp 1.6.0, sharp 0.35's release, set up as libvips sets it up: for the
// same pixels its files are sharp's, byte for byte.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';

interface Webpenc {
  memory: WebAssembly.Memory;
  webp_encode(
    rgba: number,
    width: number,
    height: number,
    stride: number,
    quality: number,
    method: number,
  ): number;
  result_size(): number;
  alloc(size: number): number;
  _initialize(): void;
}

const module = new WebAssembly.Module(
  await readFile(
    join(import.meta.dirname, '..', 'codecs', 'webpenc', 'webpenc.wasm'),
  ),
);

/** Encodes in a fresh instance, as src/codecs/webp.ts does (with no-op system calls). */
function encode(
  rgba: Uint8Array,
  width: number,
  height: number,
  quality: number,
) {
  const nothing = () => 0;
  const instance = new WebAssembly.Instance(module, {
    wasi_snapshot_preview1: {
      environ_sizes_get: nothing,
      environ_get: nothing,
      clock_time_get: nothing,
      fd_write: nothing,
      fd_read: () => 8,
      fd_seek: () => 8,
      fd_close: nothing,
    },
    env: { emscripten_notify_memory_growth: nothing },
  });
  const wasm = instance.exports as unknown as Webpenc;
  wasm._initialize();
  const input = wasm.alloc(rgba.length);
  new Uint8Array(wasm.memory.buffer, input, rgba.length).set(rgba);
  const out = wasm.webp_encode(input, width, height, width * 4, quality, 4);
  assert.ok(out, 'libwebp encoded the image');
  return Buffer.from(
    new Uint8Array(wasm.memory.buffer, out, wasm.result_size()),
  );
}

/** A photo-like test image: smooth colour with grain, so that every coding tool has work. */
async function photo(width: number, height: number, alpha = false) {
  const { data } = await sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 90, g: 140, b: 200 },
      noise: { type: 'gaussian', mean: 120, sigma: 40 },
    },
  })
    .blur(1.5)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (alpha) {
    // A transparent left half.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width / 2; x++) data[(y * width + x) * 4 + 3] = 0;
    }
  }
  return data;
}

const sharpWebp = (
  rgba: Buffer,
  width: number,
  height: number,
  quality: number,
) =>
  sharp(rgba, { raw: { width, height, channels: 4 } })
    .webp({ quality, effort: 4 })
    .toBuffer();

describe('WebP encoder', () => {
  for (const quality of [50, 80, 95]) {
    it(`writes sharp's bytes for the same opaque pixels at quality ${quality}`, async () => {
      const pixels = await photo(400, 300);
      const ours = encode(pixels, 400, 300, quality);
      const theirs = await sharpWebp(pixels, 400, 300, quality);
      assert.ok(ours.length > 1000);
      assert.equal(ours.length, theirs.length);
      assert.ok(ours.equals(theirs), 'identical files');
    });
  }

  it('keeps transparency, and the quality changes the file', async () => {
    const pixels = await photo(200, 120, true);
    const ours = encode(pixels, 200, 120, 80);
    const meta = await sharp(ours).metadata();
    assert.equal(meta.hasAlpha, true);
    const { data } = await sharp(ours)
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(data[3], 0, 'left half transparent');
    assert.equal(data[(200 - 1) * 4 + 3], 255, 'right half opaque');
    assert.ok(encode(pixels, 200, 120, 30).length < ours.length);
  });
});
