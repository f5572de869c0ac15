import {
  decodeJpeg,
  decodePng,
  decodeWebp,
  DEFAULT_QUALITY,
  encodeAvif,
  encodeJpeg,
  encodePng,
  encodeWebp,
} from '../codecs/codecs';
import { MemoryMeter } from '../codecs/meter';
import type { Pixels } from '../codecs/pixels';
import { boxShrink, crop, lanczos } from '../codecs/resize';
import { HttpError } from '../lib/errors';
import { computeGeometry } from '../lib/geometry';
import { readImageInfo, type ImageInfo } from '../lib/imageHeader';
import type { OutputFormat } from '../lib/options';
import { checkOriginResponse, fetchOrigin, readLimited } from '../lib/origin';
import { CONTENT_TYPES, type Engine, type TransformRequest, type TransformResult } from './engine';

/** The format an `original` target becomes: PNG keeps alpha for PNG sources, JPEG otherwise. */
function originalFormat(info: ImageInfo): OutputFormat {
  return info.type === 'png' ? 'png' : 'jpeg';
}

async function decode(info: ImageInfo, bytes: Uint8Array, meter: MemoryMeter): Promise<Pixels> {
  try {
    switch (info.type) {
      case 'jpeg':
        return await decodeJpeg(bytes, meter);
      case 'png':
        return decodePng(bytes, meter);
      case 'webp':
        return await decodeWebp(bytes, meter);
      default:
        throw new HttpError(415, `The wasm engine cannot decode ${info.type.toUpperCase()} sources`);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new HttpError(422, `Source image could not be decoded as ${info.type.toUpperCase()}`);
  }
}

async function encode(
  pixels: Pixels,
  format: OutputFormat,
  quality: number | undefined,
  meter: MemoryMeter,
): Promise<Uint8Array> {
  switch (format) {
    case 'avif':
      return encodeAvif(pixels, quality ?? DEFAULT_QUALITY.avif, meter);
    case 'webp':
      return encodeWebp(pixels, quality ?? DEFAULT_QUALITY.webp, meter);
    case 'jpeg':
      return encodeJpeg(pixels, quality ?? DEFAULT_QUALITY.jpeg, meter);
    case 'png':
      return encodePng(pixels, meter);
  }
}

/** Decode, resize and encode inside the Worker, one short-lived codec instance at a time. */
export const wasmEngine: Engine = {
  name: 'wasm',
  async transform({ options, target, config }: TransformRequest): Promise<TransformResult> {
    const policy = { allowList: config.allowList, timeoutMs: config.originTimeoutMs };
    const { response, signal } = await fetchOrigin(options.source, policy);
    checkOriginResponse(response);
    const source = await readLimited(response, config.maxSourceBytes, signal, policy);

    const info = readImageInfo(source);
    if (!info) {
      throw new HttpError(415, 'Source is not a JPEG, PNG, WebP, GIF or AVIF image');
    }
    const pixelCount = info.width * info.height;
    if (info.width === 0 || info.height === 0) {
      throw new HttpError(422, 'Source image has no pixels');
    }
    if (pixelCount > config.maxPixels) {
      throw new HttpError(
        413,
        `Source image is ${info.width}x${info.height} (${pixelCount} pixels); the limit is ${config.maxPixels} pixels`,
      );
    }
    const format = target === 'original' ? originalFormat(info) : target;

    const meter = new MemoryMeter();
    meter.hold(source.buffer);
    const started = Date.now();
    let pixels = await decode(info, source, meter);
    meter.drop(source.buffer);
    meter.hold(pixels.data.buffer);
    const decodeMs = Date.now() - started;

    const geometry = computeGeometry(
      pixels.width,
      pixels.height,
      options.fit,
      options.width,
      options.height,
    );
    const steps: Pixels[] = [pixels];
    pixels = crop(pixels, geometry.crop.x, geometry.crop.y, geometry.crop.width, geometry.crop.height);
    steps.push(pixels);
    meter.hold(pixels.data.buffer);
    const factor = Math.min(pixels.width / geometry.width, pixels.height / geometry.height);
    const shrink = Math.floor(factor / 2);
    if (shrink >= 2) {
      pixels = boxShrink(pixels, shrink);
      meter.hold(pixels.data.buffer);
      for (const step of steps) meter.drop(step.data.buffer);
      steps.length = 0;
      steps.push(pixels);
    }
    pixels = lanczos(pixels, geometry.width, geometry.height, meter);
    for (const step of steps) meter.drop(step.data.buffer);
    meter.hold(pixels.data.buffer);
    const resizeMs = Date.now() - started - decodeMs;

    const body = await encode(pixels, format, options.quality, meter);
    meter.drop(pixels.data.buffer);
    const encodeMs = Date.now() - started - decodeMs - resizeMs;
    return {
      body,
      contentType: CONTENT_TYPES[format],
      bytesIn: source.length,
      wasmPeakBytes: meter.peak,
      detail: {
        source: `${info.type} ${info.width}x${info.height}`,
        decode: decodeMs,
        resize: resizeMs,
        encode: encodeMs,
      },
    };
  },
};
