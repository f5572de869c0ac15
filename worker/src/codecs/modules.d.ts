// Types for the codec files imported directly (the runtime gets each `.wasm` as a compiled module).
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}

interface EmscriptenModuleOptions {
  noInitialRun?: boolean;
  instantiateWasm?(
    imports: WebAssembly.Imports,
    callback: (instance: WebAssembly.Instance) => void,
  ): WebAssembly.Exports;
}

type EmscriptenFactory<T> = (options: EmscriptenModuleOptions) => Promise<T>;

interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

declare module '@jsquash/jpeg/codec/dec/mozjpeg_dec.js' {
  const factory: EmscriptenFactory<{
    decode(data: BufferSource, preserveOrientation: boolean): RgbaImage | null;
  }>;
  export default factory;
}
declare module '@jsquash/jpeg/codec/enc/mozjpeg_enc.js' {
  const factory: EmscriptenFactory<{
    encode(
      data: BufferSource,
      width: number,
      height: number,
      options: object,
    ): Uint8Array;
  }>;
  export default factory;
}
declare module '@jsquash/webp/codec/dec/webp_dec.js' {
  const factory: EmscriptenFactory<{
    decode(data: BufferSource): RgbaImage | null;
  }>;
  export default factory;
}

// omggif ships no types; only the reader is used.
declare module 'omggif' {
  export interface GifFrameInfo {
    x: number;
    y: number;
    width: number;
    height: number;
    /** Centiseconds. */
    delay: number;
    disposal: number;
    transparent_index: number | null;
    interlaced: boolean;
  }
  export class GifReader {
    constructor(bytes: Uint8Array);
    readonly width: number;
    readonly height: number;
    numFrames(): number;
    loopCount(): number | null;
    frameInfo(frame: number): GifFrameInfo;
    decodeAndBlitFrameRGBA(frame: number, pixels: Uint8ClampedArray): void;
  }
}
