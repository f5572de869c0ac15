// The README's cost tables, from the prices, benchmark figures and formulas in ../cost.js (defined
// there once, for the deploy action and the form too). test/cost.test.mts checks the formulas
// against the worked examples on Cloudflare's pricing pages.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cost = require('../cost.js') as typeof import('../cost.js');

export const {
  PRICES,
  BENCHMARK,
  workersPaidMonthlyCost,
  wasmCostPer1000,
  wasmIncludedPerMonth,
  fitsWorkersFree,
  imagesMonthlyCost,
  r2MonthlyCost,
  engineMonthlyCost,
} = cost;

/** One benchmark setting and its measured CPU time per transformation. */
export type CostInput = import('../cost.js').BenchmarkSetting;

const usd = (value: number) =>
  value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
const count = (value: number) => value.toLocaleString('en-US');
const dollars = (value: number) => `$${value.toFixed(2)}`;

/** What 1,000 transformations cost per engine and plan, one row per benchmark setting. */
export function costTable(inputs: CostInput[]): string {
  const w = PRICES.workers;
  const i = PRICES.images;
  const lines = [
    `| width | format | wasm CPU per image | wasm: fits Workers Free (${
      w.freeCpuMsPerRequest
    } ms)? | wasm: per 1,000 past the included usage | wasm: images a month inside the $${
      w.paidPlanPerMonth
    } plan | cloudflare on Images Free | cloudflare on Images Paid: per 1,000 past ${count(
      i.paidIncludedTransformationsPerMonth,
    )} a month |`,
    '| ----- | ------ | ------------------ | -------------------------------- | --------------------------------------- | --------------------------------------- | ------------------------- | -------------------------------------------------- |',
  ];
  for (const { width, format, cpuMs } of inputs) {
    lines.push(
      `| ${width} | ${format} | ${cpuMs.toFixed(0)} ms | ${
        fitsWorkersFree(cpuMs) ? 'yes' : 'no: needs Workers Paid'
      } | ${usd(wasmCostPer1000(cpuMs))} | ${count(
        wasmIncludedPerMonth(cpuMs),
      )} | $0; stops at ${count(
        i.freeTransformationsPerMonth,
      )} a month (error ${i.freePlanStopError}), nothing billed | ${usd(
        i.per1000Transformations,
      )} |`,
    );
  }
  return lines.join('\n');
}

/**
 * What a month costs at each volume (unique transformations a month, each computed once): the
 * wasm engine at every benchmark setting on Workers Paid, the cloudflare engine on Images Free
 * and Images Paid. The Worker's own CPU time on the cloudflare engine (checking the request and
 * passing the fetch on) is not measured by the benchmark and not counted.
 */
export function monthTable(inputs: CostInput[], volumes: number[]): string {
  const header = [
    'transformations a month',
    ...inputs.map(s => `wasm ${s.width} ${s.format} (Workers Paid)`),
    'cloudflare, Images Free',
    'cloudflare, Images Paid',
  ];
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map(h => '-'.repeat(h.length)).join(' | ')} |`,
  ];
  for (const volume of volumes) {
    const free = imagesMonthlyCost('free', volume);
    lines.push(
      `| ${count(volume)} | ${inputs
        .map(s => dollars(workersPaidMonthlyCost(volume, s.cpuMs)))
        .join(' | ')} | ${
        free.failed > 0
          ? `$0, but ${count(free.failed)} fail (${
              PRICES.images.freePlanStopError
            })`
          : '$0'
      } | ${dollars(imagesMonthlyCost('paid', volume).usd)} |`,
    );
  }
  return lines.join('\n');
}
