/*
 * Memory against a stock backend: resident memory once ready of this backend and of a stock
 * `@backstage/create-app` backend of the same Backstage release, measured alternately in one run.
 *
 *   npx @backstage/create-app@0.9.2 --skip-install --path /tmp/stock-app   (once, outside the repo)
 *   yarn bench:memory [/tmp/stock-app] [runs] [variant name pattern]
 *
 * The stock app runs on this repository's installed packages (its node_modules are linked to
 * ours), so both backends load exactly the same versions of every package. Three variants:
 *   stock:                the stock index.ts with the stock app-config.yaml
 *   stock, portal config: the stock index.ts with this repository's app-config.yaml and catalog
 *   portal:               this repository's index.ts and app-config.yaml
 * The first difference is what the configuration and catalog cost, the second what the extra
 * modules and start-up checks cost. That second part is then split: for every `backend.add` of
 * this repository's index.ts that the stock one lacks, and for the start-up checks (preflight.ts),
 * a variant of the stock index.ts with only that added (written next to the stock index.ts), and
 * one with all of them. A module that replaces a stock module of the same plugin (a permission
 * policy) takes that module's place. A third argument, a regular expression, measures only the
 * variants whose names match it. All variants use a fresh SQLite directory per run.
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
import { prepareStockApp } from './stockApp';

interface Variant {
  name: string;
  backendDir: string;
  entry?: string;
  configFiles: string[];
  catalogTarget?: string;
}

const ADDED_FEATURE = /backend\.add\(\s*import\(\s*'([^']+)'\s*\)\s*,?\s*\);/g;

/** The package names an index.ts adds with `backend.add(import('...'))`. */
function addedFeatures(indexFile: string): string[] {
  return [...fs.readFileSync(indexFile, 'utf8').matchAll(ADDED_FEATURE)].map(
    m => m[1],
  );
}

/** `@backstage/plugin-permission-backend` for `@backstage/plugin-permission-backend-module-x`. */
function pluginOfModule(feature: string): string | undefined {
  const match = /^(?:@[^/]+\/)?(.+)-module-[^/]+$/.exec(feature);
  return match?.[1];
}

/**
 * Entry points in the stock backend's src/: the stock index.ts plus one extra feature each, plus
 * this repository's start-up checks, and plus all of them together (what the features cost
 * together, small costs below the runs' spread included).
 */
function attributionVariants(
  stockBackend: string,
): Array<{ name: string; entry: string }> {
  const stockIndex = path.join(stockBackend, 'src/index.ts');
  const stock = fs.readFileSync(stockIndex, 'utf8');
  const start = 'backend.start();';
  if (!stock.includes(start)) {
    throw new Error(`${stockIndex} does not end with ${start}`);
  }
  const stockFeatures = addedFeatures(stockIndex);
  const portalFeatures = addedFeatures(path.join(BACKEND_DIR, 'src/index.ts'));
  const extra = portalFeatures.filter(f => !stockFeatures.includes(f));
  const dropped = stockFeatures.filter(f => !portalFeatures.includes(f));

  // A module that stands in for one of the stock backend's modules of the same plugin (the
  // portal's permission policy for the allow-all policy: a plugin takes only one policy)
  // replaces it; any other is added.
  const replacedBy = (feature: string) =>
    dropped.find(
      f =>
        pluginOfModule(f) !== undefined &&
        pluginOfModule(f) === pluginOfModule(feature),
    );
  const withFeature = (source: string, feature: string) => {
    const replaced = replacedBy(feature);
    return replaced
      ? source.replace(`import('${replaced}')`, `import('${feature}')`)
      : source.replace(start, `backend.add(import('${feature}'));\n${start}`);
  };
  const withPreflight = (source: string) =>
    source
      .replace(
        start,
        'runPreflightChecks().then(problem => {\n  if (problem) throw new Error(problem);\n  return backend.start();\n});',
      )
      .concat("\nimport { runPreflightChecks } from './preflight';\n");

  fs.copyFileSync(
    path.join(BACKEND_DIR, 'src/preflight.ts'),
    path.join(stockBackend, 'src/preflight.ts'),
  );
  const write = (entry: string, source: string) => {
    fs.writeFileSync(path.join(stockBackend, entry), source);
    return entry;
  };
  return [
    ...extra.map((feature, i) => {
      const replaced = replacedBy(feature);
      return {
        name: replaced
          ? `stock + ${feature} (instead of ${replaced})`
          : `stock + ${feature}`,
        entry: write(`src/index.bench-${i}.ts`, withFeature(stock, feature)),
      };
    }),
    {
      name: 'stock + start-up checks (preflight.ts)',
      entry: write('src/index.bench-preflight.ts', withPreflight(stock)),
    },
    {
      name: 'stock + all of the above',
      entry: write(
        'src/index.bench-all.ts',
        withPreflight(extra.reduce(withFeature, stock)),
      ),
    },
  ];
}

interface Sample {
  /** Resident memory once ready (the figure `yarn bench:startup` reports). */
  readyMb: number;
  /**
   * V8 heap in use right after a full garbage collection: what the backend retains, without the
   * garbage not yet collected (resident memory does not shrink after a collection; V8 keeps the
   * pages).
   */
  heapMb: number;
}

const PROBE = path.join(__dirname, 'memoryProbe.cjs');

async function measure(variant: Variant): Promise<Sample & { ms: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-memory-'));
  const probeFile = path.join(dir, 'memory.json');
  const backend = await startBackendProcess({
    backendDir: variant.backendDir,
    entry: variant.entry,
    nodeArgs: ['--expose-gc', '--require', PROBE],
    env: { MEMORY_PROBE_FILE: probeFile },
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
  const readyMb = treeRssKb(backend.pid) / 1024;
  process.kill(backend.pid, 'SIGUSR2');
  const deadline = Date.now() + 10_000;
  while (!fs.existsSync(probeFile) && Date.now() < deadline) {
    await new Promise(r => setTimeout(r, 100));
  }
  await new Promise(r => setTimeout(r, 200)); // let the write finish
  const usage = JSON.parse(fs.readFileSync(probeFile, 'utf8'));
  await backend.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    readyMb,
    heapMb: usage.heapUsed / 2 ** 20,
    ms: backend.startupMs,
  };
}

async function main() {
  const stockDir = path.resolve(process.argv[2] ?? '/tmp/stock-app');
  const runs = Number(process.argv[3] ?? 3);
  const only = process.argv[4] ? new RegExp(process.argv[4]) : undefined;
  prepareStockApp(stockDir);
  const portalConfig = path.join(REPO_ROOT, 'app-config.yaml');
  const stockBackend = path.join(stockDir, 'packages/backend');
  const portalCatalog = path.join(REPO_ROOT, 'catalog-info.yaml');
  const variants: Variant[] = [
    {
      name: 'stock',
      backendDir: stockBackend,
      configFiles: ['app-config.yaml'],
    },
    {
      name: 'stock, portal config',
      backendDir: stockBackend,
      configFiles: [portalConfig],
      catalogTarget: path.join(REPO_ROOT, 'catalog-info.yaml'),
    },
    {
      name: 'portal',
      backendDir: BACKEND_DIR,
      configFiles: ['app-config.yaml'],
    },
    ...attributionVariants(stockBackend).map(v => ({
      ...v,
      backendDir: stockBackend,
      configFiles: [portalConfig],
      catalogTarget: portalCatalog,
    })),
  ].filter(v => !only || only.test(v.name));
  const results = new Map(variants.map(v => [v.name, [] as Sample[]]));
  const mb = (x: number) => `${x.toFixed(0)} MB`;
  // The heap after a full collection is steady to within a megabyte: a decimal shows small costs.
  const heap = (x: number) => `${x.toFixed(1)} MB`;
  for (let i = 1; i <= runs; i++) {
    for (const variant of variants) {
      const { ms, ...sample } = await measure(variant);
      results.get(variant.name)!.push(sample);
      console.log(
        `run ${i}/${runs} ${variant.name}: ready in ${(ms / 1000).toFixed(
          1,
        )} s, resident ${mb(sample.readyMb)}, heap after GC ${heap(
          sample.heapMb,
        )}`,
      );
    }
  }
  console.log(
    `median of ${runs} (Node ${process.version}, SQLite): resident once ready | V8 heap in use after a full GC`,
  );
  const medians = new Map(
    [...results].map(([name, samples]) => [
      name,
      {
        readyMb: median(samples.map(s => s.readyMb)),
        heapMb: median(samples.map(s => s.heapMb)),
      },
    ]),
  );
  const base = medians.get('stock, portal config');
  const signed = (x: number, digits: number) =>
    `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;
  for (const [name, m] of medians) {
    const delta =
      base && name.startsWith('stock +')
        ? `   (${signed(m.readyMb - base.readyMb, 0)} | ${signed(
            m.heapMb - base.heapMb,
            1,
          )} MB on "stock, portal config")`
        : '';
    console.log(`  ${name}: ${mb(m.readyMb)} | ${heap(m.heapMb)}${delta}`);
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
