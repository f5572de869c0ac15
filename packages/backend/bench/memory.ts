/*
 * Memory against a stock backend: resident memory once ready of this backend and of a stock
 * `@backstage/create-app` backend of the same Backstage release, measured alternately in one run.
 *
 *   npx @backstage/create-app@0.9.2 --skip-install --path /tmp/stock-app   (once, outside the repo)
 *   yarn bench:memory [/tmp/stock-app] [runs]
 *
 * The stock app runs on this repository's installed packages (its node_modules are linked to
 * ours), so both backends load exactly the same versions of every package. Three variants:
 *   stock:                the stock index.ts with the stock app-config.yaml
 *   stock, portal config: the stock index.ts with this repository's app-config.yaml and catalog
 *   portal:               this repository's index.ts and app-config.yaml
 * The first difference is what the configuration and catalog cost, the second what the extra
 * modules and start-up checks cost. All three use a fresh SQLite directory per run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BACKEND_DIR,
  REPO_ROOT,
  startBackendProcess,
  treeRssKb,
} from '../src/testing/backendProcess';
import { median } from './stats';

function prepareStockApp(dir: string) {
  const stockVersion = JSON.parse(
    fs.readFileSync(path.join(dir, 'backstage.json'), 'utf8'),
  ).version;
  const ourVersion = JSON.parse(
    fs.readFileSync(path.join(REPO_ROOT, 'backstage.json'), 'utf8'),
  ).version;
  if (stockVersion !== ourVersion) {
    throw new Error(
      `${dir} is Backstage ${stockVersion}, this repository ${ourVersion}: create the stock app ` +
        'with the create-app release of the same Backstage version',
    );
  }
  for (const [link, target] of [
    [path.join(dir, 'node_modules'), path.join(REPO_ROOT, 'node_modules')],
    [
      path.join(dir, 'packages/backend/node_modules'),
      path.join(BACKEND_DIR, 'node_modules'),
    ],
  ]) {
    if (!fs.existsSync(link)) fs.symlinkSync(target, link);
  }
}

interface Variant {
  name: string;
  backendDir: string;
  configFiles: string[];
  catalogTarget?: string;
}

async function measure(variant: Variant) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
  const backend = await startBackendProcess({
    backendDir: variant.backendDir,
    configFiles: variant.configFiles,
    config: {
      backend: {
        database: { client: 'better-sqlite3', connection: { directory: dir } },
      },
      ...(variant.catalogTarget && {
        catalog: {
          locations: [{ type: 'file', target: variant.catalogTarget }],
        },
      }),
    },
  });
  // Same settling time as `yarn bench:startup`: the first catalog processing pass.
  await new Promise(r => setTimeout(r, 3000));
  const mb = treeRssKb(backend.pid) / 1024;
  await backend.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  return { mb, ms: backend.startupMs };
}

async function main() {
  const stockDir = path.resolve(process.argv[2] ?? '/tmp/stock-app');
  const runs = Number(process.argv[3] ?? 3);
  prepareStockApp(stockDir);
  const portalConfig = path.join(REPO_ROOT, 'app-config.yaml');
  const variants: Variant[] = [
    {
      name: 'stock',
      backendDir: path.join(stockDir, 'packages/backend'),
      configFiles: ['app-config.yaml'],
    },
    {
      name: 'stock, portal config',
      backendDir: path.join(stockDir, 'packages/backend'),
      configFiles: [portalConfig],
      catalogTarget: path.join(REPO_ROOT, 'catalog-info.yaml'),
    },
    {
      name: 'portal',
      backendDir: BACKEND_DIR,
      configFiles: ['app-config.yaml'],
    },
  ];
  const results = new Map(variants.map(v => [v.name, [] as number[]]));
  for (let i = 1; i <= runs; i++) {
    for (const variant of variants) {
      const { mb, ms } = await measure(variant);
      results.get(variant.name)!.push(mb);
      console.log(
        `run ${i}/${runs} ${variant.name}: ready in ${(ms / 1000).toFixed(
          1,
        )} s, resident ${mb.toFixed(0)} MB`,
      );
    }
  }
  console.log(`median of ${runs} (Node ${process.version}, SQLite):`);
  for (const [name, mbs] of results) {
    console.log(`  ${name}: ${median(mbs).toFixed(0)} MB`);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
