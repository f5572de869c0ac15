/**
 * EXIF orientation (1–8): how the stored pixels must be turned to be seen upright. The Worker
 * works out sizes and crops on the image as displayed, maps the crop back to stored pixels,
 * resizes there, and turns only the (small) output.
 *
 * Orientation values after EXIF 2.32 (CIPA DC-008) table 4, "Orientation" tag 0x0112.
 */
import type { Pixels } from '../codecs/pixels';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** True when the orientation swaps width and height (5–8: a transpose is involved). */
export function swapsAxes(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

/** The size of the image as displayed. */
export function displayedSize(
  width: number,
  height: number,
  orientation: number,
): { width: number; height: number } {
  return swapsAxes(orientation)
    ? { width: height, height: width }
    : { width, height };
}

/**
 * The rectangle of stored pixels (stored size `width` x `height`) that shows as `rect` once the
 * orientation is applied.
 */
export function storedRect(
  rect: Rect,
  width: number,
  height: number,
  orientation: number,
): Rect {
  const { x, y, width: w, height: h } = rect;
  switch (orientation) {
    case 2:
      return { x: width - x - w, y, width: w, height: h };
    case 3:
      return { x: width - x - w, y: height - y - h, width: w, height: h };
    case 4:
      return { x, y: height - y - h, width: w, height: h };
    case 5:
      return { x: y, y: x, width: h, height: w };
    case 6:
      return { x: y, y: height - x - w, width: h, height: w };
    case 7:
      return { x: width - y - h, y: height - x - w, width: h, height: w };
    case 8:
      return { x: width - y - h, y: x, width: h, height: w };
    default:
      return { ...rect };
  }
}

/**
 * Turns stored-orientation pixels upright. For each displayed pixel (u, v) it reads the stored
 * pixel the orientation puts there; returns the input unchanged for orientation 1.
 */
export function applyOrientation(pixels: Pixels, orientation: number): Pixels {
  if (orientation < 2 || orientation > 8) return pixels;
  const { width: W, height: H } = pixels;
  const src = new Uint32Array(
    pixels.data.buffer,
    pixels.data.byteOffset,
    W * H,
  );
  const swap = swapsAxes(orientation);
  const dw = swap ? H : W;
  const dh = swap ? W : H;
  const data = new Uint8ClampedArray(dw * dh * 4);
  const dst = new Uint32Array(data.buffer);
  // Stored index of displayed (u, v) is base + u * du + v * dv.
  let base = 0;
  let du = 1;
  let dv = W;
  switch (orientation) {
    case 2: // mirrored left-right
      base = W - 1;
      du = -1;
      dv = W;
      break;
    case 3: // turned 180°
      base = H * W - 1;
      du = -1;
      dv = -W;
      break;
    case 4: // mirrored top-bottom
      base = (H - 1) * W;
      du = 1;
      dv = -W;
      break;
    case 5: // transposed: stored (v, u)
      base = 0;
      du = W;
      dv = 1;
      break;
    case 6: // stored (v, H-1-u)
      base = (H - 1) * W;
      du = -W;
      dv = 1;
      break;
    case 7: // stored (W-1-v, H-1-u)
      base = (H - 1) * W + W - 1;
      du = -W;
      dv = -1;
      break;
    case 8: // stored (W-1-v, u)
      base = W - 1;
      du = W;
      dv = -1;
      break;
  }
  let i = 0;
  for (let v = 0; v < dh; v++) {
    let s = base + v * dv;
    for (let u = 0; u < dw; u++, s += du) dst[i++] = src[s];
  }
  return { data, width: dw, height: dh };
}
