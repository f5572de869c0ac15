/**
 * Animated GIF to animated WebP in the wasm engine: each composited frame is cropped and resized
 * by imagecore, encoded as a still WebP and muxed into one animation.
 */
import contract from '../contract.json';
import { DEFAULT_QUALITY, encodeWebp } from '../codecs/codecs';
import type { Gif } from '../codecs/gif';
import { Imagecore } from '../codecs/imagecore';
import type { MemoryMeter } from '../codecs/meter';
import type { Pixels } from '../codecs/pixels';
import { muxAnimatedWebp, type AnimationFrame } from '../codecs/webpAnimation';
import type { Geometry } from '../lib/geometry';
import type { Rgba } from '../lib/extraOptions';
import { underlay } from '../photo/background';

/** What the animation may hold at its peak: the isolate's whole wasm memory budget. */
export const ANIMATION_MEMORY_BUDGET = contract.isolate.wasmMemoryBudgetBytes;

/**
 * Estimated peak bytes of an animation: two canvases (the current one and the one disposal
 * method 3 restores), imagecore's copy and half-resized rows, the WebP encoder (measured at
 * about 40 bytes per output pixel) and the encoded frames kept for the mux (budgeted at one byte
 * per output pixel, above what lossy WebP writes for GIF content).
 */
export function animationPeakBytes(
  gif: Pick<Gif, 'width' | 'height' | 'frameCount'>,
  geometry: Geometry,
): number {
  const canvas = gif.width * gif.height * 4;
  const out = geometry.width * geometry.height;
  const mid = geometry.width * geometry.crop.height * 4;
  return 3 * canvas + mid + out * 4 + out * 40 + gif.frameCount * out;
}

export function fitsAnimationBudget(gif: Gif, geometry: Geometry): boolean {
  return animationPeakBytes(gif, geometry) <= ANIMATION_MEMORY_BUDGET;
}

export async function encodeAnimatedGif(
  gif: Gif,
  geometry: Geometry,
  settings: {
    quality?: number;
    background?: Rgba;
    toSrgb?: (pixels: Pixels) => void;
    meter: MemoryMeter;
  },
): Promise<Uint8Array> {
  const { meter } = settings;
  const frames: AnimationFrame[] = [];
  const { crop, width, height } = geometry;
  const core = new Imagecore(meter);
  try {
    for (const frame of gif.frames()) {
      const canvas = frame.pixels;
      meter.hold(canvas.data.buffer);
      const ptr = core.put(new Uint8Array(canvas.data.buffer));
      const out = core.resize(
        ptr + (crop.y * canvas.width + crop.x) * 4,
        canvas.width,
        crop.width,
        crop.height,
        width,
        height,
      );
      const pixels = core.take(out, width, height);
      core.free(out);
      core.free(ptr);
      settings.toSrgb?.(pixels);
      if (settings.background) underlay(pixels, settings.background);
      const webp = await encodeWebp(
        pixels,
        settings.quality ?? DEFAULT_QUALITY.webp,
        meter,
      );
      meter.drop(pixels.data.buffer);
      meter.hold(webp.buffer);
      frames.push({ webp, durationMs: frame.durationMs });
    }
  } finally {
    core.dispose();
  }
  return muxAnimatedWebp(frames, width, height, gif.loopCount);
}
