/**
 * What the image Worker costs to run (`cost.js`): Cloudflare's published prices with their
 * sources and the day they were read, the benchmark's CPU time per transformation, and the
 * formulas the README's cost table, the deploy action and the form use.
 */

export const PRICES: {
  /** The day the pricing pages were read (YYYY-MM-DD). */
  readOn: string;
  workers: {
    source: string;
    paidPlanPerMonth: number;
    includedRequestsPerMonth: number;
    includedCpuMsPerMonth: number;
    perMillionRequests: number;
    perMillionCpuMs: number;
    freeCpuMsPerRequest: number;
    freeRequestsPerDay: number;
  };
  images: {
    source: string;
    freeTransformationsPerMonth: number;
    freePlanStopError: number;
    paidIncludedTransformationsPerMonth: number;
    per1000Transformations: number;
  };
  r2: {
    source: string;
    freeStorageGbMonth: number;
    freeClassAPerMonth: number;
    freeClassBPerMonth: number;
    perGbMonth: number;
    perMillionClassA: number;
    perMillionClassB: number;
  };
};

/** One benchmark setting and its measured CPU time per transformation. */
export interface BenchmarkSetting {
  width: number;
  format: string;
  /** Median in-Worker time (decode + resize + encode), taken as CPU time. */
  cpuMs: number;
}

export const BENCHMARK: {
  /** How the figures were measured. */
  run: string;
  settings: BenchmarkSetting[];
};

export type ImagesPlan = 'free' | 'paid';

/** A month's cost on one engine, and how many transformations fail. */
export interface MonthlyCost {
  usd: number;
  served: number;
  /** Transformations past Images Free's allowance (error 9422); 0 otherwise. */
  failed: number;
  /** One sentence for the form and the task log. */
  text: string;
}

export function workersPaidMonthlyCost(requests: number, cpuMs: number): number;
export function wasmCostPer1000(cpuMs: number): number;
export function wasmIncludedPerMonth(cpuMs: number): number;
export function fitsWorkersFree(cpuMs: number): boolean;
export function imagesMonthlyCost(
  plan: ImagesPlan,
  unique: number,
): { usd: number; served: number; failed: number };
export function r2MonthlyCost(usage: {
  gbMonth: number;
  classA: number;
  classB: number;
}): number;
export function engineMonthlyCost(
  options:
    | {
        engine: 'cloudflare';
        transformations: number;
        /** Undefined when the plan is not known. */
        imagesPlan?: ImagesPlan;
      }
    | { engine: 'wasm'; transformations: number; cpuMs: number },
): MonthlyCost;
export function costliestSetting(): BenchmarkSetting;
export function cheapestSetting(): BenchmarkSetting;
