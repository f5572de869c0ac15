// Measures what the CPU estimate (src/engines/cpuEstimate.ts) is made of: workerd's CPU time per
// request, and the Worker's own decode/resize and encode times, for each source type, DCT scale
// and output format. Usage: node scripts/build.mjs --quiet && node bench/cpuCalibrate.mts
// (uses the mate corpus that `yarn bench` fetches into .corpus/). Prints one row per request.
import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { startWorker } from '../test/harness.mts';
import { photo } from '../test/fixtures.mts';
import { workerdCpuMs, workerdPids } from './workerdCpu.mts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const mate = join(
  root,
  '.corpus/mate-backgrounds/usr/share/backgrounds/mate/nature',
);

const base = await photo(1600, 1200);
const sources = new Map<string, { body: Buffer; type: string }>([
  [
    'tiny.png',
    { body: await (await photo(64, 48)).png().toBuffer(), type: 'image/png' },
  ],
  [
    'wood.jpg',
    { body: readFileSync(join(mate, 'Wood.jpg')), type: 'image/jpeg' },
  ],
  [
    'blinds.jpg',
    { body: readFileSync(join(mate, 'Blinds.jpg')), type: 'image/jpeg' },
  ],
  [
    'meadow.jpg',
    { body: readFileSync(join(mate, 'GreenMeadow.jpg')), type: 'image/jpeg' },
  ],
  [
    'photo.png',
    { body: await base.clone().png().toBuffer(), type: 'image/png' },
  ],
  [
    'photo.webp',
    {
      body: await base.clone().webp({ quality: 90 }).toBuffer(),
      type: 'image/webp',
    },
  ],
  ...readdirSync(mate)
    .filter(f => f.endsWith('.jpg'))
    .map(
      f =>
        [
          `mate/${f}`,
          { body: readFileSync(join(mate, f)), type: 'image/jpeg' },
        ] as const,
    ),
  [
    'photo.gif',
    { body: await (await photo(800, 600)).gif().toBuffer(), type: 'image/gif' },
  ],
]);
// --avif-speed N: AVIF_SPEED for the run; --only FORMAT: only the cases of that output format.
const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const speed = option('avif-speed');
const only = option('only');
const worker = await startWorker(
  {
    ALLOWED_ORIGINS: 'images.bench',
    DEBUG_HEADERS: 'true',
    ...(speed ? { AVIF_SPEED: speed } : {}),
  },
  request => {
    const source = sources.get(
      decodeURIComponent(new URL(request.url).pathname.slice(1)),
    );
    return source
      ? new Response(new Uint8Array(source.body), {
          headers: { 'Content-Type': source.type },
        })
      : new Response('not found', { status: 404 });
  },
  { cache: false },
);
const pids = workerdPids();

const allCases: Array<[string, number, string]> = [
  ['tiny.png', 16, 'webp'],
  ...['wood.jpg', 'blinds.jpg', 'meadow.jpg'].flatMap(name =>
    [160, 400, 800, 1280].flatMap(w =>
      ['webp', 'jpeg', 'png'].map(
        f => [name, w, f] as [string, number, string],
      ),
    ),
  ),
  ['wood.jpg', 2309, 'webp'],
  ['wood.jpg', 2309, 'jpeg'],
  ['wood.jpg', 2309, 'png'],
  ['wood.jpg', 400, 'avif'],
  ['wood.jpg', 1280, 'avif'],
  ['blinds.jpg', 400, 'avif'],
  ['blinds.jpg', 1280, 'avif'],
  ...['photo.png', 'photo.webp', 'photo.gif'].flatMap(name =>
    [100, 800, 1600].map(w => [name, w, 'webp'] as [string, number, string]),
  ),
  ['photo.png', 1600, 'png'],
  // Every mate photo at the benchmark's settings.
  ...[...sources.keys()]
    .filter(name => name.startsWith('mate/'))
    .flatMap(name =>
      [1280, 400].flatMap(w =>
        ['webp', 'avif'].map(f => [name, w, f] as [string, number, string]),
      ),
    ),
];
const cases = allCases.filter(([, , f]) => !only || f === only);

console.log(
  `columns: source, w, f, decode-scale, output pixels, workerd CPU ms, decode-resize ms, encode ms, cpu-estimate ms; load ${loadavg()
    .map(l => l.toFixed(2))
    .join(' ')}`,
);
for (const pass of ['warm-up', 'measured']) {
  for (const [name, w, f] of cases) {
    if (pass === 'warm-up' && f === 'avif' && w > 400) continue;
    const before = workerdCpuMs(pids);
    const res = await worker.fetch(
      `/?url=${encodeURIComponent(
        `https://images.bench/${name}`,
      )}&w=${w}&f=${f}`,
    );
    const body = await res.arrayBuffer();
    const cpu = workerdCpuMs(pids) - before;
    if (pass === 'warm-up') continue;
    const debug = res.headers.get('X-Image-Debug') ?? '';
    const field = (key: string) =>
      new RegExp(`${key}=([^;]+)`).exec(debug)?.[1] ?? '';
    const out = await sharp(Buffer.from(body))
      .metadata()
      .catch(() => undefined);
    console.log(
      [
        name,
        w,
        f,
        res.status,
        field('decode-scale'),
        out ? out.width! * out.height! : '',
        cpu.toFixed(1),
        field('decode-resize-ms'),
        field('encode-ms'),
        field('cpu-estimate-ms'),
      ].join('\t'),
    );
  }
}
console.log(
  `load ${loadavg()
    .map(l => l.toFixed(2))
    .join(' ')}`,
);
await worker.dispose();
