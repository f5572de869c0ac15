/*
 * The image's figures beside the development loader's and a stock backend's, in one run, as root:
 * for each backend, time to readiness, resident memory once ready, and the load benchmark's
 * figures (`yarn bench:load`'s page views) against one and then two replicas, on a fresh real
 * PostgreSQL server with the production config, loopback only.
 *
 *   scripts/image-build.sh                       # builds localhost/golden-path-portal:test
 *   npx @backstage/create-app@0.9.2 --skip-install --path /tmp/stock-app   (once, outside the repo)
 *   yarn bench:image [--image NAME] [--stock /tmp/stock-app] [--users 20] [--views 40] [--record]
 *
 *   image:    the image's entry point and command (the compiled bundle in the image's layout),
 *             run with buildah; memory and CPU are those of the container's processes
 *   loader:   this repository's backend through the development TypeScript loader (`yarn start`)
 *   stock:    the stock create-app backend of the same release with this repository's config
 *
 * --record writes the image's figures to deploy/measured.json, from which the Deployment's
 * requests, limits and start-up budget are sized (packages/backend/src/deploy/manifests.test.ts).
 */
import os from 'node:os';
import path from 'node:path';
import {
  REPO_ROOT,
  startBackendProcess,
  treeRssKb,
  type BackendProcess,
} from '../src/testing/backendProcess';
import { waitForEntities } from '../src/testing/catalog';
import { startImageBackend } from '../src/testing/image';
import { startPostgres, type PostgresServer } from '../src/testing/postgres';
import { PRODUCTION_CONFIG, productionEnv } from '../src/testing/production';
import { ENTITY, recordFigures, run, type Scenario } from './loadRun';
import { prepareStockApp } from './stockApp';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

interface Variant {
  name: string;
  start(pg: PostgresServer): Promise<BackendProcess>;
}

interface Result {
  name: string;
  readyMs: number;
  readyMb: number;
  scenarios: Scenario[];
}

async function measure(
  variant: Variant,
  users: number,
  views: number,
): Promise<Result> {
  const pg = await startPostgres();
  const backends: BackendProcess[] = [];
  const scenarios: Scenario[] = [];
  let readyMb = 0;
  try {
    for (const replicas of [1, 2]) {
      while (backends.length < replicas) {
        backends.push(await variant.start(pg));
      }
      for (const backend of backends) {
        const served = await waitForEntities(backend, [ENTITY]);
        if (!served.has(ENTITY)) throw new Error(`${ENTITY} never appeared`);
      }
      if (replicas === 1) {
        // As `yarn bench:startup`: once the first catalog processing pass has settled.
        await new Promise(r => setTimeout(r, 3000));
        readyMb = treeRssKb(backends[0].pid) / 1024;
      }
      await run(backends, users, 1); // warm-up, not measured
      scenarios.push(await run(backends, users, views));
    }
  } finally {
    await Promise.all(backends.map(b => b.stop()));
    await pg.stop();
  }
  return {
    name: variant.name,
    readyMs: backends[0].startupMs,
    readyMb,
    scenarios,
  };
}

function report(result: Result) {
  console.log(
    `${result.name}: ready in ${(result.readyMs / 1000).toFixed(
      1,
    )} s, resident ${result.readyMb.toFixed(0)} MB once ready`,
  );
  for (const s of result.scenarios) {
    console.log(
      `  ${s.replicas} replica(s), ${
        s.requests
      } requests: p50 ${s.p50Ms.toFixed(1)} ms, p95 ${s.p95Ms.toFixed(
        1,
      )} ms, ${s.requestsPerSecond.toFixed(0)} requests/s, ${
        s.errors
      } errors; per replica: ${s.perReplica
        .map(
          r =>
            `resident ${r.residentMb.toFixed(
              0,
            )} MB (highest), CPU ${r.cpuCores.toFixed(2)} cores, ready in ${(
              r.readyMs / 1000
            ).toFixed(1)} s`,
        )
        .join('; ')}`,
    );
  }
}

async function main() {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'yarn bench:image runs the image with buildah, which needs root here: run it as root',
    );
  }
  const image = option('image', 'localhost/golden-path-portal:test');
  const stockDir = path.resolve(option('stock', '/tmp/stock-app'));
  const users = Number(option('users', '20'));
  const views = Number(option('views', '40'));
  prepareStockApp(stockDir);

  const variants: Variant[] = [
    {
      name: `image (${image})`,
      start: pg => startImageBackend(image, { env: productionEnv(pg) }),
    },
    {
      name: 'development loader',
      start: pg =>
        startBackendProcess({
          configFiles: PRODUCTION_CONFIG,
          env: productionEnv(pg),
        }),
    },
    {
      name: 'stock create-app backend, this repository’s config',
      start: pg =>
        startBackendProcess({
          backendDir: path.join(stockDir, 'packages/backend'),
          configFiles: PRODUCTION_CONFIG.map(f => path.join(REPO_ROOT, f)),
          env: productionEnv(pg),
          config: {
            catalog: {
              locations: [
                {
                  type: 'file',
                  target: path.join(REPO_ROOT, 'catalog-info.yaml'),
                },
              ],
            },
          },
        }),
    },
  ];

  const results: Result[] = [];
  for (const variant of variants) {
    const result = await measure(variant, users, views);
    report(result);
    results.push(result);
  }

  console.log(
    `\n${users} users x ${views} page views, Node ${process.version}, ${
      os.cpus().length
    } CPUs shared by the load generator, the replicas and PostgreSQL`,
  );
  console.log(
    '| backend | ready | resident once ready | 1 replica: p50, p95, req/s, resident, CPU | 2 replicas: p50, p95, req/s, resident per replica, CPU per replica |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of results) {
    const [one, two] = r.scenarios;
    const cells = (s: Scenario) =>
      `${s.p50Ms.toFixed(1)} ms, ${s.p95Ms.toFixed(
        1,
      )} ms, ${s.requestsPerSecond.toFixed(0)}, ${s.perReplica
        .map(p => `${p.residentMb.toFixed(0)} MB`)
        .join(' / ')}, ${s.perReplica
        .map(p => p.cpuCores.toFixed(2))
        .join(' / ')}${s.errors ? `, ${s.errors} errors` : ''}`;
    console.log(
      `| ${r.name} | ${(r.readyMs / 1000).toFixed(1)} s | ${r.readyMb.toFixed(
        0,
      )} MB | ${cells(one)} | ${cells(two)} |`,
    );
  }

  if (process.argv.includes('--record')) {
    const [imageResult] = results;
    console.log(
      `recorded in ${recordFigures(imageResult.scenarios, users, views, {
        measuredFrom: 'image',
        readyResidentMb: Math.ceil(imageResult.readyMb),
      })}`,
    );
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
