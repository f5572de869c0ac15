import webpencWasm from '../../codecs/webpenc/webpenc.wasm';
import type { MemoryMeter } from './meter';
import type { Pixels } from './pixels';
import { instantiateStandalone } from './standalone';

interface WebpencExports {
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
  release(ptr: number): void;
}

/** libwebp's effort (`method`), 0-6: sharp's default effort is 4. */
const WEBP_METHOD = 4;

/**
 * Encodes RGBA pixels as lossy WebP with the encoder in codecs/webpenc: libwebp 1.6.0 (sharp
 * 0.35's release) with its SSE2/SSE4.1 code running as WebAssembly SIMD, set up as libvips sets
 * it up by default. It runs in a fresh instance that is dropped afterwards.
 */
export function encodeWebp(
  pixels: Pixels,
  quality: number,
  meter: MemoryMeter,
): Uint8Array {
  const { exports: wasm, memory } = instantiateStandalone<WebpencExports>(
    webpencWasm,
    meter,
  );
  try {
    const input = wasm.alloc(pixels.data.length);
    if (!input) throw new Error('WebP encoder is out of memory');
    new Uint8Array(memory.buffer, input, pixels.data.length).set(pixels.data);
    const out = wasm.webp_encode(
      input,
      pixels.width,
      pixels.height,
      pixels.width * 4,
      quality,
      WEBP_METHOD,
    );
    meter.sample();
    if (!out) throw new Error('WebP encoding failed');
    return new Uint8Array(memory.buffer, out, wasm.result_size()).slice();
  } finally {
    meter.sample();
    meter.release(memory);
  }
}
