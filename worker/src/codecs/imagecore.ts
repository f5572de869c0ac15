import imagecoreWasm from '../../codecs/imagecore/imagecore.wasm';
import type { MemoryMeter } from './meter';
import { instantiateStandalone } from './standalone';
import type { Pixels } from './pixels';

interface ImagecoreExports {
  jpeg_decode_rgba(ptr: number, size: number, scaleDenom: number): number;
  jpeg_scaled_size(ptr: number, size: number, scaleDenom: number): number;
  jpeg_decode_resize(
    ptr: number,
    size: number,
    scaleDenom: number,
    cx: number,
    cy: number,
    cw: number,
    ch: number,
    outW: number,
    outH: number,
  ): number;
  resize_rgba(
    ptr: number,
    stride: number,
    inW: number,
    inH: number,
    outW: number,
    outH: number,
  ): number;
  result_width(): number;
  result_height(): number;
  alloc(size: number): number;
  release(ptr: number): void;
}

/**
 * A per-request instance of imagecore (libjpeg-turbo with DCT scaling, and a Lanczos3 resampler).
 * Errors inside it trap; the instance is then simply dropped.
 */
export class Imagecore {
  private readonly wasm: ImagecoreExports;
  readonly memory: WebAssembly.Memory;

  constructor(private readonly meter: MemoryMeter) {
    const { exports, memory } = instantiateStandalone<ImagecoreExports>(
      imagecoreWasm,
      meter,
    );
    this.wasm = exports;
    this.memory = memory;
  }

  /** Copies bytes into the instance; returns the pointer. */
  put(bytes: Uint8Array): number {
    const ptr = this.wasm.alloc(bytes.length);
    new Uint8Array(this.memory.buffer, ptr, bytes.length).set(bytes);
    return ptr;
  }

  /** Decodes a JPEG at 1/`scale` (1, 2, 4 or 8) inside the instance; returns a pointer. */
  decodeJpeg(
    ptr: number,
    size: number,
    scale: number,
  ): { ptr: number; width: number; height: number } {
    const out = this.wasm.jpeg_decode_rgba(ptr, size, scale);
    this.meter.sample();
    return {
      ptr: out,
      width: this.wasm.result_width(),
      height: this.wasm.result_height(),
    };
  }

  /** Lanczos3 resize of the `width` x `height` area at `ptr`, whose rows are `stride` pixels apart. */
  /** Size of the JPEG at `ptr` when decoded at 1/`scale`. */
  jpegScaledSize(
    ptr: number,
    size: number,
    scale: number,
  ): { width: number; height: number } {
    this.wasm.jpeg_scaled_size(ptr, size, scale);
    return {
      width: this.wasm.result_width(),
      height: this.wasm.result_height(),
    };
  }

  /**
   * Decodes the JPEG at 1/`scale` and resizes the crop rectangle (in decoded pixels) to
   * `outWidth` x `outHeight` without holding the whole decoded image; returns a pointer.
   */
  decodeResizeJpeg(
    ptr: number,
    size: number,
    scale: number,
    crop: { x: number; y: number; width: number; height: number },
    outWidth: number,
    outHeight: number,
  ): number {
    const out = this.wasm.jpeg_decode_resize(
      ptr,
      size,
      scale,
      crop.x,
      crop.y,
      crop.width,
      crop.height,
      outWidth,
      outHeight,
    );
    this.meter.sample();
    return out;
  }

  resize(
    ptr: number,
    stride: number,
    width: number,
    height: number,
    outWidth: number,
    outHeight: number,
  ): number {
    const out = this.wasm.resize_rgba(
      ptr,
      stride,
      width,
      height,
      outWidth,
      outHeight,
    );
    this.meter.sample();
    return out;
  }

  /** Copies RGBA pixels out of the instance into JavaScript memory. */
  take(ptr: number, width: number, height: number): Pixels {
    const data = new Uint8ClampedArray(
      this.memory.buffer,
      ptr,
      width * height * 4,
    ).slice();
    this.meter.hold(data.buffer);
    return { data, width, height };
  }

  free(ptr: number): void {
    this.wasm.release(ptr);
  }

  dispose(): void {
    this.meter.release(this.memory);
  }
}
