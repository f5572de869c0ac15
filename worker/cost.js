// What the image Worker costs to run, defined once: Cloudflare's published prices (each with the
// page it is from and the day it was read), the CPU time the benchmark measured per
// transformation, and the formulas. bench/cost.mts prints the README's table from it,
// test/cost.test.mts checks the formulas against the worked examples on the pricing pages, and
// the deploy action and the form's engine field (through the scaffolder backend) read it.
// Plain CommonJS, typed by cost.d.ts, so that Node, the Worker's tests and the backend share it.
'use strict';

/** The day the pricing pages below were read. */
const PRICES_READ_ON = '2026-12-07';

/** Published prices in USD, as the cited pages state them. */
const PRICES = {
  readOn: PRICES_READ_ON,
  workers: {
    source: 'https://developers.cloudflare.com/workers/platform/pricing/',
    /** Workers Paid: the monthly minimum. */
    paidPlanPerMonth: 5,
    includedRequestsPerMonth: 10_000_000,
    includedCpuMsPerMonth: 30_000_000,
    perMillionRequests: 0.3,
    perMillionCpuMs: 0.02,
    /** Workers Free: CPU time one request may use ("10 milliseconds of CPU time per invocation"). */
    freeCpuMsPerRequest: 10,
    /** Workers Free: requests a day. */
    freeRequestsPerDay: 100_000,
  },
  images: {
    source: 'https://developers.cloudflare.com/images/pricing/',
    /**
     * Images Free: unique transformations a month. Past them new transformations fail with
     * error 9422 and nothing is billed ("You will not be charged for exceeding the limits in
     * the Free plan").
     */
    freeTransformationsPerMonth: 5_000,
    /** The error a transformation past the Images Free allowance answers. */
    freePlanStopError: 9422,
    /** Images Paid: unique transformations a month included before the price below applies. */
    paidIncludedTransformationsPerMonth: 5_000,
    /** Images Paid: each further 1,000 unique transformations a month. */
    per1000Transformations: 0.5,
  },
  r2: {
    source: 'https://developers.cloudflare.com/r2/pricing/',
    /** Free tier, Standard storage only, each month. */
    freeStorageGbMonth: 10,
    freeClassAPerMonth: 1_000_000,
    freeClassBPerMonth: 10_000_000,
    perGbMonth: 0.015,
    perMillionClassA: 4.5,
    perMillionClassB: 0.36,
  },
};

/**
 * CPU time per transformation of the wasm engine, as the benchmark measured it: the median
 * in-Worker time (decode + resize + encode), taken as CPU time, of the second full run described
 * under "Benchmark" in README.md (`--runs 3`, 12 photos, load average 1.4–2.3). Waiting on a
 * busy machine only adds time, so these are upper bounds.
 */
const BENCHMARK = {
  run: 'yarn bench:worker --runs 3, 12 photos of 1.3–4.9 MP, load average 1.4–2.3',
  settings: [
    { width: 1280, format: 'webp', cpuMs: 124 },
    { width: 1280, format: 'avif', cpuMs: 2788 },
    { width: 400, format: 'webp', cpuMs: 28 },
    { width: 400, format: 'avif', cpuMs: 396 },
  ],
};

const million = 1_000_000;

/** A month's Workers Paid bill for `requests` requests of `cpuMs` CPU each (pricing page formula). */
function workersPaidMonthlyCost(requests, cpuMs) {
  const w = PRICES.workers;
  const extraRequests = Math.max(0, requests - w.includedRequestsPerMonth);
  const extraCpuMs = Math.max(0, requests * cpuMs - w.includedCpuMsPerMonth);
  return (
    w.paidPlanPerMonth +
    (extraRequests / million) * w.perMillionRequests +
    (extraCpuMs / million) * w.perMillionCpuMs
  );
}

/** The wasm engine: what 1,000 more transformations add once the included usage is spent. */
function wasmCostPer1000(cpuMs) {
  const w = PRICES.workers;
  return (
    (1000 / million) * w.perMillionRequests +
    ((1000 * cpuMs) / million) * w.perMillionCpuMs
  );
}

/** The wasm engine: transformations a month that the $5 plan's included usage covers. */
function wasmIncludedPerMonth(cpuMs) {
  const w = PRICES.workers;
  return Math.floor(
    Math.min(w.includedCpuMsPerMonth / cpuMs, w.includedRequestsPerMonth),
  );
}

/** Whether a request of `cpuMs` fits Workers Free's CPU time per request. */
function fitsWorkersFree(cpuMs) {
  return cpuMs <= PRICES.workers.freeCpuMsPerRequest;
}

/**
 * A month of `unique` unique transformations with Image Transformations: on Images Free nothing
 * is billed and those past the allowance fail (9422); on Images Paid the allowance is included
 * and each further 1,000 is billed (the page bills per unique transformation, so a part of 1,000
 * is billed as its share).
 */
function imagesMonthlyCost(plan, unique) {
  const i = PRICES.images;
  if (plan === 'free') {
    const served = Math.min(unique, i.freeTransformationsPerMonth);
    return { usd: 0, served, failed: unique - served };
  }
  const billable = Math.max(0, unique - i.paidIncludedTransformationsPerMonth);
  return {
    usd: (billable / 1000) * i.per1000Transformations,
    served: unique,
    failed: 0,
  };
}

/**
 * A month of R2 Standard storage: `gbMonth` stored, `classA` writes and `classB` reads, after the
 * free tier. Usage is rounded up to the next billing unit first ("one million and one operations
 * ... billed for two million"; "1.1 GB-month ... billed for 2 GB-month").
 */
function r2MonthlyCost(usage) {
  const r = PRICES.r2;
  const storage = Math.max(0, Math.ceil(usage.gbMonth) - r.freeStorageGbMonth);
  const classA = Math.max(0, usage.classA - r.freeClassAPerMonth);
  const classB = Math.max(0, usage.classB - r.freeClassBPerMonth);
  return (
    storage * r.perGbMonth +
    Math.ceil(classA / million) * r.perMillionClassA +
    Math.ceil(classB / million) * r.perMillionClassB
  );
}

/**
 * What a month of `transformations` transformations costs on one engine, for the form and the
 * deploy log. `cpuMs` is the wasm engine's CPU time per transformation (a benchmark setting).
 * Returns the dollars, how many transformations fail (Images Free past its allowance), and one
 * sentence that says so.
 */
function engineMonthlyCost(options) {
  const { engine, transformations } = options;
  const count = n => n.toLocaleString('en-US');
  const usd = n => `$${n.toFixed(2)}`;
  if (engine === 'cloudflare') {
    const i = PRICES.images;
    if (options.imagesPlan === 'free') {
      const cost = imagesMonthlyCost('free', transformations);
      return {
        ...cost,
        text:
          cost.failed > 0
            ? `Images Free stops at ${count(
                i.freeTransformationsPerMonth,
              )} unique transformations a month, nothing billed: ${count(
                cost.failed,
              )} of the ${count(
                transformations,
              )} a month would fail with error ${
                i.freePlanStopError
              }. Buy Images Paid ($${i.per1000Transformations.toFixed(
                2,
              )} per 1,000 past ${count(
                i.paidIncludedTransformationsPerMonth,
              )}), or use the wasm engine on Workers Paid`
            : `$0.00 a month: Images Free covers ${count(
                transformations,
              )} unique transformations (it stops at ${count(
                i.freeTransformationsPerMonth,
              )}, nothing billed; error ${i.freePlanStopError} past that)`,
      };
    }
    if (options.imagesPlan === 'paid') {
      const cost = imagesMonthlyCost('paid', transformations);
      return {
        ...cost,
        text: `${usd(cost.usd)} a month on Images Paid for ${count(
          transformations,
        )} unique transformations (${count(
          i.paidIncludedTransformationsPerMonth,
        )} included, then $${i.per1000Transformations.toFixed(2)} per 1,000)`,
      };
    }
    const free = imagesMonthlyCost('free', transformations);
    const paid = imagesMonthlyCost('paid', transformations);
    return {
      usd: paid.usd,
      served: transformations,
      failed: 0,
      text: `Images plan not known: on Images Free ${
        free.failed > 0
          ? `${count(free.failed)} of ${count(
              transformations,
            )} a month would fail with error ${
              i.freePlanStopError
            } (it stops at ${count(
              i.freeTransformationsPerMonth,
            )}, nothing billed)`
          : `$0.00 (it stops at ${count(
              i.freeTransformationsPerMonth,
            )}, nothing billed)`
      }; on Images Paid ${usd(paid.usd)} a month`,
    };
  }
  const cpuMs = options.cpuMs;
  const total = workersPaidMonthlyCost(transformations, cpuMs);
  return {
    usd: total,
    served: transformations,
    failed: 0,
    text: `${usd(total)} a month on Workers Paid for ${count(
      transformations,
    )} transformations at ${cpuMs} ms of CPU each ($${
      PRICES.workers.paidPlanPerMonth
    } minimum, covering ${count(wasmIncludedPerMonth(cpuMs))} of them)`,
  };
}

/** The benchmark setting that costs the most CPU: what the form prices the wasm engine at. */
function costliestSetting() {
  return BENCHMARK.settings.reduce((a, b) => (b.cpuMs > a.cpuMs ? b : a));
}

/** The benchmark setting that costs the least CPU: whether any fits Workers Free. */
function cheapestSetting() {
  return BENCHMARK.settings.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
}

module.exports = {
  PRICES,
  BENCHMARK,
  workersPaidMonthlyCost,
  wasmCostPer1000,
  wasmIncludedPerMonth,
  fitsWorkersFree,
  imagesMonthlyCost,
  r2MonthlyCost,
  engineMonthlyCost,
  costliestSetting,
  cheapestSetting,
};
