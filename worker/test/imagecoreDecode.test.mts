// imagecore's JPEG decoder (libjpeg-turbo with WebAssembly SIMD colour conversion and IDCT, and a
// 64-bit Huffman bit buffer) gives the same pixels as sharp's native libjpeg-turbo decoder.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';

interface Imagecore {
  memory: WebAssembly.Memory;
  jpeg_decode_rgba(ptr: number, size: number, scaleDenom: number): number;
  result_width(): number;
  result_height(): number;
  alloc(size: number): number;
  _initialize(): void;
}

const module = new WebAssembly.Module(
  await readFile(
    join(import.meta.dirname, '..', 'codecs', 'imagecore', 'imagecore.wasm'),
  ),
);

function decode(jpeg: Buffer) {
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
      proc_exit: nothing,
    },
    env: { emscripten_notify_memory_growth: nothing },
  });
  const core = instance.exports as unknown as Imagecore;
  core._initialize();
  const input = core.alloc(jpeg.length);
  new Uint8Array(core.memory.buffer, input, jpeg.length).set(jpeg);
  const out = core.jpeg_decode_rgba(input, jpeg.length, 1);
  const width = core.result_width();
  const height = core.result_height();
  return {
    width,
    height,
    data: Buffer.from(
      new Uint8Array(core.memory.buffer, out, width * height * 4),
    ),
  };
}

type JpegOptions = Parameters<ReturnType<typeof sharp>['jpeg']>[0];

/** A photo-like JPEG: smooth colour with grain, so that every DCT coefficient is used. */
async function jpeg(options: JpegOptions) {
  return sharp({
    create: {
      width: 203,
      height: 157,
      channels: 3,
      background: { r: 200, g: 90, b: 40 },
      noise: { type: 'gaussian', mean: 110, sigma: 60 },
    },
  })
    .blur(0.8)
    .jpeg(options)
    .toBuffer();
}

describe('imagecore JPEG decoding', () => {
  for (const [name, options] of [
    ['baseline 4:2:0', { quality: 80 }],
    [
      'baseline 4:4:4 at quality 98',
      { quality: 98, chromaSubsampling: '4:4:4' },
    ],
    ['progressive 4:2:0 at quality 40', { quality: 40, progressive: true }],
  ] as const) {
    it(`gives sharp's pixels for a ${name} JPEG`, async () => {
      const file = await jpeg(options);
      const ours = decode(file);
      const { data, info } = await sharp(file)
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      assert.deepEqual([ours.width, ours.height], [info.width, info.height]);
      let differing = 0;
      for (let i = 0; i < data.length; i++)
        if (data[i] !== ours.data[i]) differing++;
      assert.equal(differing, 0, 'bytes that differ from sharp');
      // The image is not flat, so a wrong IDCT could not pass by accident.
      const colours = new Set<number>();
      for (let i = 0; i < ours.data.length; i += 4) {
        colours.add(ours.data.readUIntBE(i, 3));
      }
      assert.ok(colours.size > 5000, `${colours.size} distinct colours`);
    });
  }
});
