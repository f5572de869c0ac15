import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  costTable,
  wasmCostPer1000,
  wasmIncludedPerMonth,
  workersPaidMonthlyCost,
} from '../bench/cost.mts';

describe('benchmark cost model', () => {
  it("reproduces the pricing page's example: 15 million requests of 7 ms cost $8.00", () => {
    assert.equal(workersPaidMonthlyCost(15_000_000, 7).toFixed(2), '8.00');
  });

  it('prices 1,000 wasm transformations of 200 ms at $0.0043 past the included usage', () => {
    // 1,000 requests at $0.30 a million, 200,000 CPU ms at $0.02 a million.
    assert.equal(wasmCostPer1000(200).toFixed(4), '0.0043');
    assert.equal(wasmIncludedPerMonth(200), 150_000);
  });

  it('says which settings fit the free plan and prints one row per setting', () => {
    const table = costTable([
      { width: 400, format: 'webp', cpuMs: 8 },
      { width: 1280, format: 'avif', cpuMs: 4600 },
    ]).split('\n');
    assert.equal(table.length, 4);
    assert.match(table[2], /^\| 400 \| webp \| 8 ms \| yes \|/);
    assert.match(
      table[3],
      /^\| 1280 \| avif \| 4600 ms \| no: needs Workers Paid \| \$0\.0923 \| 6,521 \| \$0\.5000 \|$/,
    );
  });
});
