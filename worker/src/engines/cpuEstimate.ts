/**
 * The CPU time a wasm request will take, estimated from the source's header and the options before
 * anything is decoded, so that a request too costly for the Worker's CPU limit is refused with a
 * 422 naming the cause instead of being ended by the runtime (error 1102, no log line). The
 * runtime's limit cannot be caught; this estimate is the only way to answer for it.
 *
 * Where the numbers come from: `bench/cpuCalibrate.mts` measured workerd's CPU time per request
 * (its threads' schedstat) and the Worker's own decode-and-resize and encode times on the
 * 2-core development machine (load average 0.3-0.8), for JPEG photos of the mate corpus
 * (1.3-4.9 MP, every DCT scale), synthetic 1.9 MP PNG and WebP and a 0.5 MP GIF, to WebP, JPEG,
 * PNG and AVIF at 16-2309 px. Each coefficient below is about the largest per-pixel (or
 * per-byte) cost seen for its part, and the sum is multiplied by {@link SAFETY_MARGIN}; `yarn
 * bench` prints the estimate beside the measured CPU time of every row and its verdict misses
 * `cpu-estimate` when the estimate is below it. Cloudflare's machines were not measured: a slower
 * CPU there eats into the margin, and the Worker refuses only above `contract.cpu.admitFraction`
 * (80 %) of the limit for the same reason. A request the estimate lets through can still be ended
 * by the runtime; Workers Logs counts it as outcome `exceededCpu`.
 *
 * The cloudflare engine needs no estimate: it only checks the request and reads the source's
 * header; Cloudflare's resizer decodes, resizes and encodes outside the Worker, and that time is
 * not the Worker's CPU time.
 */
import contract from '../contract.json';
import { jpegShrink, type Geometry } from '../lib/geometry';
import type { ImageInfo } from '../lib/imageHeader';
import type { OutputFormat } from '../lib/options';

const NS = 1e-6; // ms per ns

/** The sum of the parts is multiplied by this: the estimate must stay above what is measured. */
export const SAFETY_MARGIN = 1.5;

/** The Worker refuses a request whose estimate is above this fraction of its CPU limit. */
export const ADMIT_FRACTION = contract.cpu.admitFraction;

/**
 * Parsing, the origin fetch, the cache key and the response: a 64 x 48 image costs 3 ms on a
 * quiet machine; the benchmark's small outputs at load average 2.5-2.8 needed the rest.
 */
const FIXED_MS = 10;

/**
 * Per source byte: reading the body from the origin, the header and metadata scans, and a JPEG's
 * entropy decoding, which costs the same at every DCT scale (measured 27 ns/byte for a 4.9 MB
 * PNG, 10-25 for JPEGs).
 */
const PER_SOURCE_BYTE_NS = 30;

/** Per decoded source pixel (a JPEG's at its DCT scale), by source type. */
const DECODE_NS: Record<ImageInfo['type'], number> = {
  jpeg: 15, // imagecore: IDCT, colour conversion and the resampler's input rows
  png: 15, // jSquash's PNG decoder, besides the bytes
  webp: 45, // libwebp's decoder
  gif: 70, // omggif, in JavaScript, one canvas per frame
  avif: 0, // refused by the wasm engine before this is asked
};

/**
 * Per coefficient of a multi-scan (progressive) JPEG, `ImageInfo.coefficientBytes` / 2: its scans
 * are decoded into a coefficient buffer for the whole image at full size, whatever the DCT scale,
 * and read back for the IDCT. Measured 3.5-5.0 ns per coefficient more than the same photo as a
 * baseline JPEG (imagecore in Node; 2560 x 1600 and 1680 x 1050, 4:2:0 and 4:4:4, to 400 and
 * 1280 px): 30-50 ms more for a 4 MP photo.
 */
const MULTI_SCAN_NS = 5;

/** Per output pixel whatever the format: resampling, copies, orientation, ICC, background. */
const OUTPUT_NS = 40;

/**
 * Per output pixel, by format (AVIF at `AVIF_SPEED` 5): libwebp 80-160 ns measured (the most for
 * noise), MozJPEG 125-155, PNG 5-26, libaom 2,100-7,000 depending on the photo (the 12 mate
 * photos at 400 and 1280 px: 2.1-7.2 s of CPU for 1 MP; Dune.jpg is the costliest).
 */
const ENCODE_NS: Record<OutputFormat, number> = {
  webp: 110,
  jpeg: 160,
  png: 30,
  avif: 6000,
};

/** A fixed part of the AVIF encoder (its set-up), what small outputs cost more per pixel. */
const AVIF_FIXED_MS = 100;

/**
 * How much slower AVIF is at `AVIF_SPEED` below 5, per step (measured 1.6-1.75x per step from
 * speed 5 to 3); faster speeds keep the speed 5 figure, an upper bound for them (speed 8
 * measured 3-20x faster).
 */
const AVIF_SLOWER_PER_STEP = 1.8;

export interface CpuInput {
  info: ImageInfo;
  sourceBytes: number;
  /** The crop and output size (areas and ratios are what count, not the orientation). */
  geometry: Geometry;
  format: OutputFormat;
  avifSpeed: number;
  /** An animated GIF that becomes an animated WebP: its frame count (each decoded and encoded). */
  frames?: number;
  /** `gravity=auto` with a crop: a preview is decoded (a JPEG at 1/8) and judged first. */
  preview?: boolean;
}

/** The estimated CPU time of a wasm request, in ms, rounded up. */
export function estimateCpuMs(input: CpuInput): number {
  const { info, geometry, sourceBytes } = input;
  const out = geometry.width * geometry.height;
  const sourcePixels = info.width * info.height;
  const shrink = info.type === 'jpeg' ? jpegShrink(geometry) : 1;
  const decoded = sourcePixels / (shrink * shrink);
  // A multi-scan JPEG's scans, as often as it is decoded (twice with a preview).
  const scans =
    info.type === 'jpeg'
      ? (MULTI_SCAN_NS * (info.coefficientBytes ?? 0)) / 2
      : 0;
  let ns = PER_SOURCE_BYTE_NS * sourceBytes + scans;
  if (input.frames !== undefined && input.frames > 1) {
    // Every frame: composited on a canvas, resized and encoded as a still WebP.
    ns +=
      input.frames *
      (DECODE_NS.gif * sourcePixels + (OUTPUT_NS + ENCODE_NS.webp) * out);
  } else {
    ns += DECODE_NS[info.type] * decoded + (OUTPUT_NS + encodeNs(input)) * out;
  }
  if (input.preview) {
    // The preview decodes the JPEG once more (at 1/8) or reuses the decoded pixels.
    ns +=
      info.type === 'jpeg'
        ? PER_SOURCE_BYTE_NS * sourceBytes +
          scans +
          DECODE_NS.jpeg * (sourcePixels / 64)
        : DECODE_NS.jpeg * sourcePixels;
  }
  const avifFixed =
    input.format === 'avif' && !input.frames ? AVIF_FIXED_MS : 0;
  return Math.ceil(SAFETY_MARGIN * (FIXED_MS + avifFixed + ns * NS));
}

function encodeNs(input: CpuInput): number {
  if (input.format !== 'avif') return ENCODE_NS[input.format];
  const slower = Math.max(0, 5 - input.avifSpeed);
  return ENCODE_NS.avif * AVIF_SLOWER_PER_STEP ** slower;
}

/** The most an estimate may be for a Worker with this CPU limit to take the request. */
export function admittedCpuMs(cpuLimitMs: number): number {
  return Math.floor(cpuLimitMs * ADMIT_FRACTION);
}
