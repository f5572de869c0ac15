// Rebuilds avifenc.wasm (committed next to this script): libaom 3.14.1 and libavif 1.4.2, from
// Debian's source tarballs, compiled to WebAssembly with SIMD.
//
// libaom has no WebAssembly SIMD code, but most of its x86 SSE2/SSSE3/SSE4.1 code is written with
// intrinsics, which emscripten translates to WebAssembly SIMD. So libaom is configured for
// x86_64 without AVX, every C file (intrinsics included) is compiled with emcc, and each dispatch
// whose x86 variant only exists as assembly (or needs an intrinsic emscripten lacks, like crc32)
// is pointed at the best variant that did compile, down to the portable C one. The link tells
// which are missing; the script repeats until it links cleanly.
//
// Needs: Debian's emscripten, clang-19, lld-19, cmake, ninja-build and nasm (nasm only so that
// libaom's x86 configuration step passes; no assembly is built). Usage: node build.mjs [--keep]
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const keep = process.argv.includes('--keep');
const jobs = availableParallelism();

const SOURCES = {
  aom: {
    url: 'https://deb.debian.org/debian/pool/main/a/aom/aom_3.14.1.orig.tar.xz',
    sha256: '4ef9882eda023582499511b845f4d4368a34c9886f545a7eea4ca20799d3c161',
  },
  libavif: {
    url: 'https://deb.debian.org/debian/pool/main/liba/libavif/libavif_1.4.2.orig.tar.gz',
    sha256: '2b645287340ba5a631d268b551dc2d72bd73ac33335962dd36dcdb6d8366921d',
  },
};

// The encoder's wasm-side flags: SIMD on, link-time optimisation, memory.copy/memory.fill for
// memcpy/memset and non-trapping float-to-int conversions (WebAssembly features workerd's V8 has
// had for years), longjmp replaced by a trap (see nolongjmp.h).
const WASM_FEATURES = ['-msimd128', '-mbulk-memory', '-mnontrapping-fptoint'];
const CFLAGS = [
  '-O3',
  '-flto',
  ...WASM_FEATURES,
  '-DNDEBUG',
  '-w',
  // clang 16 and later make an implicit declaration an error; hash_sse42.c calls crc32 intrinsics
  // emscripten lacks, and the link must get the chance to say so (that file is then left out).
  '-Wno-error=implicit-function-declaration',
  '-sSUPPORT_LONGJMP=0',
  '-include',
  join(here, 'nolongjmp.h'),
];

// Debian's emscripten 3.1.6 with Debian's LLVM 19 instead of the LLVM 14 it comes with: the same
// files byte for byte, 5-10 % less CPU time per encode (measured on 1280 and 400 px photos; see
// README.md). Emscripten's prebuilt system libraries (its libc, from Debian's package) link as
// they are.
const LLVM_ROOT = '/usr/lib/llvm-19/bin';
for (const tool of ['clang', 'wasm-ld']) {
  if (!existsSync(join(LLVM_ROOT, tool))) {
    throw new Error(`${join(LLVM_ROOT, tool)} is missing: apt-get install clang-19 lld-19`);
  }
}
process.env.EM_LLVM_ROOT = LLVM_ROOT;
process.env.EM_LLVM_ADD_VERSION = '';
process.env.EM_CLANG_ADD_VERSION = '';

const work = mkdtempSync(join(tmpdir(), 'avifenc-'));
const aomSrc = join(work, 'aom');
const aomBuild = join(work, 'aom-build');
const avifSrc = join(work, 'libavif-1.4.2');
const objDir = join(work, 'obj');

function run(cmd, args, options = {}) {
  execFileSync(cmd, args, { stdio: 'inherit', ...options });
}

async function download(name) {
  const { url, sha256 } = SOURCES[name];
  const res = await fetch(url);
  if (!res.ok) {
    throw new Error(
      `${url} answered ${res.status}; the file may have moved to snapshot.debian.org`,
    );
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== sha256) throw new Error(`${url}: sha256 ${digest}, expected ${sha256}`);
  const file = join(work, url.split('/').pop());
  writeFileSync(file, bytes);
  return file;
}

/** Replaces `from` with `to` in a file, exactly once. */
function patch(file, from, to) {
  const text = readFileSync(file, 'utf8');
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`patch of ${file}: expected 1 match, found ${count}`);
  writeFileSync(file, text.replace(from, to));
}

function patchAom() {
  const x86 = join(aomSrc, 'aom_ports/x86.h');
  // No cpuid or rdtsc in WebAssembly: the SIMD flavour is fixed at build time.
  patch(
    x86,
    '#if defined(__GNUC__) || defined(__ANDROID__)\n#if AOM_ARCH_X86_64\n#define cpuid',
    '#if defined(__EMSCRIPTEN__)\n#define cpuid(func, func2, a, b, c, d) ((a) = (b) = (c) = (d) = 0)\n' +
      '#elif defined(__GNUC__) || defined(__ANDROID__)\n#if AOM_ARCH_X86_64\n#define cpuid',
  );
  for (const fn of [
    'static inline unsigned int x86_readtsc(void) {',
    'static inline uint64_t x86_readtsc64(void) {',
    'static inline unsigned int x86_readtscp(void) {',
  ]) {
    patch(x86, `${fn}\n#if defined(__GNUC__)`, `${fn}\n#if defined(__EMSCRIPTEN__)\n  return 0;\n#elif defined(__GNUC__)`);
  }
  // The quantizers with quantization matrices (tune=iq uses them) call quantize_wasm.c.
  const fpArgs = `const tran_low_t *coeff_ptr, intptr_t n_coeffs, const int16_t *zbin_ptr,
    const int16_t *round_ptr, const int16_t *quant_ptr, const int16_t *quant_shift_ptr,
    tran_low_t *qcoeff_ptr, tran_low_t *dqcoeff_ptr, const int16_t *dequant_ptr,
    uint16_t *eob_ptr, const int16_t *scan, const int16_t *iscan, const qm_val_t *qm_ptr,
    const qm_val_t *iqm_ptr, int log_scale`;
  const wasmArgs = 'const tran_low_t *, intptr_t, const int16_t *, const int16_t *, tran_low_t *, tran_low_t *, const int16_t *, uint16_t *, const int16_t *, const qm_val_t *, const qm_val_t *, int';
  patch(
    join(aomSrc, 'av1/encoder/av1_quantize.c'),
    'static void quantize_fp_helper_c(',
    `void av1_quantize_fp_qm_wasm(${wasmArgs});
static void quantize_fp_helper_scalar(${fpArgs});
static void quantize_fp_helper_c(${fpArgs}) {
  if (qm_ptr != NULL && iqm_ptr != NULL) {
    av1_quantize_fp_qm_wasm(coeff_ptr, n_coeffs, round_ptr, quant_ptr, qcoeff_ptr,
                            dqcoeff_ptr, dequant_ptr, eob_ptr, iscan, qm_ptr, iqm_ptr, log_scale);
  } else {
    quantize_fp_helper_scalar(coeff_ptr, n_coeffs, zbin_ptr, round_ptr, quant_ptr,
                              quant_shift_ptr, qcoeff_ptr, dqcoeff_ptr, dequant_ptr, eob_ptr,
                              scan, iscan, qm_ptr, iqm_ptr, log_scale);
  }
}
static void quantize_fp_helper_scalar(`,
  );
  patch(
    join(aomSrc, 'aom_dsp/quantize.c'),
    'void aom_quantize_b_helper_c(',
    `void aom_quantize_b_qm_wasm(const tran_low_t *, intptr_t, const int16_t *, const int16_t *,
    const int16_t *, const int16_t *, tran_low_t *, tran_low_t *, const int16_t *, uint16_t *,
    const int16_t *, const qm_val_t *, const qm_val_t *, int);
static void quantize_b_helper_scalar(${fpArgs.replace('int log_scale', 'const int log_scale')});
void aom_quantize_b_helper_c(${fpArgs.replace('int log_scale', 'const int log_scale')}) {
  if (qm_ptr != NULL && iqm_ptr != NULL) {
    aom_quantize_b_qm_wasm(coeff_ptr, n_coeffs, zbin_ptr, round_ptr, quant_ptr, quant_shift_ptr,
                           qcoeff_ptr, dqcoeff_ptr, dequant_ptr, eob_ptr, iscan, qm_ptr,
                           iqm_ptr, log_scale);
  } else {
    quantize_b_helper_scalar(coeff_ptr, n_coeffs, zbin_ptr, round_ptr, quant_ptr,
                             quant_shift_ptr, qcoeff_ptr, dqcoeff_ptr, dequant_ptr, eob_ptr,
                             scan, iscan, qm_ptr, iqm_ptr, log_scale);
  }
}
static void quantize_b_helper_scalar(`,
  );
  // The partition search's CNN convolution (libaom has it in AVX2 only) calls cnn_wasm.c.
  const cnnArgs = `const float **input, int in_width, int in_height, int in_stride,
    const CNN_LAYER_CONFIG *layer_config, float **output, int out_stride, int start_idx,
    int cstep, int channel_step`;
  patch(
    join(aomSrc, 'av1/encoder/cnn.c'),
    'void av1_cnn_convolve_no_maxpool_padding_valid_c(',
    `void av1_cnn_convolve_valid_wasm(${cnnArgs});
void av1_cnn_convolve_no_maxpool_padding_valid_c(${cnnArgs}) {
  av1_cnn_convolve_valid_wasm(input, in_width, in_height, in_stride, layer_config, output,
                              out_stride, start_idx, cstep, channel_step);
}
static void convolve_valid_scalar(`,
  );
  // The x87 precision control around encode calls has no meaning in WebAssembly.
  patch(
    join(aomSrc, 'aom/src/aom_encoder.c'),
    '#if AOM_ARCH_X86 || AOM_ARCH_X86_64\n/* On X86',
    '#if (AOM_ARCH_X86 || AOM_ARCH_X86_64) && !defined(__EMSCRIPTEN__)\n/* On X86',
  );
}

function configureAom() {
  mkdirSync(aomBuild);
  run(
    'emcmake',
    [
      'cmake',
      aomSrc,
      '-G',
      'Ninja',
      '-DCMAKE_BUILD_TYPE=Release',
      '-DCMAKE_EXPORT_COMPILE_COMMANDS=ON',
      '-DCMAKE_C_FLAGS=-msimd128',
      '-DCMAKE_CXX_FLAGS=-msimd128',
      '-DAOM_TARGET_CPU=x86_64',
      '-DENABLE_AVX=0', // and with it AVX2 and AVX-512: WebAssembly SIMD is 128 bits wide
      '-DCONFIG_RUNTIME_CPU_DETECT=0',
      '-DCONFIG_MULTITHREAD=0',
      '-DCONFIG_AV1_DECODER=0',
      '-DCONFIG_AV1_HIGHBITDEPTH=0',
      '-DCONFIG_WEBM_IO=0',
      '-DCONFIG_LIBYUV=0',
      '-DCONFIG_PIC=0',
      '-DENABLE_TESTS=0',
      '-DENABLE_EXAMPLES=0',
      '-DENABLE_TOOLS=0',
      '-DENABLE_DOCS=0',
    ],
    { cwd: aomBuild, stdio: ['ignore', 'ignore', 'inherit'] },
  );
}

/** Runs compile jobs `jobs` at a time; rejects on the first failure. */
async function compileAll(units) {
  let next = 0;
  const worker = async () => {
    while (next < units.length) {
      const { file, out, args, cwd } = units[next++];
      await new Promise((resolve, reject) => {
        const child = spawn('emcc', [...args, '-c', file, '-o', out], { cwd, stdio: 'inherit' });
        child.on('exit', code => (code === 0 ? resolve() : reject(new Error(`emcc failed on ${file}`))));
      });
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

/** libaom's C files with their include paths and definitions from CMake, plus the option parser. */
function aomUnits() {
  const commands = JSON.parse(readFileSync(join(aomBuild, 'compile_commands.json'), 'utf8'));
  const skip = ['apps/', 'examples/', 'stats/', 'tools/', 'test/', 'common/', 'third_party/googletest/'];
  const units = [];
  for (const { file, command, directory } of commands) {
    const rel = relative(aomSrc, file);
    // gen_src/ (outside the tree) holds CMake's no-op stubs for empty targets.
    if (!file.endsWith('.c') || rel.startsWith('..') || skip.some(s => rel.startsWith(s))) continue;
    // Keep the include paths, definitions and per-file ISA flags (-msse2 ... -msse4.2).
    const args = command
      .split(/\s+/)
      .filter(a => /^-(I|D|m)/.test(a))
      .concat(CFLAGS);
    units.push({ file, out: join(objDir, `${rel.replaceAll('/', '__')}.o`), args, cwd: directory });
  }
  units.push({
    file: join(here, 'quantize_wasm.c'),
    out: join(objDir, 'quantize_wasm.c.o'),
    args: CFLAGS,
    cwd: aomBuild,
  });
  units.push({
    file: join(here, 'cnn_wasm.c'),
    out: join(objDir, 'cnn_wasm.c.o'),
    args: [`-I${aomSrc}`, `-I${aomBuild}`, ...CFLAGS],
    cwd: aomBuild,
  });
  // av1_cx_iface.c parses codec options (aom_codec_set_option) with these helpers.
  units.push({
    file: join(aomSrc, 'common/args_helper.c'),
    out: join(objDir, 'common__args_helper.c.o'),
    args: [`-I${aomSrc}`, `-I${aomBuild}`, ...CFLAGS],
    cwd: aomBuild,
  });
  return units;
}

function avifUnits() {
  const files = 'alpha avif colr colrconvert diag exif gainmap io mem obu properties rawdata read reformat reformat_libsharpyuv reformat_libyuv sampletransform stream utils write codec_aom';
  return files.split(' ').map(name => ({
    file: join(avifSrc, 'src', `${name}.c`),
    out: join(objDir, `libavif__${name}.c.o`),
    args: [
      `-I${avifSrc}/include`,
      `-I${aomSrc}`,
      `-I${aomBuild}`,
      '-DAVIF_CODEC_AOM=1',
      '-DAVIF_CODEC_AOM_ENCODE=1',
      ...CFLAGS,
    ],
    cwd: work,
  }));
}

const RTCD_HEADERS = ['aom_dsp_rtcd.h', 'av1_rtcd.h', 'aom_scale_rtcd.h'];
const FLAVOURS = ['_sse4_2', '_sse4_1', '_ssse3', '_sse3', '_sse2', '_sse', '_mmx'];

function definedSymbols(objects) {
  const out = execFileSync('emnm', ['--defined-only', '-j', ...objects], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return new Set(out.split('\n').map(l => l.trim()).filter(l => l && !l.endsWith(':')));
}

/** Points each dispatch at the best variant among `defined`; returns how many changed. */
function patchRtcd(defined) {
  let changed = 0;
  for (const header of RTCD_HEADERS) {
    const pristine = readFileSync(join(work, `${header}.orig`), 'utf8');
    const text = pristine.replace(/^#define (\w+) (\w+)$/gm, (line, name, target) => {
      if (defined.has(target) || target === `${name}_c` || !pristine.includes(`${name}_c(`)) {
        return line;
      }
      changed++;
      const best = FLAVOURS.map(f => name + f).find(
        v => v !== target && defined.has(v) && pristine.includes(`${v}(`),
      );
      return `#define ${name} ${best ?? `${name}_c`}`;
    });
    writeFileSync(join(aomBuild, 'config', header), text);
  }
  return changed;
}

/** Links avifenc.wasm; returns the symbols it could not resolve (none when it linked). */
function link(objects) {
  // Archives, so that only the object files the encoder reaches are linked in.
  const archives = ['libaom.a', 'libavif.a'].map(name => join(work, name));
  rmSync(archives[0], { force: true });
  rmSync(archives[1], { force: true });
  const isAvif = o => o.includes('libavif__');
  run('emar', ['rcs', archives[0], ...objects.filter(o => !isAvif(o))]);
  run('emar', ['rcs', archives[1], ...objects.filter(isAvif)]);
  const args = [
    '-O3',
    '-flto',
    ...WASM_FEATURES,
    `-I${avifSrc}/include`,
    join(here, 'avifenc.c'),
    join(here, 'nolongjmp.c'),
    archives[1],
    archives[0],
    '-o',
    join(work, 'avifenc.wasm'),
    '--no-entry',
    '-sSTANDALONE_WASM',
    '-sALLOW_MEMORY_GROWTH=1',
    '-sINITIAL_MEMORY=4MB',
    '-sMAXIMUM_MEMORY=1GB',
    '-sTOTAL_STACK=1MB',
    '-sFILESYSTEM=0',
    '-sSUPPORT_LONGJMP=0',
    '-sEXPORTED_FUNCTIONS=_avif_encode,_result_size,_alloc,_release',
    '-Wl,-error-limit=0',
  ];
  try {
    execFileSync('emcc', args, { cwd: work, encoding: 'utf8', stdio: 'pipe' });
    return [];
  } catch (error) {
    const text = `${error.stdout}${error.stderr}`;
    const missing = [...text.matchAll(/undefined symbol: (\w+)/g)].map(m => m[1]);
    if (missing.length === 0) throw new Error(text);
    return [...new Set(missing)];
  }
}

try {
  console.log(`Downloading sources into ${work}`);
  const [aomTar, avifTar] = await Promise.all([download('aom'), download('libavif')]);
  mkdirSync(aomSrc);
  run('tar', ['xf', aomTar, '-C', aomSrc]); // Debian's aom tarball has no top folder
  run('tar', ['xf', avifTar, '-C', work]);
  patchAom();
  configureAom();
  for (const header of RTCD_HEADERS) {
    copyFileSync(join(aomBuild, 'config', header), join(work, `${header}.orig`));
  }
  mkdirSync(objDir);
  const aom = aomUnits();
  const avif = avifUnits();
  const excluded = new Set();
  for (let round = 1; ; round++) {
    console.log(`Round ${round}: compiling ${aom.length + avif.length} files`);
    await compileAll([...aom, ...avif]);
    const objects = readdirSync(objDir)
      .map(f => join(objDir, f))
      .filter(f => !excluded.has(f));
    const missing = link(objects);
    if (missing.length === 0) break;
    if (round === 4) throw new Error(`still unresolved after ${round} rounds: ${missing.join(' ')}`);
    // Drop x86 objects that call assembly-only helpers or missing intrinsics; redirect dispatches.
    for (const object of objects.filter(o => o.includes('__x86__'))) {
      const undefinedHere = execFileSync('emnm', ['-u', '-j', object], { encoding: 'utf8' }).split('\n');
      if (undefinedHere.some(s => missing.includes(s))) excluded.add(object);
    }
    const defined = definedSymbols(objects.filter(o => !excluded.has(o)));
    console.log(
      `  ${missing.length} unresolved; ${excluded.size} x86 files left out; ${patchRtcd(defined)} dispatches redirected`,
    );
  }
  copyFileSync(join(work, 'avifenc.wasm'), join(here, 'avifenc.wasm'));
  console.log(`avifenc.wasm: ${statSync(join(here, 'avifenc.wasm')).size} bytes`);
} finally {
  if (keep) console.log(`Build tree kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
