// Bundles src/index.ts and the WASM modules it imports into dist/, then prints the bundle size.
// Usage: node scripts/build.mjs [--quiet]
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const quiet = process.argv.includes('--quiet');
// Cloudflare's free-plan size limit, from the Worker's contract.
const GZIP_LIMIT = createRequire(import.meta.url)('../src/contract.json').limits
  .bundleGzipBytes;

/** Keeps `.wasm` imports as separate Worker modules (compiled once by the runtime). */
const wasmModules = {
  name: 'wasm-modules',
  setup(b) {
    b.onResolve({ filter: /\.wasm$/ }, async args => {
      if (args.pluginData?.resolving) return undefined;
      const resolved = await b.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: { resolving: true },
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const name = basename(resolved.path);
      await copyFile(resolved.path, join(dist, name));
      return { path: `./${name}`, external: true };
    });
  },
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await build({
  entryPoints: [join(root, 'src/index.ts')],
  outfile: join(dist, 'index.js'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  conditions: ['workerd', 'worker', 'browser'],
  mainFields: ['module', 'main'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [wasmModules],
});

let raw = 0;
let gzip = 0;
const rows = [];
for (const name of (await readdir(dist)).sort()) {
  const content = await readFile(join(dist, name));
  const gz = gzipSync(content, { level: 9 }).length;
  raw += (await stat(join(dist, name))).size;
  gzip += gz;
  rows.push(
    `  ${name.padEnd(28)} ${kb(content.length).padStart(10)} ${kb(gz).padStart(
      10,
    )} gzip`,
  );
}
if (!quiet) console.log(rows.join('\n'));
console.log(
  `image-worker bundle: ${kb(raw)} raw, ${kb(gzip)} gzip (limit ${kb(
    GZIP_LIMIT,
  )} gzip) in ${dist}`,
);
if (gzip > GZIP_LIMIT) {
  console.error(`image-worker bundle is over the ${kb(GZIP_LIMIT)} gzip limit`);
  process.exit(1);
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
