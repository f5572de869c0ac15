import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BENCHMARK,
  costTable,
  engineMonthlyCost,
  fitsWorkersFree,
  imagesMonthlyCost,
  monthTable,
  PRICES,
  r2MonthlyCost,
  wasmCostPer1000,
  wasmIncludedPerMonth,
  workersPaidMonthlyCost,
} from '../bench/cost.mts';

// The worked examples are those of the pricing pages as read on PRICES.readOn:
// https://developers.cloudflare.com/workers/platform/pricing/ ("Example pricing"),
// https://developers.cloudflare.com/r2/pricing/ ("R2 billing examples"),
// https://developers.cloudflare.com/images/pricing/ ("Images Free", "Metrics" example).
describe('benchmark cost model', () => {
  it("reproduces the Workers pricing page's example 1: 15 million requests of 7 ms cost $8.00", () => {
    assert.equal(workersPaidMonthlyCost(15_000_000, 7).toFixed(2), '8.00');
  });

  it("reproduces the Workers pricing page's example 3: 720 requests of 180,000 ms cost $6.99", () => {
    assert.equal(workersPaidMonthlyCost(720, 180_000).toFixed(2), '6.99');
  });

  it("reproduces the Workers pricing page's example 4: 100 million requests of 7 ms cost $45.40", () => {
    assert.equal(workersPaidMonthlyCost(100_000_000, 7).toFixed(2), '45.40');
  });

  it('charges only the $5 minimum while the included requests and CPU time last', () => {
    // 30 million CPU ms included: 150,000 requests of 200 ms use exactly that.
    assert.equal(workersPaidMonthlyCost(150_000, 200), 5);
    assert.ok(workersPaidMonthlyCost(150_001, 200) > 5);
  });

  it("reproduces the R2 pricing page's Standard storage example: 1,000 GB-months and 1 million reads cost $14.85", () => {
    assert.equal(
      r2MonthlyCost({ gbMonth: 1000, classA: 1000, classB: 1_000_000 }).toFixed(
        2,
      ),
      '14.85',
    );
  });

  it("reproduces the R2 pricing page's asset hosting example: 100,000 writes and 300 million reads cost $104.40", () => {
    assert.equal(
      r2MonthlyCost({
        gbMonth: (100_000 * 100) / 1_000_000,
        classA: 100_000,
        classB: 10_000_000 * 30,
      }).toFixed(2),
      '104.40',
    );
  });

  it("keeps stored derivatives inside R2's free tier up to 10 GB-month, 1 million writes and 10 million reads", () => {
    assert.equal(
      r2MonthlyCost({ gbMonth: 10, classA: 1_000_000, classB: 10_000_000 }),
      0,
    );
    // Rounded up to the next billing unit: one operation past the free tier bills a million.
    assert.equal(
      r2MonthlyCost({ gbMonth: 10, classA: 1_000_001, classB: 0 }),
      PRICES.r2.perMillionClassA,
    );
    assert.equal(
      r2MonthlyCost({ gbMonth: 10.1, classA: 0, classB: 0 }),
      PRICES.r2.perGbMonth,
    );
  });

  it('bills nothing on Images Free and fails every unique transformation past 5,000 (error 9422)', () => {
    assert.deepEqual(imagesMonthlyCost('free', 5_000), {
      usd: 0,
      served: 5_000,
      failed: 0,
    });
    assert.deepEqual(imagesMonthlyCost('free', 12_000), {
      usd: 0,
      served: 5_000,
      failed: 7_000,
    });
    assert.equal(PRICES.images.freePlanStopError, 9422);
  });

  it('bills $0.50 per 1,000 unique transformations past the 5,000 included on Images Paid', () => {
    // The page's example: 1,000 images in 5 sizes are 5,000 unique transformations. Its "$2.50
    // per month" prices all 5,000 at $0.50 per 1,000 without the 5,000 the table includes; the
    // formula follows the table, so 5,000 cost nothing and each 1,000 more $0.50.
    assert.equal(imagesMonthlyCost('paid', 1_000 * 5).usd, 0);
    assert.equal(imagesMonthlyCost('paid', 10_000).usd.toFixed(2), '2.50');
    assert.equal(imagesMonthlyCost('paid', 10_000).failed, 0);
  });

  it('says "stops at 5,000, nothing billed" for the cloudflare engine on Images Free', () => {
    const under = engineMonthlyCost({
      engine: 'cloudflare',
      transformations: 4_000,
      imagesPlan: 'free',
    });
    assert.match(under.text, /stops at 5,000, nothing billed/);
    const over = engineMonthlyCost({
      engine: 'cloudflare',
      transformations: 20_000,
      imagesPlan: 'free',
    });
    assert.equal(over.failed, 15_000);
    assert.match(
      over.text,
      /stops at 5,000 unique transformations a month, nothing billed: 15,000 .* fail with error 9422/,
    );
    assert.doesNotMatch(over.text, /then billed/);
  });

  it('prices 1,000 wasm transformations of 200 ms at $0.0043 past the included usage', () => {
    // 1,000 requests at $0.30 a million, 200,000 CPU ms at $0.02 a million.
    assert.equal(wasmCostPer1000(200).toFixed(4), '0.0043');
    assert.equal(wasmIncludedPerMonth(200), 150_000);
  });

  it("finds that no benchmark setting fits Workers Free's 10 ms", () => {
    assert.equal(PRICES.workers.freeCpuMsPerRequest, 10);
    assert.deepEqual(
      BENCHMARK.settings.filter(s => fitsWorkersFree(s.cpuMs)),
      [],
    );
    assert.equal(fitsWorkersFree(10), true);
    assert.equal(fitsWorkersFree(10.5), false);
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
      /^\| 1280 \| avif \| 4600 ms \| no: needs Workers Paid \| \$0\.0923 \| 6,521 \| \$0; stops at 5,000 a month \(error 9422\), nothing billed \| \$0\.5000 \|$/,
    );
  });

  it('prints a month of each volume per engine, with the transformations Images Free fails', () => {
    const table = monthTable(
      [{ width: 400, format: 'webp', cpuMs: 28 }],
      [5_000, 50_000],
    ).split('\n');
    assert.equal(table.length, 4);
    assert.equal(table[2], '| 5,000 | $5.00 | $0 | $0.00 |');
    assert.equal(
      table[3],
      '| 50,000 | $5.00 | $0, but 45,000 fail (9422) | $22.50 |',
    );
  });
});
