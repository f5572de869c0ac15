import './pixels';
import mozjpegEnc from '@jsquash/jpeg/codec/enc/mozjpeg_enc.js';
import mozjpegEncWasm from '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm';
import { defaultOptions as jpegDefaults } from '@jsquash/jpeg/meta.js';
import webpDec from '@jsquash/webp/codec/dec/webp_dec.js';
import webpDecWasm from '@jsquash/webp/codec/dec/webp_dec.wasm';
import { instantiateEmscripten, MemoryMeter } from './meter';
import type { Pixels } from './pixels';

export { encodeAvif } from './avif';
export { decodePng, encodePng } from './png';
export { encodeWebp } from './webp';

/** Default qualities when the request gives none: the same as sharp's defaults. */
export const DEFAULT_QUALITY = { jpeg: 80, webp: 80, avif: 50 } as const;

async function withCodec<T, R>(
  factory: EmscriptenFactory<T>,
  module: WebAssembly.Module,
  meter: MemoryMeter,
  use: (codec: T) => R,
): Promise<R> {
  const { codec, memory } = await instantiateEmscripten(factory, module, meter);
  try {
    return use(codec);
  } finally {
    meter.sample();
    meter.release(memory);
  }
}

function view(pixels: Pixels): Uint8Array {
  return new Uint8Array(
    pixels.data.buffer,
    pixels.data.byteOffset,
    pixels.data.length,
  );
}

export function decodeWebp(
  bytes: Uint8Array,
  meter: MemoryMeter,
): Promise<Pixels> {
  return withCodec(webpDec, webpDecWasm, meter, codec => {
    const image = codec.decode(bytes);
    if (!image) throw new Error('WebP decoding failed');
    return { data: image.data, width: image.width, height: image.height };
  });
}

export function encodeJpeg(
  pixels: Pixels,
  quality: number,
  meter: MemoryMeter,
) {
  return withCodec(mozjpegEnc, mozjpegEncWasm, meter, codec =>
    codec.encode(view(pixels), pixels.width, pixels.height, {
      ...jpegDefaults,
      quality,
    }),
  );
}
