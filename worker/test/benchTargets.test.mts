import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeTargets, misses, type SummaryRow } from '../bench/targets.mts';

const MiB = 1024 * 1024;
const meets: SummaryRow = {
  width: 400,
  format: 'webp',
  bytesRatio: 1.01,
  workerSsim: 0.982,
  sharpSsim: 0.984,
  transformMs: 150,
  sharpMs: 100,
  peakWasmBytes: 21 * MiB,
  requestOverheadMs: 6,
};

describe('benchmark targets', () => {
  it('passes a WebP row at 1.5x sharp and fails it at 1.54x', () => {
    assert.deepEqual(misses(meets), []);
    assert.deepEqual(misses({ ...meets, transformMs: 154 }), ['time']);
  });

  it('holds AVIF to the same 1.5x as WebP', () => {
    const avif: SummaryRow = { ...meets, format: 'avif', transformMs: 150 };
    assert.deepEqual(misses(avif), []);
    assert.deepEqual(misses({ ...avif, transformMs: 151 }), ['time']);
  });

  it('names each other missed target: bytes, SSIM and memory', () => {
    assert.deepEqual(
      misses({
        ...meets,
        bytesRatio: 0.94,
        workerSsim: 0.978,
        peakWasmBytes: 128 * MiB,
      }),
      ['bytes', 'ssim', 'memory'],
    );
    assert.deepEqual(misses({ ...meets, bytesRatio: 1.051 }), ['bytes']);
  });

  it('misses the request overhead target at 10 ms up to 400 px, and not at 1280 px', () => {
    assert.deepEqual(misses({ ...meets, requestOverheadMs: 9.9 }), []);
    assert.deepEqual(misses({ ...meets, requestOverheadMs: 10 }), ['overhead']);
    assert.deepEqual(
      misses({ ...meets, width: 1280, requestOverheadMs: 14 }),
      [],
    );
  });

  it('misses the CPU estimate when it is below the measured CPU time, and only then', () => {
    assert.deepEqual(
      misses({ ...meets, cpuEstimateMs: 120, workerCpuMs: 100 }),
      [],
    );
    assert.deepEqual(
      misses({ ...meets, cpuEstimateMs: 100, workerCpuMs: 100 }),
      [],
    );
    assert.deepEqual(
      misses({ ...meets, cpuEstimateMs: 99, workerCpuMs: 100 }),
      ['cpu-estimate'],
    );
  });

  it('states the targets it checks', () => {
    assert.equal(
      describeTargets(),
      'bytes within 5% of sharp, SSIM within 0.005 of sharp, transform time at most 1.5x sharp for WebP and AVIF, peak WASM memory under 128 MiB, request overhead under 10 ms up to 400 px, CPU estimate at or above the median measured CPU time',
    );
  });
});
