/*
 * Load benchmark, loopback only: the catalog calls an entity page makes, by 20 concurrent users
 * against one replica and against two replicas on one real PostgreSQL (production config).
 * Prints p50 and p95 latency, throughput, errors, and per replica the highest resident memory and
 * the mean CPU under load. Bounded: a fixed number of page views per user.
 *
 *   yarn bench:load [--users 20] [--views 40]
 *
 * The backend runs through the development TypeScript loader. The Deployment is sized from the
 * image's figures instead: `yarn bench:image --record` (deploy/measured.json).
 */
import os from 'node:os';
import {
  startBackendProcess,
  type BackendProcess,
} from '../src/testing/backendProcess';
import { waitForEntities } from '../src/testing/catalog';
import { startPostgres } from '../src/testing/postgres';
import { PRODUCTION_CONFIG, productionEnv } from '../src/testing/production';
import { ENTITY, run, type Scenario } from './loadRun';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  const users = option('users', 20);
  const views = option('views', 40);
  const pg = await startPostgres();
  const backends: BackendProcess[] = [];
  const scenarios: Scenario[] = [];
  try {
    for (const replicas of [1, 2]) {
      while (backends.length < replicas) {
        backends.push(
          await startBackendProcess({
            configFiles: PRODUCTION_CONFIG,
            env: productionEnv(pg),
          }),
        );
      }
      for (const backend of backends) {
        const served = await waitForEntities(backend, [ENTITY]);
        if (!served.has(ENTITY)) throw new Error(`${ENTITY} never appeared`);
      }
      // Warm-up: one page view per user, not measured.
      await run(backends, users, 1);
      const scenario = await run(backends, users, views);
      scenarios.push(scenario);
      console.log(
        `${replicas} replica(s), ${users} users x ${views} page views (${
          scenario.requests
        } requests): p50 ${scenario.p50Ms.toFixed(
          1,
        )} ms, p95 ${scenario.p95Ms.toFixed(
          1,
        )} ms, ${scenario.requestsPerSecond.toFixed(0)} requests/s, ${
          scenario.errors
        } errors`,
      );
      scenario.perReplica.forEach((r, i) =>
        console.log(
          `  replica ${i + 1}: resident ${r.residentMb.toFixed(
            0,
          )} MB (highest under load), CPU ${r.cpuCores.toFixed(
            2,
          )} cores (mean), ready in ${(r.readyMs / 1000).toFixed(1)} s`,
        ),
      );
    }
  } finally {
    await Promise.all(backends.map(b => b.stop()));
    await pg.stop();
  }
  console.log(
    `(Node ${process.version}, ${
      os.cpus().length
    } CPUs shared by the load generator, ` + 'the replicas and PostgreSQL)',
  );

  if (process.argv.includes('--record')) {
    console.log(
      'not recorded: deploy/measured.json holds the image figures (yarn bench:image --record)',
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
