import type { Fit } from './options';

/** How to turn a source image into the output: crop a source rectangle, then scale it. */
export interface Geometry {
  /** Source rectangle to keep, in source pixels. */
  crop: { x: number; y: number; width: number; height: number };
  /** Output size. */
  width: number;
  height: number;
}

/**
 * Output geometry with Cloudflare's `fit` semantics:
 * - `scale-down`: fit inside the box, never enlarge;
 * - `contain`: fit inside the box, enlarging if needed;
 * - `cover`: fill the box exactly, cropping the centre;
 * - `crop`: like `cover` when the image is larger than the box, like `scale-down` otherwise.
 * With only one of width/height the other follows the aspect ratio. `focus` (0–1 on each axis,
 * Cloudflare's `gravity` coordinates) places a cover crop around that point instead of the centre.
 */
export function computeGeometry(
  sourceWidth: number,
  sourceHeight: number,
  fit: Fit,
  width?: number,
  height?: number,
  focus?: { x: number; y: number },
): Geometry {
  const full = { x: 0, y: 0, width: sourceWidth, height: sourceHeight };
  if (width === undefined && height === undefined) {
    return { crop: full, width: sourceWidth, height: sourceHeight };
  }
  const sx = width === undefined ? Infinity : width / sourceWidth;
  const sy = height === undefined ? Infinity : height / sourceHeight;
  const bothGiven = width !== undefined && height !== undefined;
  const coverLike =
    bothGiven && (fit === 'cover' || (fit === 'crop' && (sx < 1 || sy < 1)));

  if (coverLike) {
    let scale = Math.max(sx, sy);
    if (fit === 'crop') scale = Math.min(scale, 1);
    const outW = Math.min(width!, Math.round(sourceWidth * scale)) || 1;
    const outH = Math.min(height!, Math.round(sourceHeight * scale)) || 1;
    const cropW = Math.min(sourceWidth, Math.max(1, Math.round(outW / scale)));
    const cropH = Math.min(sourceHeight, Math.max(1, Math.round(outH / scale)));
    const place = (size: number, crop: number, at: number | undefined) =>
      at === undefined
        ? Math.floor((size - crop) / 2)
        : Math.max(0, Math.min(size - crop, Math.round(at * size - crop / 2)));
    return {
      crop: {
        x: place(sourceWidth, cropW, focus?.x),
        y: place(sourceHeight, cropH, focus?.y),
        width: cropW,
        height: cropH,
      },
      width: outW,
      height: outH,
    };
  }

  let scale = Math.min(sx, sy);
  if (fit === 'scale-down' || fit === 'crop') scale = Math.min(scale, 1);
  return {
    crop: full,
    width: Math.max(1, Math.round(sourceWidth * scale)),
    height: Math.max(1, Math.round(sourceHeight * scale)),
  };
}

/**
 * The JPEG DCT scaling denominator for a geometry, by sharp's rule: the largest of 8, 4 and 2
 * that the output is still at least that many times smaller than the source area, halved when
 * it equals the whole shrink factor (so Lanczos always has some reduction left to filter).
 */
export function jpegShrink(geometry: Geometry): number {
  const factor = Math.floor(
    Math.min(
      geometry.crop.width / geometry.width,
      geometry.crop.height / geometry.height,
    ),
  );
  let shrink = 1;
  if (factor >= 8) shrink = 8;
  else if (factor >= 4) shrink = 4;
  else if (factor >= 2) shrink = 2;
  return shrink > 1 && shrink === factor ? shrink / 2 : shrink;
}
