/** RGBA pixels, 4 bytes per pixel, row-major. */
export interface Pixels {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

// The emscripten codecs build their results with `new ImageData(...)`, which workerd lacks.
if (typeof (globalThis as { ImageData?: unknown }).ImageData === 'undefined') {
  (globalThis as { ImageData?: unknown }).ImageData = class ImageData {
    constructor(
      readonly data: Uint8ClampedArray,
      readonly width: number,
      readonly height: number,
    ) {}
  };
}
