/**
 * One memory budget per isolate for the wasm engine. Cloudflare's limit is per isolate, not per
 * request (cloudflare-docs `workers/platform/limits.mdx`: "Each Workers instance can consume up to
 * 128 MB … If a Worker processes a request that pushes the Worker over the 128 MB limit, the
 * runtime may cancel one or more requests"), and one isolate serves many requests at once. So
 * each request reserves its estimated peak here before it decodes anything; a request that does
 * not fit waits in a bounded queue (first come, first served) and is refused with 503 and
 * `Retry-After` when the queue is full or its wait runs out.
 */
import contract from '../contract.json';
import { HttpError } from '../lib/errors';
import { jpegShrink, type Geometry } from '../lib/geometry';
import type { ImageInfo } from '../lib/imageHeader';
import type { OutputFormat } from '../lib/options';

/** Cloudflare's 128 MB per isolate less room for the runtime and the Worker's own JavaScript. */
export const WASM_MEMORY_BUDGET = contract.isolate.wasmMemoryBudgetBytes;

const MIB = 1024 * 1024;

/**
 * Encoder working memory: a fixed part plus bytes per output pixel, measured in workerd with the
 * `wasm-peak-bytes` debug figure (test/worker.test.mts, "wasm engine memory", checks that every
 * estimate stays above the measured peak).
 */
const ENCODERS: Record<OutputFormat, { fixed: number; perPixel: number }> = {
  avif: { fixed: 8 * MIB, perPixel: 66 },
  jpeg: { fixed: 18 * MIB, perPixel: 18 },
  webp: { fixed: 2 * MIB, perPixel: 12 },
  png: { fixed: 1 * MIB, perPixel: 16 },
};

export interface PeakInput {
  sourceBytes: number;
  info: ImageInfo;
  /** The crop and output size (on the image as displayed; areas and ratios are what count). */
  geometry: Geometry;
  format: OutputFormat;
  /** When the GIF becomes an animation: its own estimate (`animationPeakBytes`). */
  animationBytes?: number;
}

/**
 * A multi-scan JPEG's whole-image coefficient buffer (`ImageInfo.coefficientBytes`) as it weighs
 * in imagecore's memory: the buffer itself, plus what emscripten's heap adds when it grows in
 * steps of 20 % (`MEMORY_GROWTH_GEOMETRIC_STEP`'s default) to make room for it. Measured: a
 * 4000 x 3000 progressive 4:4:4 JPEG (69 MiB of coefficients) peaks at 73 MiB to 400 px WebP,
 * 84 MiB to 1280 px and 114 MiB to 2309 px (test/worker.test.mts, "wasm engine memory").
 */
const COEFFICIENT_GROWTH = 1.2;

/**
 * The most memory a wasm request can hold, from its header alone: the source, the decode (a JPEG
 * at its DCT scale, plus a multi-scan JPEG's coefficient buffer at full size; other formats whole,
 * in the codec, in JavaScript and in imagecore), the resized pixels (three copies: imagecore's,
 * JavaScript's, the turned one) and the encoder. Animations use the animation estimate
 * (`animationPeakBytes`).
 */
export function estimatePeakBytes(input: PeakInput): number {
  const { info, geometry, sourceBytes } = input;
  if (input.animationBytes !== undefined) {
    return sourceBytes + input.animationBytes;
  }
  const outPixels = geometry.width * geometry.height;
  const sourcePixels = info.width * info.height;
  const shrink = info.type === 'jpeg' ? jpegShrink(geometry) : 1;
  const decode =
    info.type === 'jpeg'
      ? sourceBytes +
        (sourcePixels / (shrink * shrink)) * 4 +
        coefficientPeak(info)
      : sourcePixels * 4 * 3;
  const resized = outPixels * 4 * 3;
  const encoder = ENCODERS[input.format];
  const encode = encoder.fixed + encoder.perPixel * outPixels;
  return Math.ceil(sourceBytes + Math.max(decode, encode) + resized);
}

/** What a multi-scan JPEG's coefficient buffer adds to the decoder's memory (0 for others). */
function coefficientPeak(info: ImageInfo): number {
  return (info.coefficientBytes ?? 0) * COEFFICIENT_GROWTH;
}

/**
 * For a multi-scan JPEG, the memory its decode alone needs, which cannot be shared with another
 * request or cut by asking for a smaller output: the source, the coefficient buffer, imagecore's
 * half-resized rows (the output width by the rows decoded at the DCT scale) and the output.
 * Undefined for every other source. The engine refuses the request when this is past the whole
 * budget (422 `progressive-too-large`).
 */
export function multiScanDecodeBytes(input: PeakInput): number | undefined {
  const { info, geometry, sourceBytes } = input;
  if (info.type !== 'jpeg' || !info.coefficientBytes) return undefined;
  const decodedRows = Math.ceil(info.height / jpegShrink(geometry));
  const halfResized = geometry.width * decodedRows * 4;
  const output = geometry.width * geometry.height * 4;
  return Math.ceil(sourceBytes + coefficientPeak(info) + halfResized + output);
}

/** A reservation; `release` gives the bytes back (once). */
export interface Lease {
  /** Bytes reserved: the estimate, or the whole budget when the estimate is larger. */
  readonly bytes: number;
  /** Bytes reserved by every request in this isolate, this one included, when it was admitted. */
  readonly inUse: number;
  readonly waitedMs: number;
  release(): void;
}

interface Held {
  bytes: number;
  since: number;
}

interface Waiter {
  bytes: number;
  deadline: number;
  wake: () => void;
}

export interface BudgetSettings {
  capacity: number;
  queueLength: number;
  queueTimeoutMs: number;
  retryAfterSeconds: number;
  /** A reservation older than this is taken as abandoned (its request was cancelled). */
  leaseMaxMs: number;
  now?: () => number;
}

export class MemoryBudget {
  private readonly held = new Set<Held>();
  private readonly waiters: Waiter[] = [];
  private readonly now: () => number;

  constructor(private readonly settings: BudgetSettings) {
    this.now = settings.now ?? Date.now;
  }

  /** Bytes reserved right now. */
  inUse(): number {
    const oldest = this.now() - this.settings.leaseMaxMs;
    let total = 0;
    for (const entry of this.held) {
      if (entry.since < oldest) this.held.delete(entry);
      else total += entry.bytes;
    }
    return total;
  }

  /** Waits until `estimate` bytes fit; rejects with a 503 `memory-busy` HttpError. */
  async acquire(estimate: number): Promise<Lease> {
    const { capacity, queueLength, queueTimeoutMs } = this.settings;
    const bytes = Math.max(0, Math.min(Math.ceil(estimate), capacity));
    const started = this.now();
    this.dropAbandonedWaiters();
    if (this.waiters.length === 0 && this.fits(bytes)) {
      return this.grant(bytes, started);
    }
    if (this.waiters.length >= queueLength) {
      throw this.busy(`${queueLength} requests are already waiting for memory`);
    }
    const waiter: Waiter = {
      bytes,
      deadline: started + queueTimeoutMs,
      wake: () => undefined,
    };
    this.waiters.push(waiter);
    try {
      for (;;) {
        const remaining = waiter.deadline - this.now();
        if (remaining <= 0) {
          throw this.busy(`no memory came free within ${queueTimeoutMs} ms`);
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>(resolve => {
          waiter.wake = resolve;
          timer = setTimeout(resolve, remaining);
        });
        if (timer !== undefined) clearTimeout(timer);
        this.dropAbandonedWaiters();
        if (this.waiters[0] === waiter && this.fits(bytes)) {
          this.waiters.shift();
          return this.grant(bytes, started);
        }
      }
    } finally {
      const index = this.waiters.indexOf(waiter);
      if (index >= 0) this.waiters.splice(index, 1);
      this.waiters[0]?.wake();
    }
  }

  private fits(bytes: number): boolean {
    return this.inUse() + bytes <= this.settings.capacity;
  }

  private grant(bytes: number, started: number): Lease {
    const entry: Held = { bytes, since: this.now() };
    this.held.add(entry);
    const inUse = this.inUse();
    let released = false;
    return {
      bytes,
      inUse,
      waitedMs: entry.since - started,
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(entry);
        this.waiters[0]?.wake();
      },
    };
  }

  /** A waiter past its deadline by a second is gone (its request was cancelled while waiting). */
  private dropAbandonedWaiters(): void {
    const limit = this.now() - 1000;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      if (this.waiters[i].deadline < limit) this.waiters.splice(i, 1);
    }
  }

  private busy(reason: string): HttpError {
    const inUseMiB = Math.round(this.inUse() / MIB);
    const capacityMiB = Math.round(this.settings.capacity / MIB);
    return new HttpError(
      503,
      `The Worker is busy with other images (${inUseMiB} of its ${capacityMiB} MiB memory budget in use; ${reason}); retry shortly`,
      'memory-busy',
      { 'Retry-After': String(this.settings.retryAfterSeconds) },
    );
  }
}

/** The isolate's budget: module scope, so every request this isolate serves shares it. */
export const isolateBudget = new MemoryBudget({
  capacity: WASM_MEMORY_BUDGET,
  queueLength: contract.isolate.queueLength,
  queueTimeoutMs: contract.isolate.queueTimeoutMs,
  retryAfterSeconds: contract.isolate.retryAfterSeconds,
  leaseMaxMs: contract.isolate.leaseMaxMs,
});
