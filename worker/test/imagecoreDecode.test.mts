// imagecore's JPEG decoder (libjpeg-turbo with WebAssembly SIMD colour conversion, upsampling and
// IDCTs, and a 64-bit Huffman bit buffer) gives the same pixels as sharp's native libjpeg-turbo
// decoder, and at every DCT scale and in the resizing decode the same pixels as libjpeg-turbo's
// own C code in the same build (the SIMD entry points turned off).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { jpeg422 } from './baselineJpeg.mts';

interface Imagecore {
  memory: WebAssembly.Memory;
  jpeg_decode_rgba(ptr: number, size: number, scaleDenom: number): number;
  jpeg_scaled_size(ptr: number, size: number, scaleDenom: number): number;
  jpeg_decode_resize(
    ptr: number,
    size: number,
    scaleDenom: number,
    cx: number,
    cy: number,
    cw: number,
    ch: number,
    outW: number,
    outH: number,
  ): number;
  set_simd(on: number): void;
  simd_paths(): number;
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

/** libjpeg-turbo's entry points in jsimd_wasm.c, as simd_paths() reports them. */
const SIMD = {
  yccRgb: 1,
  idctIslow: 2,
  idct4x4: 4,
  idct2x2: 8,
  h2v2Merged: 16,
  h2v1Merged: 32,
  h2v2Fancy: 64,
  h2v1Fancy: 128,
};

function imagecore(jpeg: Buffer, simd = true) {
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
  core.set_simd(simd ? 1 : 0);
  const input = core.alloc(jpeg.length);
  new Uint8Array(core.memory.buffer, input, jpeg.length).set(jpeg);
  const pixels = (out: number) => {
    const width = core.result_width();
    const height = core.result_height();
    return {
      width,
      height,
      data: Buffer.from(
        new Uint8Array(core.memory.buffer, out, width * height * 4),
      ),
      paths: core.simd_paths(),
    };
  };
  return {
    /** The whole image at 1/scale (1, 2, 4 or 8). */
    decode: (scale = 1) =>
      pixels(core.jpeg_decode_rgba(input, jpeg.length, scale)),
    /** Decoded at 1/scale and resized to outWidth (the height keeps the aspect ratio). */
    resize: (scale: number, outWidth: number) => {
      core.jpeg_scaled_size(input, jpeg.length, scale);
      const [w, h] = [core.result_width(), core.result_height()];
      const outHeight = Math.round((h * outWidth) / w);
      return pixels(
        core.jpeg_decode_resize(
          input,
          jpeg.length,
          scale,
          0,
          0,
          w,
          h,
          outWidth,
          outHeight,
        ),
      );
    },
  };
}

type Core = ReturnType<typeof imagecore>;
type Decoded = ReturnType<Core['decode']>;
const decode = (jpeg: Buffer) => imagecore(jpeg).decode();

function differingBytes(a: Buffer, b: Buffer) {
  assert.equal(a.length, b.length, 'same size');
  let differing = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) differing++;
  return differing;
}

type JpegOptions = Parameters<ReturnType<typeof sharp>['jpeg']>[0];

const PHOTO = {
  width: 203,
  height: 157,
  channels: 3,
  background: { r: 200, g: 90, b: 40 },
  noise: { type: 'gaussian', mean: 110, sigma: 60 },
} as const;

/** A photo-like JPEG: smooth colour with grain, so that every DCT coefficient is used. */
async function jpeg(options: JpegOptions) {
  return sharp({ create: PHOTO }).blur(0.8).jpeg(options).toBuffer();
}

/** The same kind of photo as a baseline 4:2:2 JPEG, which sharp does not write. */
async function jpeg422Photo() {
  const rgb = await sharp({ create: PHOTO }).blur(0.8).raw().toBuffer();
  return jpeg422(rgb, PHOTO.width, PHOTO.height);
}

/** Test JPEGs, and the SIMD upsampling entry points their chroma subsampling takes. */
const JPEGS: [string, () => Promise<Buffer>, number][] = [
  [
    'baseline 4:2:0',
    () => jpeg({ quality: 80 }),
    SIMD.h2v2Merged | SIMD.h2v2Fancy,
  ],
  [
    'baseline 4:4:4 at quality 98',
    () => jpeg({ quality: 98, chromaSubsampling: '4:4:4' }),
    0,
  ],
  [
    'progressive 4:2:0 at quality 40',
    () => jpeg({ quality: 40, progressive: true }),
    SIMD.h2v2Merged | SIMD.h2v2Fancy,
  ],
  ['baseline 4:2:2', jpeg422Photo, SIMD.h2v1Merged | SIMD.h2v1Fancy],
];

describe('imagecore JPEG decoding', () => {
  for (const [name, make] of JPEGS) {
    it(`gives sharp's pixels for a ${name} JPEG`, async () => {
      const file = await make();
      const ours = decode(file);
      const { data, info } = await sharp(file)
        .ensureAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      assert.deepEqual([ours.width, ours.height], [info.width, info.height]);
      assert.equal(
        differingBytes(data, ours.data),
        0,
        'bytes that differ from sharp',
      );
      // The image is not flat, so a wrong IDCT could not pass by accident.
      const colours = new Set<number>();
      for (let i = 0; i < ours.data.length; i += 4) {
        colours.add(ours.data.readUIntBE(i, 3));
      }
      assert.ok(colours.size > 5000, `${colours.size} distinct colours`);
    });
  }

  // sharp never hands out a JPEG decoded at 1/2-1/8 or with merged upsampling, so these compare
  // the WebAssembly SIMD code with libjpeg-turbo's C code for the same steps, in the same build.
  for (const [name, make, upsampling] of JPEGS) {
    it(`decodes a ${name} JPEG at every scale and resizing as libjpeg-turbo's C code does`, async () => {
      const file = await make();
      const cases: [string, (core: Core) => Decoded][] = [
        ...[1, 2, 4, 8].map(
          scale =>
            [`1/${scale}`, (core: Core) => core.decode(scale)] as [
              string,
              (core: Core) => Decoded,
            ],
        ),
        // Halved or more on both axes at 1/1: merged upsampling (see imagecore.c).
        ['1/1 resized to 97 px', core => core.resize(1, 97)],
        ['1/2 resized to 41 px', core => core.resize(2, 41)],
        ['1/4 resized to 30 px', core => core.resize(4, 30)],
      ];
      let paths = 0;
      for (const [label, run] of cases) {
        const simd = run(imagecore(file));
        const c = run(imagecore(file, false));
        assert.equal(c.paths, 0, `${label}: no SIMD entry point with SIMD off`);
        assert.deepEqual([simd.width, simd.height], [c.width, c.height], label);
        assert.equal(
          differingBytes(simd.data, c.data),
          0,
          `${label}: bytes that differ`,
        );
        paths |= simd.paths;
      }
      assert.equal(
        paths,
        SIMD.yccRgb | SIMD.idctIslow | SIMD.idct4x4 | SIMD.idct2x2 | upsampling,
        'the SIMD entry points these decodes ran',
      );
    });
  }
});
