import {
  decodePng,
  decodeWebp,
  DEFAULT_QUALITY,
  encodeAvif,
  encodeJpeg,
  encodePng,
  encodeWebp,
} from '../codecs/codecs';
import { Imagecore } from '../codecs/imagecore';
import { MemoryMeter } from '../codecs/meter';
import type { Pixels } from '../codecs/pixels';
import { HttpError } from '../lib/errors';
import { computeGeometry, jpegShrink, type Geometry } from '../lib/geometry';
import { readImageInfo, type ImageInfo } from '../lib/imageHeader';
import type { OutputFormat } from '../lib/options';
import { checkOriginResponse, fetchOrigin, readLimited } from '../lib/origin';
import {
  CONTENT_TYPES,
  type Engine,
  type TransformRequest,
  type TransformResult,
} from './engine';

/** Largest AVIF output (1280 x 1024) the wasm engine encodes within the memory limit. */
export const AVIF_MAX_OUTPUT_PIXELS = 1280 * 1024;

/** The format an `original` target becomes: PNG keeps alpha for PNG sources, JPEG otherwise. */
function originalFormat(info: ImageInfo): OutputFormat {
  return info.type === 'png' ? 'png' : 'jpeg';
}

function decodeFailure(info: ImageInfo, error: unknown): never {
  if (error instanceof HttpError) throw error;
  throw new HttpError(
    422,
    `Source image could not be decoded as ${info.type.toUpperCase()}`,
  );
}

/**
 * Decodes and resizes in one imagecore instance. JPEGs are decoded already scaled down by 2, 4
 * or 8 in the DCT domain when the output is at least that much smaller (as libvips and sharp
 * do), which skips most of the decoding work and memory; other formats are decoded by their
 * codec first and handed over as pixels.
 */
async function decodeAndResize(
  info: ImageInfo,
  source: Uint8Array,
  geometry: Geometry,
  meter: MemoryMeter,
): Promise<{ pixels: Pixels; scale: number }> {
  let decoded: Pixels | undefined;
  if (info.type === 'png' || info.type === 'webp') {
    try {
      decoded =
        info.type === 'png'
          ? decodePng(source, meter)
          : await decodeWebp(source, meter);
    } catch (error) {
      decodeFailure(info, error);
    }
    meter.hold(decoded.data.buffer);
  } else if (info.type !== 'jpeg') {
    throw new HttpError(
      415,
      `The wasm engine cannot decode ${info.type.toUpperCase()} sources`,
    );
  }

  const core = new Imagecore(meter);
  try {
    if (!decoded) {
      const scale = jpegShrink(geometry);
      const input = core.put(source);
      try {
        const size = core.jpegScaledSize(input, source.length, scale);
        const crop = scaledCrop(geometry, info, size);
        const out = core.decodeResizeJpeg(
          input,
          source.length,
          scale,
          crop,
          geometry.width,
          geometry.height,
        );
        return {
          pixels: core.take(out, geometry.width, geometry.height),
          scale,
        };
      } catch (error) {
        return decodeFailure(info, error);
      }
    }
    const { width, height } = decoded;
    const ptr = core.put(new Uint8Array(decoded.data.buffer));
    meter.drop(decoded.data.buffer);
    decoded = undefined;
    const crop = scaledCrop(geometry, info, { width, height });
    const out = core.resize(
      ptr + (crop.y * width + crop.x) * 4,
      width,
      crop.width,
      crop.height,
      geometry.width,
      geometry.height,
    );
    core.free(ptr);
    return {
      pixels: core.take(out, geometry.width, geometry.height),
      scale: 1,
    };
  } finally {
    core.dispose();
  }
}

/** The geometry's crop rectangle in decoded pixels (which may be DCT-scaled). */
function scaledCrop(
  geometry: Geometry,
  info: ImageInfo,
  size: { width: number; height: number },
): Geometry['crop'] {
  const sx = size.width / info.width;
  const sy = size.height / info.height;
  const x = Math.min(size.width - 1, Math.round(geometry.crop.x * sx));
  const y = Math.min(size.height - 1, Math.round(geometry.crop.y * sy));
  return {
    x,
    y,
    width: Math.max(
      1,
      Math.min(size.width - x, Math.round(geometry.crop.width * sx)),
    ),
    height: Math.max(
      1,
      Math.min(size.height - y, Math.round(geometry.crop.height * sy)),
    ),
  };
}

async function encode(
  pixels: Pixels,
  format: OutputFormat,
  quality: number | undefined,
  avifSpeed: number,
  meter: MemoryMeter,
): Promise<Uint8Array> {
  switch (format) {
    case 'avif':
      return encodeAvif(
        pixels,
        quality ?? DEFAULT_QUALITY.avif,
        avifSpeed,
        meter,
      );
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
  async transform({
    options,
    target,
    config,
  }: TransformRequest): Promise<TransformResult> {
    const policy = {
      allowList: config.allowList,
      timeoutMs: config.originTimeoutMs,
    };
    const { response, signal } = await fetchOrigin(options.source, policy);
    checkOriginResponse(response);
    const source = await readLimited(
      response,
      config.maxSourceBytes,
      signal,
      policy,
    );

    const info = readImageInfo(source);
    if (!info) {
      throw new HttpError(
        415,
        'Source is not a JPEG, PNG, WebP, GIF or AVIF image',
      );
    }
    if (info.width === 0 || info.height === 0) {
      throw new HttpError(422, 'Source image has no pixels');
    }
    const pixelCount = info.width * info.height;
    if (pixelCount > config.maxPixels) {
      throw new HttpError(
        413,
        `Source image is ${info.width}x${info.height} (${pixelCount} pixels); the limit is ${config.maxPixels} pixels`,
      );
    }
    const geometry = computeGeometry(
      info.width,
      info.height,
      options.fit,
      options.width,
      options.height,
    );
    const outputPixels = geometry.width * geometry.height;
    if (outputPixels > config.maxOutputPixels) {
      throw new HttpError(
        422,
        `Output would be ${geometry.width}x${geometry.height}; the wasm engine's limit is ${config.maxOutputPixels} pixels (ask for a smaller w or h)`,
      );
    }
    let format = target === 'original' ? originalFormat(info) : target;
    if (format === 'avif' && outputPixels > AVIF_MAX_OUTPUT_PIXELS) {
      // The AVIF encoder needs about 65 bytes per output pixel; past this it may not fit in 128 MB.
      if (options.format !== 'auto') {
        throw new HttpError(
          422,
          `AVIF output is limited to ${AVIF_MAX_OUTPUT_PIXELS} pixels in the wasm engine (ask for a smaller size or f=webp)`,
        );
      }
      format = 'webp';
    }

    const meter = new MemoryMeter();
    meter.hold(source.buffer);
    const started = Date.now();
    const { pixels, scale } = await decodeAndResize(
      info,
      source,
      geometry,
      meter,
    );
    meter.drop(source.buffer);
    const resizeMs = Date.now() - started;
    const body = await encode(
      pixels,
      format,
      options.quality,
      config.avifSpeed,
      meter,
    );
    meter.drop(pixels.data.buffer);
    const encodeMs = Date.now() - started - resizeMs;
    return {
      body,
      contentType: CONTENT_TYPES[format],
      bytesIn: source.length,
      wasmPeakBytes: meter.peak,
      detail: {
        source: `${info.type} ${info.width}x${info.height}`,
        'decode-scale': `1/${scale}`,
        'decode-resize-ms': resizeMs,
        'encode-ms': encodeMs,
      },
    };
  },
};
