// @ts-expect-error -- the package types this file as wasm-bindgen exports; the Workers runtime
// imports a .wasm module as a compiled WebAssembly.Module.
import resizeWasmModule from '@jsquash/resize/lib/resize/pkg/squoosh_resize_bg.wasm';
import { exportedMemory, MemoryMeter } from './meter';
import type { Pixels } from './pixels';

const resizeWasm = resizeWasmModule as WebAssembly.Module;

interface ResizeExports {
  memory: WebAssembly.Memory;
  resize(
    retptr: number,
    ptr: number,
    len: number,
    inWidth: number,
    inHeight: number,
    outWidth: number,
    outHeight: number,
    method: number,
    premultiply: number,
    linearRgb: number,
  ): void;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __wbindgen_add_to_stack_pointer(delta: number): number;
}

const LANCZOS3 = 3;

/** Lanczos3 resize in a per-request instance of the resize module (alpha premultiplied). */
export function lanczos(input: Pixels, width: number, height: number, meter: MemoryMeter): Pixels {
  if (input.width === width && input.height === height) return input;
  const instance = new WebAssembly.Instance(resizeWasm, {});
  const wasm = instance.exports as unknown as ResizeExports;
  const memory = exportedMemory(instance.exports);
  meter.track(memory);
  const retptr = wasm.__wbindgen_add_to_stack_pointer(-16);
  try {
    const bytes = new Uint8Array(input.data.buffer, input.data.byteOffset, input.data.length);
    const ptr = wasm.__wbindgen_malloc(bytes.length, 1);
    new Uint8Array(memory.buffer).set(bytes, ptr);
    wasm.resize(retptr, ptr, bytes.length, input.width, input.height, width, height, LANCZOS3, 1, 0);
    const words = new Int32Array(memory.buffer, retptr, 2);
    const data = new Uint8ClampedArray(memory.buffer, words[0], words[1]).slice();
    meter.sample();
    return { data, width, height };
  } finally {
    wasm.__wbindgen_add_to_stack_pointer(16);
    meter.release(memory);
  }
}

/** Copies a rectangle out of an image. */
export function crop(input: Pixels, x: number, y: number, width: number, height: number): Pixels {
  if (x === 0 && y === 0 && width === input.width && height === input.height) return input;
  const data = new Uint8ClampedArray(width * height * 4);
  for (let row = 0; row < height; row++) {
    const start = ((y + row) * input.width + x) * 4;
    data.set(input.data.subarray(start, start + width * 4), row * width * 4);
  }
  return { data, width, height };
}

/**
 * Averages `factor` × `factor` blocks (partial blocks at the right and bottom edges are averaged
 * over the pixels they have). A cheap first step before Lanczos when shrinking a lot, as libvips
 * does, so the filter runs on a few times more pixels than it outputs instead of on all of them.
 */
export function boxShrink(input: Pixels, factor: number): Pixels {
  if (factor <= 1) return input;
  const { width: w, height: h, data: src } = input;
  const ow = Math.ceil(w / factor);
  const oh = Math.ceil(h / factor);
  const out = new Uint8ClampedArray(ow * oh * 4);
  const sums = new Uint32Array(ow * 4);
  const counts = new Uint32Array(ow);
  for (let oy = 0; oy < oh; oy++) {
    sums.fill(0);
    counts.fill(0);
    const y1 = Math.min(h, (oy + 1) * factor);
    for (let y = oy * factor; y < y1; y++) {
      let i = y * w * 4;
      for (let x = 0; x < w; x++, i += 4) {
        const ox = (x / factor) | 0;
        const o = ox * 4;
        sums[o] += src[i];
        sums[o + 1] += src[i + 1];
        sums[o + 2] += src[i + 2];
        sums[o + 3] += src[i + 3];
        counts[ox]++;
      }
    }
    let o = oy * ow * 4;
    for (let ox = 0; ox < ow; ox++, o += 4) {
      const n = counts[ox];
      const half = n >> 1;
      out[o] = (sums[ox * 4] + half) / n;
      out[o + 1] = (sums[ox * 4 + 1] + half) / n;
      out[o + 2] = (sums[ox * 4 + 2] + half) / n;
      out[o + 3] = (sums[ox * 4 + 3] + half) / n;
    }
  }
  return { data: out, width: ow, height: oh };
}
