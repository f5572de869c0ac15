// @ts-expect-error -- the package types this file as wasm-bindgen exports; the Workers runtime
// imports a .wasm module as a compiled WebAssembly.Module.
import pngWasmModule from '@jsquash/png/codec/pkg/squoosh_png_bg.wasm';
import { exportedMemory, MemoryMeter } from './meter';
import type { Pixels } from './pixels';

const pngWasm = pngWasmModule as WebAssembly.Module;

interface PngExports {
  memory: WebAssembly.Memory;
  decode(ptr: number, len: number): number;
  encode(
    retptr: number,
    ptr: number,
    len: number,
    width: number,
    height: number,
    depth: number,
  ): void;
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __wbindgen_add_to_stack_pointer(delta: number): number;
}

/** A per-request instance of the PNG codec (wasm-bindgen build) with its own memory. */
function instantiate(meter: MemoryMeter) {
  let wasm: PngExports | undefined;
  let decoded: Pixels | undefined;
  const fail = () => {
    throw new Error('Unsupported PNG operation');
  };
  const imports = {
    wbg: {
      __wbindgen_memory: () => 0,
      __wbg_buffer_a448f833075b71ba: fail,
      __wbg_newwithbyteoffsetandlength_099217381c451830: fail,
      __wbindgen_object_drop_ref: () => {},
      __wbg_newwithownedu8clampedarrayandsh_91db5987993a08fb: (
        ptr: number,
        len: number,
        width: number,
        height: number,
      ) => {
        const data = new Uint8ClampedArray(
          wasm!.memory.buffer,
          ptr >>> 0,
          len >>> 0,
        ).slice();
        wasm!.__wbindgen_free(ptr, len, 1);
        decoded = { data, width: width >>> 0, height: height >>> 0 };
        return 0;
      },
      __wbindgen_throw: (ptr: number, len: number) => {
        const text = new TextDecoder().decode(
          new Uint8Array(wasm!.memory.buffer, ptr, len),
        );
        throw new Error(text);
      },
    },
  };
  const instance = new WebAssembly.Instance(pngWasm, imports);
  wasm = instance.exports as unknown as PngExports;
  const memory = exportedMemory(instance.exports);
  meter.track(memory);
  const pass = (bytes: Uint8Array) => {
    const ptr = wasm!.__wbindgen_malloc(bytes.length, 1);
    new Uint8Array(wasm!.memory.buffer).set(bytes, ptr);
    return ptr;
  };
  return {
    memory,
    decode(bytes: Uint8Array): Pixels {
      wasm!.decode(pass(bytes), bytes.length);
      if (!decoded) throw new Error('PNG decoding failed');
      return decoded;
    },
    encode(pixels: Pixels): Uint8Array {
      const retptr = wasm!.__wbindgen_add_to_stack_pointer(-16);
      try {
        const input = new Uint8Array(
          pixels.data.buffer,
          pixels.data.byteOffset,
          pixels.data.length,
        );
        wasm!.encode(
          retptr,
          pass(input),
          input.length,
          pixels.width,
          pixels.height,
          8,
        );
        const words = new Int32Array(wasm!.memory.buffer, retptr, 2);
        const [ptr, len] = [words[0], words[1]];
        const out = new Uint8Array(wasm!.memory.buffer, ptr, len).slice();
        wasm!.__wbindgen_free(ptr, len, 1);
        return out;
      } finally {
        wasm!.__wbindgen_add_to_stack_pointer(16);
      }
    },
  };
}

export function decodePng(bytes: Uint8Array, meter: MemoryMeter): Pixels {
  const codec = instantiate(meter);
  try {
    return codec.decode(bytes);
  } finally {
    meter.sample();
    meter.release(codec.memory);
  }
}

export function encodePng(pixels: Pixels, meter: MemoryMeter): Uint8Array {
  const codec = instantiate(meter);
  try {
    return codec.encode(pixels);
  } finally {
    meter.sample();
    meter.release(codec.memory);
  }
}
