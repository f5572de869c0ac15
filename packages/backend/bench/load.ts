/*
 * Load benchmark, loopback only: the catalog calls an entity page makes, by 20 concurrent users
 * against one replica and against two replicas on one real PostgreSQL (production config).
 * Prints p50 and p95 latency, throughput, errors, and per replica the highest resident memory and
 * the mean CPU under load. Bounded: a fixed number of page views per user.
 *
 *   yarn bench:load [--users 20] [--views 40] [--record]
 *
 * --record writes the figures to deploy/measured.json, from which the Deployment's requests,
 * limits and start-up budget are sized (packages/backend/src/deploy/manifests.test.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  startBackendProcess,
  sumOverProcessTree,
  treeRssKb,
  type BackendProcess,
} from '../src/testing/backendProcess';
import { waitForEntities } from '../src/testing/catalog';
import { startPostgres } from '../src/testing/postgres';
import { PRODUCTION_CONFIG, productionEnv } from '../src/testing/production';
import { median, percentile } from './stats';

const ENTITY = 'component:default/sales-dashboard';

/**
 * One entity page view of sales-dashboard, as the catalog entity page loads it: the entity, the
 * entities its relations point at (About card: owner and system), and the components that are part
 * of it or depend on it (relations cards), in parallel.
 */
function pageView(backend: BackendProcess): Array<() => Promise<Response>> {
  return [
    () =>
      backend.request(
        '/api/catalog/entities/by-name/component/default/sales-dashboard',
      ),
    () =>
      backend.request('/api/catalog/entities/by-refs', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          entityRefs: [
            'group:default/dashboards-team',
            'system:default/dashboards',
          ],
        }),
      }),
    () =>
      backend.request(
        `/api/catalog/entities/by-query?filter=relations.partOf=${ENTITY}&limit=20`,
      ),
    () =>
      backend.request(
        `/api/catalog/entities/by-query?filter=relations.dependsOn=${ENTITY}&limit=20`,
      ),
  ];
}

/** User and system CPU seconds of a process and its descendants, from /proc. */
function treeCpuSeconds(rootPid: number): number {
  const ticks = 100; // USER_HZ on Linux
  // utime and stime are the 14th and 15th fields of /proc/<pid>/stat.
  return sumOverProcessTree(
    rootPid,
    (_pid, stat) => (Number(stat[11]) + Number(stat[12])) / ticks,
  );
}

interface Scenario {
  replicas: number;
  p50Ms: number;
  p95Ms: number;
  requestsPerSecond: number;
  errors: number;
  requests: number;
  perReplica: Array<{ residentMb: number; cpuCores: number; readyMs: number }>;
}

async function run(
  backends: BackendProcess[],
  users: number,
  views: number,
): Promise<Scenario> {
  const latencies: number[] = [];
  const failures: string[] = [];
  const peakKb = backends.map(b => treeRssKb(b.pid));
  const sampler = setInterval(() => {
    backends.forEach((b, i) => {
      peakKb[i] = Math.max(peakKb[i], treeRssKb(b.pid));
    });
  }, 250);
  const cpuBefore = backends.map(b => treeCpuSeconds(b.pid));
  const started = performance.now();
  // Each user sticks to one replica, as a load balancer with keep-alive connections does.
  await Promise.all(
    Array.from({ length: users }, async (_, user) => {
      const backend = backends[user % backends.length];
      for (let view = 0; view < views; view++) {
        await Promise.all(
          pageView(backend).map(async call => {
            const t0 = performance.now();
            try {
              const res = await call();
              await res.arrayBuffer();
              if (!res.ok) failures.push(`HTTP ${res.status}`);
            } catch (error) {
              failures.push(String(error));
            }
            latencies.push(performance.now() - t0);
          }),
        );
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const cpuAfter = backends.map(b => treeCpuSeconds(b.pid));
  if (failures.length > 0) {
    console.log(
      `  errors seen: ${[...new Set(failures)].slice(0, 3).join('; ')}`,
    );
  }
  return {
    replicas: backends.length,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    requestsPerSecond: latencies.length / seconds,
    errors: failures.length,
    requests: latencies.length,
    perReplica: backends.map((b, i) => ({
      residentMb: peakKb[i] / 1024,
      cpuCores: (cpuAfter[i] - cpuBefore[i]) / seconds,
      readyMs: b.startupMs,
    })),
  };
}

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
    const figures = {
      node: process.version,
      users,
      viewsPerUser: views,
      replicas: Object.fromEntries(
        scenarios.map(s => [
          String(s.replicas),
          {
            p50Ms: Math.round(s.p50Ms * 10) / 10,
            p95Ms: Math.round(s.p95Ms * 10) / 10,
            requestsPerSecond: Math.round(s.requestsPerSecond),
            errors: s.errors,
            residentMb: Math.ceil(
              Math.max(...s.perReplica.map(r => r.residentMb)),
            ),
            cpuCores:
              Math.round(Math.max(...s.perReplica.map(r => r.cpuCores)) * 100) /
              100,
            readyMs: Math.round(median(s.perReplica.map(r => r.readyMs))),
          },
        ]),
      ),
    };
    const file = path.join(REPO_ROOT, 'deploy/measured.json');
    fs.writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`recorded in ${path.relative(REPO_ROOT, file)}`);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
