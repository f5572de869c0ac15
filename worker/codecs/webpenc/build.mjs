// Rebuilds webpenc.wasm (committed next to this script): libwebp 1.6.0's lossy encoder, from
// Debian's source tarball, compiled to WebAssembly with SIMD.
//
// libwebp's x86 SSE2 and SSE4.1 code is written with intrinsics, which emscripten translates to
// WebAssembly SIMD, and libwebp's own CPU check on emscripten (src/dsp/cpu.c) turns on the
// variants the compile flags allow. So the encoder runs the same code paths as sharp's native
// libwebp, and its files are byte for byte sharp's for the same pixels.
//
// Needs: Debian's emscripten. Usage: node build.mjs
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SOURCE = {
  url: 'https://deb.debian.org/debian/pool/main/libw/libwebp/libwebp_1.6.0.orig.tar.gz',
  sha256: 'e4ab7009bf0629fd11982d4c2aa83964cf244cffba7347ecd39019a9e38c4564',
};

const work = mkdtempSync(join(tmpdir(), 'webpenc-'));
try {
  const res = await fetch(SOURCE.url);
  if (!res.ok) {
    throw new Error(
      `${SOURCE.url} answered ${res.status}; the file may have moved to snapshot.debian.org`,
    );
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== SOURCE.sha256) {
    throw new Error(`${SOURCE.url}: sha256 ${digest}, expected ${SOURCE.sha256}`);
  }
  const tarball = join(work, 'libwebp.tar.gz');
  writeFileSync(tarball, bytes);
  execFileSync('tar', ['xzf', tarball, '-C', work]);
  const src = join(work, 'libwebp-1.6.0');

  // The encoder, the DSP code it dispatches to (portable C, SSE2, SSE4.1) and the utilities.
  // ARM, MIPS and AVX2 variants are left out; the linker drops what the encoder never calls.
  const skip = /_(mips32|mips_dsp_r2|msa|neon|avx2)\.c$/;
  const sources = ['src/enc', 'src/dsp', 'src/utils', 'sharpyuv'].flatMap(dir =>
    readdirSync(join(src, dir))
      .filter(f => f.endsWith('.c') && !skip.test(f))
      .sort()
      .map(f => join(src, dir, f)),
  );
  const out = join(work, 'webpenc.wasm');
  execFileSync(
    'emcc',
    [
      '-O3',
      '-flto',
      '-msimd128',
      '-msse2',
      '-msse4.1',
      '-DNDEBUG',
      '-w',
      `-I${src}`,
      `-I${join(src, 'src')}`,
      ...sources,
      join(here, 'webpenc.c'),
      '-o',
      out,
      '--no-entry',
      '-sSTANDALONE_WASM',
      '-sALLOW_MEMORY_GROWTH=1',
      '-sINITIAL_MEMORY=2MB',
      '-sMAXIMUM_MEMORY=1GB',
      '-sTOTAL_STACK=256KB',
      '-sFILESYSTEM=0',
      '-sEXPORTED_FUNCTIONS=_webp_encode,_result_size,_alloc,_release',
    ],
    { stdio: 'inherit', cwd: work },
  );
  copyFileSync(out, join(here, 'webpenc.wasm'));
  console.log(`wrote ${join(here, 'webpenc.wasm')}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
