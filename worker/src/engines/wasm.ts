import {
  decodePng,
  decodeWebp,
  DEFAULT_QUALITY,
  encodeAvif,
  encodeJpeg,
  encodePng,
  encodeWebp,
} from '../codecs/codecs';
import { readGif } from '../codecs/gif';
import { Imagecore } from '../codecs/imagecore';
import { MemoryMeter } from '../codecs/meter';
import {
  estimatePeakBytes,
  multiScanDecodeBytes,
  WASM_MEMORY_BUDGET,
} from './memoryBudget';
import { admittedCpuMs, estimateCpuMs } from './cpuEstimate';
import contract from '../contract.json';
import type { Pixels } from '../codecs/pixels';
import { codecFailure, HttpError } from '../lib/errors';
import { computeGeometry, jpegShrink, type Geometry } from '../lib/geometry';
import { readImageInfo, type ImageInfo } from '../lib/imageHeader';
import type { Config } from '../lib/config';
import type { OutputFormat, TransformOptions } from '../lib/options';
import {
  animationPeakBytes,
  encodeAnimatedGif,
  fitsAnimationBudget,
} from './wasmAnimation';
import { underlay } from '../photo/background';
import { srgbConversion } from '../photo/icc';
import {
  exifCopyright,
  exifWithCopyright,
  exifWithoutRotation,
  inflateIcc,
  insertJpegMetadata,
  readMetadata,
  xmpWithoutRotation,
  type SourceMetadata,
} from '../photo/metadata';
import {
  applyOrientation,
  displayedSize,
  storedRect,
  swapsAxes,
} from '../photo/orientation';
import { attentionFocus } from '../photo/saliency';
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
  return info.type === 'png' || info.type === 'gif' ? 'png' : 'jpeg';
}

function decodeFailure(info: ImageInfo, error: unknown): never {
  if (error instanceof HttpError) throw error;
  const failure = codecFailure(error);
  if (failure instanceof HttpError && failure.failure === 'memory-limit') {
    throw failure;
  }
  throw new HttpError(
    422,
    `Source image could not be decoded as ${info.type.toUpperCase()}`,
  );
}

/** Decodes a PNG, WebP or GIF (its first frame) whole; JPEGs are left to imagecore. */
async function decodeWhole(
  info: ImageInfo,
  source: Uint8Array,
  meter: MemoryMeter,
): Promise<Pixels | undefined> {
  if (info.type === 'jpeg') return undefined;
  if (info.type === 'gif') {
    const first = readGif(source).frames().next();
    if (first.done) throw new HttpError(422, 'The GIF has no frames');
    meter.hold(first.value.pixels.data.buffer);
    return first.value.pixels;
  }
  if (info.type !== 'png' && info.type !== 'webp') {
    throw new HttpError(
      415,
      `The wasm engine cannot decode ${info.type.toUpperCase()} sources`,
    );
  }
  let decoded: Pixels;
  try {
    decoded =
      info.type === 'png'
        ? decodePng(source, meter)
        : await decodeWebp(source, meter);
  } catch (error) {
    decodeFailure(info, error);
  }
  meter.hold(decoded.data.buffer);
  return decoded;
}

/** A small copy of the image (stored orientation) for `gravity=auto` to judge. */
function previewOf(
  source: Uint8Array,
  decoded: Pixels | undefined,
  meter: MemoryMeter,
): Pixels {
  if (decoded) return decoded;
  const core = new Imagecore(meter);
  try {
    const input = core.put(source);
    const out = core.decodeJpeg(input, source.length, 8);
    return core.take(out.ptr, out.width, out.height);
  } finally {
    core.dispose();
  }
}

/**
 * Decodes and resizes in one imagecore instance. JPEGs are decoded already scaled down by 2, 4
 * or 8 in the DCT domain when the output is at least that much smaller (as libvips and sharp
 * do), which skips most of the decoding work and memory; other formats arrive decoded. The
 * geometry is in stored pixels (before orientation).
 */
function decodeAndResize(
  info: ImageInfo,
  source: Uint8Array,
  decoded: Pixels | undefined,
  geometry: Geometry,
  meter: MemoryMeter,
): { pixels: Pixels; scale: number } {
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

/** The size the request asks for, with `dpr` applied (Cloudflare multiplies `w` and `h`). */
export function requestedSize(options: TransformOptions): {
  width?: number;
  height?: number;
} {
  const dpr = options.dpr ?? 1;
  const scale = (v: number | undefined) =>
    v === undefined ? undefined : Math.max(1, Math.round(v * dpr));
  return { width: scale(options.width), height: scale(options.height) };
}

/**
 * The output geometry on the image as displayed (after EXIF orientation), with the crop placed by
 * `gravity`: a focal point, or for `auto` the most salient part of a preview.
 */
function displayedGeometry(
  options: TransformOptions,
  size: { width: number; height: number },
  orientation: number,
  preview: () => Pixels,
): Geometry {
  const { width, height } = requestedSize(options);
  const gravity = options.gravity;
  const focus = gravity === 'auto' ? undefined : gravity;
  const geometry = computeGeometry(
    size.width,
    size.height,
    options.fit,
    width,
    height,
    focus,
  );
  const cropped =
    geometry.crop.width < size.width || geometry.crop.height < size.height;
  if (gravity !== 'auto' || !cropped) return geometry;
  const shown = applyOrientation(preview(), orientation);
  const auto = attentionFocus(
    shown,
    size.width,
    size.height,
    geometry.crop.width,
    geometry.crop.height,
  );
  return computeGeometry(
    size.width,
    size.height,
    options.fit,
    width,
    height,
    auto,
  );
}

/** The same geometry in stored pixels: the crop mapped back, the output axes swapped if turned. */
function storedGeometry(
  geometry: Geometry,
  info: ImageInfo,
  orientation: number,
): Geometry {
  const swap = swapsAxes(orientation);
  return {
    crop: storedRect(geometry.crop, info.width, info.height, orientation),
    width: swap ? geometry.height : geometry.width,
    height: swap ? geometry.width : geometry.height,
  };
}

/** The EXIF and XMP a JPEG output carries for Cloudflare's `metadata` modes. */
function outputMetadata(
  meta: SourceMetadata,
  mode: TransformOptions['metadata'],
): { exif?: Uint8Array; xmp?: Uint8Array } {
  if (mode === 'keep') {
    return {
      exif: meta.exif && exifWithoutRotation(meta.exif),
      xmp: meta.xmp && xmpWithoutRotation(meta.xmp),
    };
  }
  if (mode === 'copyright') {
    const copyright = exifCopyright(meta.exif);
    return { exif: copyright && exifWithCopyright(copyright) };
  }
  return {};
}

/** The output geometry as the header alone gives it (stored orientation, no `gravity=auto`). */
function headerGeometry(options: TransformOptions, info: ImageInfo): Geometry {
  const { width, height } = requestedSize(options);
  const shown = displayedSize(info.width, info.height, 1);
  return computeGeometry(shown.width, shown.height, options.fit, width, height);
}

/** The request's estimated peak memory, from the header and the options (`memoryBudget`). */
function peakEstimate(
  options: TransformOptions,
  target: TransformRequest['target'],
  info: ImageInfo,
  sourceBytes: number,
  source?: Uint8Array,
): number {
  const geometry = headerGeometry(options, info);
  const format = target === 'original' ? originalFormat(info) : target;
  const input = { sourceBytes, info, geometry, format };
  const still = estimatePeakBytes(input);
  const gif =
    info.type === 'gif' && options.anim && source ? readGif(source) : undefined;
  if (!gif || gif.frameCount < 2) return still;
  return Math.max(
    still,
    estimatePeakBytes({
      ...input,
      animationBytes: animationPeakBytes(gif, geometry),
    }),
  );
}

/**
 * The request's estimated CPU time (`cpuEstimate`), from the header and the options, with the
 * format and animation the engine will pick below. Undefined when the output is past the
 * engine's output limits, which are refused with their own 422 further on.
 */
function cpuEstimate(
  options: TransformOptions,
  target: TransformRequest['target'],
  info: ImageInfo,
  sourceBytes: number,
  config: Config,
  source?: Uint8Array,
): { ms: number; format: OutputFormat; animated: boolean } | undefined {
  const geometry = headerGeometry(options, info);
  const out = geometry.width * geometry.height;
  if (out > config.maxOutputPixels) return undefined;
  let format = target === 'original' ? originalFormat(info) : target;
  const animatable =
    info.type === 'gif' &&
    options.anim &&
    source !== undefined &&
    (format === 'webp' || (format === 'avif' && options.format === 'auto'));
  const frames = animatable ? readGif(source).frameCount : 1;
  const animated = frames > 1;
  if (animated) {
    format = 'webp';
  } else if (format === 'avif' && out > AVIF_MAX_OUTPUT_PIXELS) {
    if (options.format !== 'auto') return undefined;
    format = 'webp';
  }
  const cropped =
    geometry.crop.width < info.width || geometry.crop.height < info.height;
  const ms = estimateCpuMs({
    info,
    sourceBytes,
    geometry,
    format,
    avifSpeed: config.avifSpeed,
    frames: animated ? frames : undefined,
    preview: options.gravity === 'auto' && cropped,
  });
  return { ms, format, animated };
}

/**
 * Refuses, with 422 `cpu-limit`, a request whose CPU estimate is above the share of
 * `CPU_LIMIT_MS` the Worker admits (`contract.cpu.admitFraction`); returns the estimate.
 */
function checkCpu(...args: Parameters<typeof cpuEstimate>): number | undefined {
  const estimate = cpuEstimate(...args);
  if (!estimate) return undefined;
  const limit = args[4].cpuLimitMs;
  if (estimate.ms > admittedCpuMs(limit)) {
    const advice = [
      'ask for a smaller w or h',
      ...(estimate.format === 'avif' ? ['or f=webp'] : []),
      ...(estimate.animated ? ['or anim=false for a still'] : []),
    ];
    throw new HttpError(
      422,
      `This transformation would need about ${
        estimate.ms
      } ms of CPU; this Worker's CPU limit is ${limit} ms (${
        contract.bindings.cpuLimitMs
      }) and it takes requests up to ${Math.round(
        contract.cpu.admitFraction * 100,
      )} % of it: ${advice.join(', ')}`,
      'cpu-limit',
    );
  }
  return estimate.ms;
}

/**
 * Refuses a multi-scan (progressive) JPEG whose decode alone would need more than the isolate's
 * whole memory budget: libjpeg holds its coefficients for the whole image while it decodes.
 */
function checkMemory(
  options: TransformOptions,
  target: TransformRequest['target'],
  info: ImageInfo,
  sourceBytes: number,
): void {
  const geometry = headerGeometry(options, info);
  const format = target === 'original' ? originalFormat(info) : target;
  const needed = multiScanDecodeBytes({ sourceBytes, info, geometry, format });
  if (needed === undefined || needed <= WASM_MEMORY_BUDGET) return;
  const mib = (bytes: number) => Math.ceil(bytes / 1048576);
  throw new HttpError(
    422,
    `This ${info.width}x${
      info.height
    } JPEG is progressive (or has a scan per colour component), so the wasm engine holds all of it while decoding: about ${mib(
      needed,
    )} MiB, more than the ${mib(
      WASM_MEMORY_BUDGET,
    )} MiB it gives one image: send a baseline JPEG or a smaller image, or deploy the cloudflare engine`,
    'progressive-too-large',
  );
}

/** Decode, resize and encode inside the Worker, one short-lived codec instance at a time. */
export const wasmEngine: Engine = {
  name: 'wasm',
  async transform({
    options,
    target,
    config,
    admit,
  }: TransformRequest): Promise<TransformResult> {
    const policy = {
      allowList: config.allowList,
      timeoutMs: config.originTimeoutMs,
    };
    const fetchStarted = Date.now();
    const { response, signal } = await fetchOrigin(options.source, policy);
    checkOriginResponse(response);
    // Memory is reserved from the header, before the rest of the body is read (GIFs, whose
    // frames decide the estimate, once they are whole); the rest of the checks follow below.
    const source = await readLimited(
      response,
      config.maxSourceBytes,
      signal,
      policy,
      async (head, declared) => {
        const first = readImageInfo(head);
        if (!first || first.type === 'gif' || first.type === 'avif') return;
        if (first.width * first.height > config.maxPixels) return;
        // Too costly for the CPU limit: refused before the body is read (when its length is known).
        if (declared !== undefined) {
          checkCpu(options, target, first, declared, config);
          checkMemory(options, target, first, declared);
        }
        const bytes = declared ?? config.maxSourceBytes;
        await admit?.(peakEstimate(options, target, first, bytes));
      },
    );

    // Origin round trip and body, the memory wait included (the log line has that wait apart).
    const originMs = Date.now() - fetchStarted;
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
    if (info.type === 'avif') {
      throw new HttpError(415, 'The wasm engine cannot decode AVIF sources');
    }
    // Refuses what the CPU limit cannot take, then waits for room in the isolate's memory
    // budget (if not yet reserved), both before anything is decoded.
    const cpuEstimateMs = checkCpu(
      options,
      target,
      info,
      source.length,
      config,
      source,
    );
    checkMemory(options, target, info, source.length);
    await admit?.(peakEstimate(options, target, info, source.length, source));
    const meta = readMetadata(source, info.type);
    const orientation = meta.orientation;
    const icc =
      meta.icc ??
      (meta.iccCompressed ? await inflateIcc(meta.iccCompressed) : undefined);
    const toSrgb = srgbConversion(icc);

    const meter = new MemoryMeter();
    meter.hold(source.buffer);
    const started = Date.now();
    let decoded = await decodeWhole(info, source, meter);
    const geometry = displayedGeometry(
      options,
      displayedSize(info.width, info.height, orientation),
      orientation,
      () => previewOf(source, decoded, meter),
    );
    const outputPixels = geometry.width * geometry.height;
    if (outputPixels > config.maxOutputPixels) {
      throw new HttpError(
        422,
        `Output would be ${geometry.width}x${geometry.height}; the wasm engine's limit is ${config.maxOutputPixels} pixels (ask for a smaller w or h)`,
      );
    }
    let format = target === 'original' ? originalFormat(info) : target;
    // Animations become animated WebP: for f=webp, or f=auto when the browser takes WebP or
    // AVIF (there is no animated AVIF encoder here). An explicit f=avif gets the first frame.
    const animated =
      info.type === 'gif' &&
      options.anim &&
      (format === 'webp' || (format === 'avif' && options.format === 'auto'));
    if (animated) {
      const gif = readGif(source);
      if (gif.frameCount > 1) {
        if (decoded) meter.drop(decoded.data.buffer);
        decoded = undefined;
        if (!fitsAnimationBudget(gif, geometry)) {
          throw new HttpError(
            422,
            `Animated GIF of ${gif.frameCount} frames at ${geometry.width}x${geometry.height} does not fit the wasm engine's memory; ask for a smaller w or h, or anim=false for a still`,
          );
        }
        const body = await encodeAnimatedGif(gif, geometry, {
          quality: options.quality ?? DEFAULT_QUALITY.webp,
          background: options.background,
          toSrgb,
          meter,
        });
        meter.drop(source.buffer);
        return {
          body,
          contentType: CONTENT_TYPES.webp,
          bytesIn: source.length,
          wasmPeakBytes: meter.peak,
          detail: {
            source: `gif ${info.width}x${info.height}`,
            frames: gif.frameCount,
            'origin-ms': originMs,
            'transform-ms': Date.now() - started,
            ...(cpuEstimateMs !== undefined
              ? { 'cpu-estimate-ms': cpuEstimateMs }
              : {}),
          },
        };
      }
    }
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

    const { pixels: stored, scale } = decodeAndResize(
      info,
      source,
      decoded,
      storedGeometry(geometry, info, orientation),
      meter,
    );
    decoded = undefined;
    meter.drop(source.buffer);
    const pixels = applyOrientation(stored, orientation);
    if (pixels !== stored) {
      meter.drop(stored.data.buffer);
      meter.hold(pixels.data.buffer);
    }
    toSrgb?.(pixels);
    if (options.background) underlay(pixels, options.background);
    const resizeMs = Date.now() - started;
    let body = await encode(
      pixels,
      format,
      options.quality,
      config.avifSpeed,
      meter,
    );
    meter.drop(pixels.data.buffer);
    if (format === 'jpeg' && options.metadata !== 'none') {
      const { exif, xmp } = outputMetadata(meta, options.metadata);
      body = insertJpegMetadata(body, exif, xmp);
    }
    const encodeMs = Date.now() - started - resizeMs;
    return {
      body,
      contentType: CONTENT_TYPES[format],
      bytesIn: source.length,
      wasmPeakBytes: meter.peak,
      detail: {
        source: `${info.type} ${info.width}x${info.height}`,
        orientation,
        crop: `${geometry.crop.x},${geometry.crop.y},${geometry.crop.width}x${geometry.crop.height}`,
        'colour-managed': toSrgb ? 'yes' : 'no',
        'decode-scale': `1/${scale}`,
        'origin-ms': originMs,
        'decode-resize-ms': resizeMs,
        'encode-ms': encodeMs,
        ...(cpuEstimateMs !== undefined
          ? { 'cpu-estimate-ms': cpuEstimateMs }
          : {}),
      },
    };
  },
};
