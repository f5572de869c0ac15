#!/usr/bin/env bash
# Rebuilds imagecore.wasm (committed next to this script) from Debian's libjpeg-turbo source.
# Needs Debian's `emscripten` package and a deb-src entry for apt (`apt-get source`).
# The Worker's normal build does not run this; it only copies the committed .wasm.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source --download-only libjpeg-turbo >/dev/null
tar xzf libjpeg-turbo_*.orig.tar.gz
src="$(echo "$work"/libjpeg-turbo-*/)"
cp "$here/jconfig.h" "$here/jconfigint.h" "$src"
sed "s/@COPYRIGHT_YEAR@/1991-2022/" "$src/jversion.h.in" > "$src/jversion.h"
# The Huffman decoder's bit buffer is 64 bits wide, as libjpeg-turbo already makes it for x32
# (64-bit registers, 32-bit pointers), which is WebAssembly's case too: fewer refills, the same
# decoded coefficients.
sed -i 's/^#elif defined(__x86_64__) && defined(__ILP32__)$/#elif (defined(__x86_64__) \&\& defined(__ILP32__)) || defined(__wasm__)/' "$src/jdhuff.h"
sed -i 's/^\(#if SIZEOF_SIZE_T == 8 || defined(_WIN64) || (defined(__x86_64__) && defined(__ILP32__))\)$/\1 || defined(__wasm__)/' "$src/jdhuff.c"
grep -q '__wasm__' "$src/jdhuff.h" && grep -q '__wasm__' "$src/jdhuff.c"
files="jcomapi jdapimin jdapistd jdatasrc jdcoefct jdcolor jddctmgr jdhuff jdicc jdinput
  jdmainct jdmarker jdmaster jdmerge jdphuff jdpostct jdsample jerror jidctflt jidctfst jidctint
  jidctred jmemmgr jmemnobs jquant1 jquant2 jutils jaricom jdarith"
sources=()
for f in $files; do sources+=("$src/$f.c"); done
# jsimd_wasm.c holds libjpeg-turbo's SIMD entry points: WebAssembly SIMD colour conversion and
# upsampling, the IDCTs in jidctint_wasm.c, and jsimd_none.c (included from the source tree) for
# the rest.
emcc -O3 -msimd128 -flto -I"$src" "${sources[@]}" "$here/jsimd_wasm.c" "$here/jidctint_wasm.c" \
  "$here/imagecore.c" \
  -o "$here/imagecore.wasm" \
  --no-entry -sSTANDALONE_WASM -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=2MB \
  -sMAXIMUM_MEMORY=1GB -sTOTAL_STACK=256KB -sFILESYSTEM=0 \
  -sEXPORTED_FUNCTIONS=_jpeg_decode_rgba,_jpeg_decode_resize,_jpeg_scaled_size,_resize_rgba,_result_width,_result_height,_alloc,_release,_set_simd,_simd_paths
ls -l "$here/imagecore.wasm"
