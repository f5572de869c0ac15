// What 1,000 transformations cost with each engine, from the CPU time the benchmark measures and
// Cloudflare's published prices. Pure functions, so test/cost.test.mts checks them against the
// worked example on Cloudflare's own pricing page.

/** Published prices in USD, as the cited pages state them. */
export const PRICES = {
  workers: {
    source: 'https://developers.cloudflare.com/workers/platform/pricing/',
    /** Workers Paid: the monthly minimum. */
    paidPlanPerMonth: 5,
    includedRequestsPerMonth: 10_000_000,
    includedCpuMsPerMonth: 30_000_000,
    perMillionRequests: 0.3,
    perMillionCpuMs: 0.02,
    /** Workers Free: CPU time one request may use. */
    freeCpuMsPerRequest: 10,
  },
  images: {
    source: 'https://developers.cloudflare.com/images/pricing/',
    /** Unique transformations a month at no charge. */
    freeTransformationsPerMonth: 5_000,
    /** Each further 1,000 unique transformations a month. */
    per1000Transformations: 0.5,
  },
} as const;

/** A month's Workers Paid bill for `requests` requests of `cpuMs` CPU each (pricing page formula). */
export function workersPaidMonthlyCost(
  requests: number,
  cpuMs: number,
): number {
  const w = PRICES.workers;
  const extraRequests = Math.max(0, requests - w.includedRequestsPerMonth);
  const extraCpuMs = Math.max(0, requests * cpuMs - w.includedCpuMsPerMonth);
  return (
    w.paidPlanPerMonth +
    (extraRequests / 1e6) * w.perMillionRequests +
    (extraCpuMs / 1e6) * w.perMillionCpuMs
  );
}

/** The wasm engine: what 1,000 more transformations add once the included usage is spent. */
export function wasmCostPer1000(cpuMs: number): number {
  const w = PRICES.workers;
  return (
    (1000 / 1e6) * w.perMillionRequests +
    ((1000 * cpuMs) / 1e6) * w.perMillionCpuMs
  );
}

/** The wasm engine: transformations a month that the $5 plan's included CPU time covers. */
export function wasmIncludedPerMonth(cpuMs: number): number {
  const w = PRICES.workers;
  return Math.floor(
    Math.min(w.includedCpuMsPerMonth / cpuMs, w.includedRequestsPerMonth),
  );
}

/** One benchmark setting and its measured CPU time per transformation. */
export interface CostInput {
  width: number;
  format: string;
  /** Median in-Worker time (decode + resize + encode), taken as CPU time. */
  cpuMs: number;
}

const usd = (value: number) =>
  value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
const count = (value: number) => value.toLocaleString('en-US');

/** The README's cost table, in Markdown. */
export function costTable(inputs: CostInput[]): string {
  const w = PRICES.workers;
  const i = PRICES.images;
  const lines = [
    '| width | format | wasm CPU per image | wasm: fits Workers Free (10 ms)? | wasm: per 1,000 past the included usage | wasm: images a month inside the $5 plan | cloudflare: per 1,000 past 5,000 a month |',
    '| ----- | ------ | ------------------ | -------------------------------- | --------------------------------------- | --------------------------------------- | ---------------------------------------- |',
  ];
  for (const { width, format, cpuMs } of inputs) {
    lines.push(
      `| ${width} | ${format} | ${cpuMs.toFixed(0)} ms | ${
        cpuMs <= w.freeCpuMsPerRequest ? 'yes' : 'no: needs Workers Paid'
      } | ${usd(wasmCostPer1000(cpuMs))} | ${count(
        wasmIncludedPerMonth(cpuMs),
      )} | ${usd(i.per1000Transformations)} |`,
    );
  }
  return lines.join('\n');
}
