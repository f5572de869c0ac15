import avifencWasm from '../../codecs/avifenc/avifenc.wasm';
import type { MemoryMeter } from './meter';
import type { Pixels } from './pixels';
import { instantiateStandalone } from './standalone';

interface AvifencExports {
  avif_encode(
    rgba: number,
    width: number,
    height: number,
    quality: number,
    speed: number,
    subsample: number,
  ): number;
  result_size(): number;
  alloc(size: number): number;
  release(ptr: number): void;
}

/**
 * Encodes RGBA pixels as AVIF with the encoder in codecs/avifenc: libaom 3.14.1 behind
 * libavif, set up as sharp (libvips, libheif) sets it up by default: 4:4:4, tune=iq, the same
 * quality-to-quantizer mapping, and speed = 9 - effort. It runs in a fresh instance that is
 * dropped afterwards, so its memory (about 65 bytes per output pixel) goes with the request.
 */
export function encodeAvif(
  pixels: Pixels,
  quality: number,
  speed: number,
  meter: MemoryMeter,
): Uint8Array {
  const { exports: wasm, memory } = instantiateStandalone<AvifencExports>(
    avifencWasm,
    meter,
  );
  try {
    const input = wasm.alloc(pixels.data.length);
    if (!input) throw new Error('AVIF encoder is out of memory');
    new Uint8Array(memory.buffer, input, pixels.data.length).set(pixels.data);
    const out = wasm.avif_encode(
      input,
      pixels.width,
      pixels.height,
      quality,
      speed,
      444,
    );
    meter.sample();
    if (!out) throw new Error('AVIF encoding failed');
    return new Uint8Array(memory.buffer, out, wasm.result_size()).slice();
  } finally {
    meter.sample();
    meter.release(memory);
  }
}
