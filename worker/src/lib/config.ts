import contract from '../contract.json';
import { parseAllowList } from './allowList';

/** Binding names, from the contract. */
const B = contract.bindings;

/** Bindings the Worker reads; all are plain-text vars except `SIGNING_KEY`, a secret. */
export interface Env {
  /** `cloudflare` (Image Transformations) or `wasm` (codecs in the Worker). Default `wasm`. */
  ENGINE?: string;
  /** Comma-separated host names images may be fetched from (`*.example.com` for subdomains). */
  ALLOWED_ORIGINS?: string;
  /** When set, every request must be signed with it. */
  SIGNING_KEY?: string;
  MAX_SOURCE_BYTES?: string;
  MAX_PIXELS?: string;
  ORIGIN_TIMEOUT_MS?: string;
  /** Largest output (width x height) the wasm engine produces. */
  MAX_OUTPUT_PIXELS?: string;
  /** AVIF encoder speed of the wasm engine, 0 (slowest, smallest) to 10; default 5. */
  AVIF_SPEED?: string;
  /**
   * The CPU limit per request the Worker runs under, in ms: the script's `limits.cpu_ms`, which
   * the deploy action sets to the same value. The wasm engine refuses a request whose CPU estimate
   * is above most of it (`engines/cpuEstimate`). Default: Workers Paid's default, 30 s.
   */
  CPU_LIMIT_MS?: string;
  /** `true` adds an `X-Image-Debug` header with engine details and peak WASM memory. */
  DEBUG_HEADERS?: string;
  /** Optional R2 bucket that keeps every derivative once for all locations (`lib/derivatives`). */
  DERIVATIVES?: R2Bucket;
}

export type EngineName = 'cloudflare' | 'wasm';

export interface Config {
  engine: EngineName;
  allowList: string[];
  signingKey?: string;
  maxSourceBytes: number;
  maxPixels: number;
  originTimeoutMs: number;
  maxOutputPixels: number;
  avifSpeed: number;
  cpuLimitMs: number;
  debugHeaders: boolean;
}

/**
 * What the Worker uses when a binding is unset: `src/contract.json`'s defaults. `avifSpeed` 5 is
 * sharp's default AVIF effort 4 (libaom speed = 9 - effort).
 */
export const DEFAULTS = {
  maxSourceBytes: contract.defaults.maxSourceBytes,
  maxPixels: contract.defaults.maxPixels,
  originTimeoutMs: contract.defaults.originTimeoutMs,
  maxOutputPixels: contract.defaults.maxOutputPixels,
  avifSpeed: contract.defaults.avifSpeed,
  cpuLimitMs: contract.defaults.cpuLimitMs,
};

function positive(
  value: string | undefined,
  name: string,
  fallback: number,
): number {
  if (value === undefined || value.trim() === '') return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed <= 0) {
    throw new Error(`Binding ${name} must be a positive whole number`);
  }
  return parsed;
}

function avifSpeed(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULTS.avifSpeed;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 10) {
    throw new Error(
      `Binding ${B.avifSpeed} must be a whole number from 0 to 10`,
    );
  }
  return parsed;
}

/**
 * `CPU_LIMIT_MS`: a whole number of ms in the range Cloudflare accepts for `limits.cpu_ms`
 * (`contract.limits.cpuLimitMs`: up to 300,000 ms on Workers Paid, whose default is 30,000 ms;
 * developers.cloudflare.com/workers/platform/limits/, "CPU time", read 2026-12-07).
 */
function cpuLimitMs(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULTS.cpuLimitMs;
  const { min, max } = contract.limits.cpuLimitMs;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new Error(
      `Binding ${B.cpuLimitMs} must be a whole number of ms from ${min} to ${max}`,
    );
  }
  return parsed;
}

/** Reads the bindings; a misconfigured binding throws (the Worker answers 500 and logs it). */
export function readConfig(env: Env): Config {
  const engine = (env.ENGINE ?? contract.defaults.engine).trim().toLowerCase();
  if (engine !== 'cloudflare' && engine !== 'wasm') {
    throw new Error(
      `Binding ${B.engine} must be ${contract.engines
        .map(e => `"${e}"`)
        .join(' or ')}`,
    );
  }
  return {
    engine,
    allowList: parseAllowList(env.ALLOWED_ORIGINS),
    signingKey: env.SIGNING_KEY ? env.SIGNING_KEY : undefined,
    maxSourceBytes: positive(
      env.MAX_SOURCE_BYTES,
      B.maxSourceBytes,
      DEFAULTS.maxSourceBytes,
    ),
    maxPixels: positive(env.MAX_PIXELS, B.maxPixels, DEFAULTS.maxPixels),
    originTimeoutMs: positive(
      env.ORIGIN_TIMEOUT_MS,
      B.originTimeoutMs,
      DEFAULTS.originTimeoutMs,
    ),
    avifSpeed: avifSpeed(env.AVIF_SPEED),
    maxOutputPixels: positive(
      env.MAX_OUTPUT_PIXELS,
      B.maxOutputPixels,
      DEFAULTS.maxOutputPixels,
    ),
    cpuLimitMs: cpuLimitMs(env.CPU_LIMIT_MS),
    debugHeaders: env.DEBUG_HEADERS === 'true',
  };
}
