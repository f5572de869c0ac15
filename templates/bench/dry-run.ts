/*
 * Prints the median time of a dry run of the python-dashboard-service template
 * through the real scaffolder API, over 20 runs on one backend (after one warm-up run).
 *
 *   yarn bench:template            (from the repository root)
 */
import { performance } from 'node:perf_hooks';
import { startDryRunBackend } from '../tests/dryRun';
import {
  dockerHubValues,
  serviceTemplateFeatures,
  templateDir,
} from '../tests/pythonDashboardService.fixtures';

const RUNS = 20;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  );
  return sorted[Math.max(0, index)];
}

async function main() {
  const bootStart = performance.now();
  const backend = await startDryRunBackend({
    features: serviceTemplateFeatures,
  });
  const bootMs = performance.now() - bootStart;
  try {
    const run = async () => {
      const start = performance.now();
      const result = await backend.dryRun({
        templateDir,
        values: dockerHubValues,
      });
      const ms = performance.now() - start;
      if (result.status !== 200 || result.files.size === 0) {
        throw new Error(`dry run failed with status ${result.status}`);
      }
      return ms;
    };
    await run();
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      times.push(await run());
    }
    times.sort((a, b) => a - b);
    const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
    console.log(
      `python-dashboard-service dry run, ${RUNS} runs after 1 warm-up`,
    );
    console.log(`  median ${fmt(percentile(times, 50))}`);
    console.log(`  p90    ${fmt(percentile(times, 90))}`);
    console.log(
      `  min    ${fmt(times[0])}   max ${fmt(times[times.length - 1])}`,
    );
    console.log(`  backend start ${fmt(bootMs)}`);
  } finally {
    await backend.stop();
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
