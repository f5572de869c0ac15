// Benchmark: the Worker's wasm engine in workerd against sharp (libvips) on real camera photos.
// Usage: yarn bench:worker [--runs N (timed WebP runs per image, default 3)]
//   [--avif-runs N (timed AVIF runs per image, default 3)] [--limit N photos]
//   [--corpus mate|plasma (default mate)]
// The corpora are Debian packages of photos (see CORPORA), fetched into worker/.corpus/<package>
// on first use with `apt-get download` and never committed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { startWorkerWithDiskOrigin } from '../test/harness.mts';
import { workerdCpuMs, workerdPids } from './workerdCpu.mts';
import { costTable, monthTable, PRICES } from './cost.mts';
import { describeTargets, misses } from './targets.mts';

/** Photo sets the benchmark runs on: a Debian package and the JPEGs in it that it uses. */
const CORPORA = {
  // MATE's nature backgrounds (GPL-2+): 12 camera photos of 1.3-4.9 MP.
  mate: {
    package: 'mate-backgrounds',
    photos: (dir: string) =>
      listJpegs(join(dir, 'usr/share/backgrounds/mate/nature')),
  },
  // KDE Plasma's wallpapers (various free licences, in the package's copyright file): the
  // 2560 x 1600 JPEG of each wallpaper that has one, 12 images, mostly photos. The package's
  // other sizes of the same image are links to it; its 5120 x 2880 images are above MAX_PIXELS.
  plasma: {
    package: 'plasma-workspace-wallpapers',
    photos: (dir: string) => {
      const wallpapers = join(dir, 'usr/share/wallpapers');
      return readdirSync(wallpapers)
        .sort()
        .map(name => join(wallpapers, name, 'contents/images/2560x1600.jpg'))
        .filter(file => existsSync(file));
    },
  },
} as const;
type CorpusName = keyof typeof CORPORA;

function listJpegs(dir: string): string[] {
  return readdirSync(dir)
    .filter(f => f.endsWith('.jpg'))
    .sort()
    .map(f => join(dir, f));
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const RUNS = Number(option('runs', '3'));
const AVIF_RUNS = Number(option('avif-runs', '3'));
const LIMIT = Number(option('limit', 'Infinity'));
const CORPUS = option('corpus', 'mate');
if (!(CORPUS in CORPORA)) {
  throw new Error(
    `--corpus ${CORPUS} is not a known photo set; use one of: ${Object.keys(
      CORPORA,
    ).join(', ')}`,
  );
}
const corpus = CORPORA[CORPUS as CorpusName];
const corpusDir = join(root, '.corpus', corpus.package);
const WIDTHS = [1280, 400];
const FORMATS = ['webp', 'avif'] as const;
type Format = (typeof FORMATS)[number];
// The Worker's defaults, which are sharp's defaults.
const QUALITY: Record<Format, number> = { webp: 80, avif: 50 };

/** The corpus's photos by name (the path under the corpus folder), fetched on first use. */
function fetchCorpus(): Map<string, string> {
  if (!existsSync(join(corpusDir, 'usr'))) {
    mkdirSync(corpusDir, { recursive: true });
    console.log(`Fetching the corpus: apt-get download ${corpus.package}`);
    execFileSync('apt-get', ['download', corpus.package], {
      cwd: corpusDir,
      stdio: 'inherit',
    });
    const deb = readdirSync(corpusDir).find(f => f.endsWith('.deb'));
    if (!deb) throw new Error('apt-get download produced no .deb');
    execFileSync('dpkg', ['-x', deb, '.'], {
      cwd: corpusDir,
      stdio: 'inherit',
    });
  }
  const files = corpus.photos(corpusDir).slice(0, LIMIT);
  if (files.length === 0) {
    throw new Error(
      `No photos found in ${corpusDir}; delete the folder to fetch ${corpus.package} again`,
    );
  }
  // Plasma's files are all called 2560x1600.jpg: name each by its wallpaper folder.
  return new Map(
    files.map(file => [
      file.includes('/wallpapers/')
        ? file.split('/wallpapers/')[1].split('/')[0]
        : file.split('/').pop()!,
      file,
    ]),
  );
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
function load(): string {
  return loadavg()
    .map(l => l.toFixed(2))
    .join(' ');
}

/** Luma of an image decoded by sharp (and resized to `width` x `height` when it differs). */
async function luma(
  input: Buffer,
  width: number,
  height: number,
): Promise<Float32Array> {
  const { data, info } = await sharp(input)
    .resize(width, height, { fit: 'fill' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const out = new Float32Array(info.width * info.height);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) {
    out[i] = 0.299 * data[j] + 0.587 * data[j + 1] + 0.114 * data[j + 2];
  }
  return out;
}

/** Mean SSIM over 8x8 windows (stride 4) of luma, with the usual constants for 8-bit data. */
function ssim(
  a: Float32Array,
  b: Float32Array,
  width: number,
  height: number,
): number {
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  let count = 0;
  for (let y = 0; y + 8 <= height; y += 4) {
    for (let x = 0; x + 8 <= width; x += 4) {
      let sa = 0,
        sb = 0,
        saa = 0,
        sbb = 0,
        sab = 0;
      for (let dy = 0; dy < 8; dy++) {
        let i = (y + dy) * width + x;
        for (let dx = 0; dx < 8; dx++, i++) {
          const va = a[i];
          const vb = b[i];
          sa += va;
          sb += vb;
          saa += va * va;
          sbb += vb * vb;
          sab += va * vb;
        }
      }
      const n = 64;
      const ma = sa / n;
      const mb = sb / n;
      const va = saa / n - ma * ma;
      const vb = sbb / n - mb * mb;
      const cov = sab / n - ma * mb;
      total +=
        ((2 * ma * mb + c1) * (2 * cov + c2)) /
        ((ma * ma + mb * mb + c1) * (va + vb + c2));
      count++;
    }
  }
  return total / count;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Row {
  photo: string;
  sourceBytes: number;
  width: number;
  format: Format;
  workerBytes: number;
  sharpBytes: number;
  workerSsim: number;
  sharpSsim: number;
  /** Whole request through workerd, origin fetch included. */
  workerMs: number;
  /** Decode + resize + encode inside the Worker. */
  transformMs: number;
  /** Inside the Worker: from the origin fetch to the source's last byte. */
  originMs: number;
  sharpMs: number;
  /** CPU time of the whole request in workerd, and of sharp's pipeline. */
  workerCpuMs: number;
  sharpCpuMs: number;
  /**
   * The Worker's CPU estimate (`cpu-estimate-ms`), the most CPU time one run took, and how many
   * of the row's runs took more than the estimate.
   */
  cpuEstimateMs: number;
  workerCpuMaxMs: number;
  runsOverEstimate: number;
  runs: number;
  peakBytes: number;
  /** 1-minute load average when the row's runs ended. */
  load: number;
}

const files = fetchCorpus();
const photos = [...files.keys()];
const sources = new Map(
  photos.map(name => [name, readFileSync(files.get(name)!)]),
);
// The origin is a second Worker in the same workerd serving the corpus folder (a photo's URL path
// is its path under the folder): no request leaves workerd, as on Cloudflare, where the origin is
// another machine and only its network latency is added, not a Node test handler's copying.
const worker = await startWorkerWithDiskOrigin(
  { ENGINE: 'wasm', ALLOWED_ORIGINS: 'images.bench', DEBUG_HEADERS: 'true' },
  corpusDir,
  'image/jpeg',
);
const workerd = (() => {
  try {
    return workerdPids();
  } catch {
    return [];
  }
})();

console.log(
  'columns: photo, source size, width, format, worker bytes, sharp bytes, bytes ratio, worker SSIM, sharp SSIM, worker request ms, worker transform ms, sharp ms, time ratio (transform / sharp), peak WASM memory, CPU time ratio (workerd request / sharp), workerd CPU ms (median of runs, most of one run) / the Worker CPU estimate ms, 1-minute load average',
);
console.log(
  `image-worker benchmark: ${photos.length} photos of ${
    corpus.package
  } (--corpus ${CORPUS}), widths ${WIDTHS.join(' and ')}, ` +
    `${FORMATS.join(
      ' and ',
    )}, median of ${RUNS} timed WebP runs and ${AVIF_RUNS} AVIF run${
      AVIF_RUNS === 1 ? '' : 's'
    } per image; sharp ${sharp.versions.sharp} (libvips ${
      sharp.versions.vips
    }), concurrency ${sharp.concurrency()}; load average ${load()}`,
);

async function viaWorker(name: string, width: number, format: Format) {
  const cpuBefore = workerdCpuMs(workerd);
  const started = performance.now();
  const res = await worker.fetch(
    `/?url=${encodeURIComponent(
      `https://images.bench/${relative(corpusDir, files.get(name)!)}`,
    )}&w=${width}&f=${format}`,
  );
  const body = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - started;
  const cpuMs = workerdCpuMs(workerd) - cpuBefore;
  if (res.status !== 200)
    throw new Error(`Worker answered ${res.status}: ${body.toString()}`);
  const debug = res.headers.get('X-Image-Debug') ?? '';
  const field = (name: string) =>
    Number(new RegExp(`${name}=(\\d+)`).exec(debug)?.[1]);
  // In-Worker time: decode + resize + encode, without the origin fetch and HTTP round trips.
  const transformMs = field('decode-resize-ms') + field('encode-ms');
  return {
    body,
    ms,
    cpuMs,
    transformMs,
    originMs: field('origin-ms'),
    peak: field('wasm-peak-bytes'),
    cpuEstimateMs: field('cpu-estimate-ms'),
  };
}

async function viaSharp(source: Buffer, width: number, format: Format) {
  // sharp works on libuv's thread pool, in this process.
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const pipeline = sharp(source).resize(width, undefined, {
    withoutEnlargement: true,
  });
  const body =
    format === 'webp'
      ? await pipeline.webp({ quality: QUALITY.webp, effort: 4 }).toBuffer()
      : await pipeline.avif({ quality: QUALITY.avif, effort: 4 }).toBuffer();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { body, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
}

const rows: Row[] = [];
const warmed = new Set<string>();
for (const photo of photos) {
  const source = sources.get(photo)!;
  const meta = await sharp(source).metadata();
  for (const width of WIDTHS) {
    const outWidth = Math.min(width, meta.width!);
    const outHeight = Math.round((meta.height! * outWidth) / meta.width!);
    // Reference: full-size decode, Lanczos3 to the output size, no shrink-on-load.
    const reference = await luma(
      await sharp(source, {})
        .resize(outWidth, outHeight, {
          fastShrinkOnLoad: false,
          kernel: 'lanczos3',
        })
        .png()
        .toBuffer(),
      outWidth,
      outHeight,
    );
    for (const format of FORMATS) {
      if (!warmed.has(`${width}/${format}`)) {
        // One untimed pass per setting, so both sides run compiled and warmed-up code.
        await viaWorker(photo, width, format);
        await viaSharp(source, width, format);
        warmed.add(`${width}/${format}`);
      }
      // AVIF in WASM takes seconds per image, but a single run of it can be 10 % off: the
      // median of three by default (--avif-runs 1 for a quicker look).
      const runs = format === 'avif' ? AVIF_RUNS : RUNS;
      const workerTimes: number[] = [];
      const transformTimes: number[] = [];
      const originTimes: number[] = [];
      const sharpTimes: number[] = [];
      const workerCpu: number[] = [];
      const sharpCpu: number[] = [];
      let w = await viaWorker(photo, width, format);
      let s = await viaSharp(source, width, format);
      for (let run = 0; ; run++) {
        workerTimes.push(w.ms);
        transformTimes.push(w.transformMs);
        originTimes.push(w.originMs);
        sharpTimes.push(s.ms);
        workerCpu.push(w.cpuMs);
        sharpCpu.push(s.cpuMs);
        if (run + 1 >= runs) break;
        w = await viaWorker(photo, width, format);
        s = await viaSharp(source, width, format);
      }
      const row: Row = {
        photo,
        sourceBytes: source.length,
        width,
        format,
        workerBytes: w.body.length,
        sharpBytes: s.body.length,
        workerSsim: ssim(
          reference,
          await luma(w.body, outWidth, outHeight),
          outWidth,
          outHeight,
        ),
        sharpSsim: ssim(
          reference,
          await luma(s.body, outWidth, outHeight),
          outWidth,
          outHeight,
        ),
        workerMs: median(workerTimes),
        transformMs: median(transformTimes),
        originMs: median(originTimes),
        sharpMs: median(sharpTimes),
        workerCpuMs: median(workerCpu),
        sharpCpuMs: median(sharpCpu),
        cpuEstimateMs: w.cpuEstimateMs,
        workerCpuMaxMs: Math.max(...workerCpu),
        runsOverEstimate: workerCpu.filter(ms => ms > w.cpuEstimateMs).length,
        runs: workerCpu.length,
        peakBytes: w.peak,
        load: loadavg()[0],
      };
      rows.push(row);
      console.log(
        [
          row.photo.padEnd(17),
          `${(row.sourceBytes / 1024).toFixed(0)} KiB`.padStart(9),
          `${row.width}`.padStart(5),
          row.format.padEnd(5),
          `${row.workerBytes}`.padStart(8),
          `${row.sharpBytes}`.padStart(8),
          `${(row.workerBytes / row.sharpBytes).toFixed(3)}`.padStart(6),
          row.workerSsim.toFixed(4),
          row.sharpSsim.toFixed(4),
          `${row.workerMs.toFixed(0)}`.padStart(6),
          `${row.transformMs.toFixed(0)}`.padStart(6),
          `${row.sharpMs.toFixed(0)}`.padStart(6),
          `${(row.transformMs / row.sharpMs).toFixed(2)}x`.padStart(6),
          `${(row.peakBytes / 1048576).toFixed(1)} MiB`.padStart(10),
          `${(row.workerCpuMs / row.sharpCpuMs).toFixed(2)}x`.padStart(6),
          `${row.workerCpuMs.toFixed(0)}, ${row.workerCpuMaxMs.toFixed(0)} / ${
            row.cpuEstimateMs
          } ms`.padStart(20),
          row.load.toFixed(2).padStart(5),
        ].join(' '),
      );
    }
  }
}
await worker.dispose();

console.log(
  `\nSummary of ${
    corpus.package
  } (medians over photos; targets: ${describeTargets()}); load average now ${load()}`,
);
console.log(
  '| width | format | worker bytes | sharp bytes | bytes ratio | worker SSIM | sharp SSIM | worker request ms | worker transform ms | sharp ms | time ratio (transform) | time ratio (request) | request overhead ms | of which origin fetch ms | CPU time ratio (workerd request / sharp) | peak WASM memory (max) | load average (1 min, min-max over the rows) | verdict |',
);
console.log(`|${' --- |'.repeat(18)}`);
let allPass = true;
for (const width of WIDTHS) {
  for (const format of FORMATS) {
    const group = rows.filter(r => r.width === width && r.format === format);
    const bytesRatio = median(group.map(r => r.workerBytes / r.sharpBytes));
    const ssimW = median(group.map(r => r.workerSsim));
    const ssimS = median(group.map(r => r.sharpSsim));
    const msW = median(group.map(r => r.transformMs));
    const msRequest = median(group.map(r => r.workerMs));
    const msS = median(group.map(r => r.sharpMs));
    const peak = Math.max(...group.map(r => r.peakBytes));
    const loads = group.map(r => r.load);
    // What a request costs above the transform: origin fetch, HTTP, header parsing, cache key.
    const overheadMs = median(group.map(r => r.workerMs - r.transformMs));
    const originMs = median(group.map(r => r.originMs));
    const cpuRatio = median(group.map(r => r.workerCpuMs / r.sharpCpuMs));
    // The photo whose CPU estimate is lowest against its median CPU time. Single runs can take
    // several times the median (a garbage collection of earlier requests' memory lands on
    // whichever request is running): those are counted beside the verdict, not in it.
    const tightest = group.reduce((a, b) =>
      b.cpuEstimateMs / b.workerCpuMs < a.cpuEstimateMs / a.workerCpuMs ? b : a,
    );
    const over = group.filter(r => r.runsOverEstimate > 0);
    const overNote = over.length
      ? `; ${over.reduce(
          (n, r) => n + r.runsOverEstimate,
          0,
        )} of ${group.reduce(
          (n, r) => n + r.runs,
          0,
        )} single runs above their CPU estimate (${over
          .map(
            r =>
              `${r.photo} ${r.workerCpuMaxMs.toFixed(0)} / ${
                r.cpuEstimateMs
              } ms`,
          )
          .join(', ')})`
      : '';
    const fails = misses({
      width,
      format,
      bytesRatio,
      workerSsim: ssimW,
      sharpSsim: ssimS,
      transformMs: msW,
      sharpMs: msS,
      peakWasmBytes: peak,
      requestOverheadMs: overheadMs,
      workerCpuMs: tightest.workerCpuMs,
      cpuEstimateMs: tightest.cpuEstimateMs,
    });
    if (fails.length) allPass = false;
    console.log(
      `| ${width} | ${format} | ${median(group.map(r => r.workerBytes)).toFixed(
        0,
      )} | ${median(group.map(r => r.sharpBytes)).toFixed(
        0,
      )} | ${bytesRatio.toFixed(3)} | ${ssimW.toFixed(4)} | ${ssimS.toFixed(
        4,
      )} | ${msRequest.toFixed(0)} | ${msW.toFixed(0)} | ${msS.toFixed(0)} | ${(
        msW / msS
      ).toFixed(2)}x | ${(msRequest / msS).toFixed(2)}x | ${overheadMs.toFixed(
        1,
      )} | ${originMs.toFixed(1)} | ${cpuRatio.toFixed(2)}x | ${(
        peak / 1048576
      ).toFixed(1)} MiB | ${Math.min(...loads).toFixed(2)}-${Math.max(
        ...loads,
      ).toFixed(2)} | ${
        fails.length ? `misses: ${fails.join(', ')}` : 'meets targets'
      }${overNote} |`,
    );
  }
}
console.log(
  allPass
    ? '\nAll targets met.'
    : '\nSome targets missed (see verdict column).',
);

// What 1,000 transformations cost with each engine: the wasm engine is billed for its CPU time
// (the median in-Worker time above, taken as CPU time), the cloudflare engine per unique
// transformation. Copied into README.md as it is printed.
console.log(
  `\nCost per 1,000 transformations (prices read ${PRICES.readOn}: ${PRICES.workers.source}, ${PRICES.images.source})`,
);
const measured = WIDTHS.flatMap(width =>
  FORMATS.map(format => ({
    width,
    format,
    cpuMs: median(
      rows
        .filter(r => r.width === width && r.format === format)
        .map(r => r.transformMs),
    ),
  })),
);
console.log(costTable(measured));
// A month at three volumes; copy the measured figures into ../cost.js (BENCHMARK) when they
// replace the README's, so that the deploy action and the form price the same numbers.
console.log(`\nA month (prices read ${PRICES.readOn}, ${PRICES.r2.source})`);
console.log(monthTable(measured, [5_000, 50_000, 500_000]));
