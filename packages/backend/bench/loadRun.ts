/*
 * The load the benchmarks put on a backend: the catalog calls an entity page makes, by concurrent
 * users, each sticking to one replica. Shared by `yarn bench:load` and `yarn bench:image`.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT,
  sumOverProcessTree,
  treeRssKb,
  type BackendProcess,
} from '../src/testing/backendProcess';
import { median, percentile } from './stats';

export const ENTITY = 'component:default/sales-dashboard';

/**
 * One entity page view of sales-dashboard, as the catalog entity page loads it: the entity, the
 * entities its relations point at (About card: owner and system), and the components that are part
 * of it or depend on it (relations cards), in parallel.
 */
export function pageView(
  backend: BackendProcess,
): Array<() => Promise<Response>> {
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

export interface Scenario {
  replicas: number;
  p50Ms: number;
  p95Ms: number;
  requestsPerSecond: number;
  errors: number;
  requests: number;
  perReplica: Array<{ residentMb: number; cpuCores: number; readyMs: number }>;
}

export async function run(
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

/** The figures deploy/measured.json holds, from one run of each replica count. */
export function recordFigures(
  scenarios: Scenario[],
  users: number,
  views: number,
  extra: Record<string, unknown> = {},
) {
  const figures = {
    node: process.version,
    users,
    viewsPerUser: views,
    ...extra,
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
  return path.relative(REPO_ROOT, file);
}
