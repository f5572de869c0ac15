// The benchmark's targets (issue 14, "Speed", tightened by issue 25): what the verdict column of
// `yarn bench` checks.

/** One row of the summary: medians over the photos, the peak over all requests. */
export interface SummaryRow {
  width: number;
  format: 'webp' | 'avif';
  /** Median of worker bytes / sharp bytes. */
  bytesRatio: number;
  workerSsim: number;
  sharpSsim: number;
  /** Median in-Worker transform time and sharp's time for the same photos, in ms. */
  transformMs: number;
  sharpMs: number;
  /** Largest WASM memory seen in one request, in bytes. */
  peakWasmBytes: number;
  /** Median of request time minus transform time, in ms. */
  requestOverheadMs: number;
  /**
   * The Worker's CPU estimate for a request (`src/engines/cpuEstimate.ts`) and the median CPU time
   * workerd measured for it over the runs, in ms, for the photo whose estimate is lowest against
   * it.
   * The estimate must be an upper bound: the Worker refuses on it before the runtime would.
   */
  cpuEstimateMs?: number;
  workerCpuMs?: number;
}

/** Transform time at most this many times sharp's, at every width and format. */
export const MAX_TIME_RATIO = 1.5;
/** Output size within this fraction of sharp's. */
export const MAX_BYTES_DEVIATION = 0.05;
/** SSIM at most this much below sharp's. */
export const MAX_SSIM_LOSS = 0.005;
/** Cloudflare's memory limit per isolate, which workerd does not enforce locally. */
export const MAX_WASM_BYTES = 128 * 1024 * 1024;
/** Request time above the transform (origin fetch, parsing, HTTP) under this, in ms ... */
export const MAX_REQUEST_OVERHEAD_MS = 10;
/** ... for outputs up to this width, where the transform is short enough for it to matter. */
export const OVERHEAD_MAX_WIDTH = 400;

/**
 * The targets a summary row misses (`bytes`, `ssim`, `time`, `memory`, `overhead`,
 * `cpu-estimate`); empty when it meets all.
 */
export function misses(row: SummaryRow): string[] {
  return [
    Math.abs(row.bytesRatio - 1) > MAX_BYTES_DEVIATION ? 'bytes' : '',
    row.sharpSsim - row.workerSsim > MAX_SSIM_LOSS ? 'ssim' : '',
    row.transformMs / row.sharpMs > MAX_TIME_RATIO ? 'time' : '',
    row.peakWasmBytes >= MAX_WASM_BYTES ? 'memory' : '',
    row.width <= OVERHEAD_MAX_WIDTH &&
    row.requestOverheadMs >= MAX_REQUEST_OVERHEAD_MS
      ? 'overhead'
      : '',
    row.cpuEstimateMs !== undefined &&
    row.workerCpuMs !== undefined &&
    row.cpuEstimateMs < row.workerCpuMs
      ? 'cpu-estimate'
      : '',
  ].filter(Boolean);
}

/** The targets as the summary's heading states them. */
export function describeTargets(): string {
  return `bytes within ${
    MAX_BYTES_DEVIATION * 100
  }% of sharp, SSIM within ${MAX_SSIM_LOSS} of sharp, transform time at most ${MAX_TIME_RATIO}x sharp for WebP and AVIF, peak WASM memory under ${
    MAX_WASM_BYTES / 1048576
  } MiB, request overhead under ${MAX_REQUEST_OVERHEAD_MS} ms up to ${OVERHEAD_MAX_WIDTH} px, CPU estimate at or above the median measured CPU time`;
}
