/**
 * `gravity=auto`: where to crop, chosen as sharp's `attention` strategy (libvips smartcrop) chooses:
 * the part of the image with the most edges, skin tones and saturated colour. The score is computed
 * on a small preview; the crop window with the highest total score wins.
 */
import type { Pixels } from '../codecs/pixels';

/** Longest side of the grid the score is computed on. */
const GRID = 96;

/** Skin tone as a unit RGB direction (libvips smartcrop uses the same reference). */
const SKIN = [0.78, 0.57, 0.44];

/**
 * The focal point (0–1 on each axis) of the best crop of `cropWidth` x `cropHeight` out of an
 * image of `imageWidth` x `imageHeight`, judged on `preview` (the same image, any size).
 */
export function attentionFocus(
  preview: Pixels,
  imageWidth: number,
  imageHeight: number,
  cropWidth: number,
  cropHeight: number,
): { x: number; y: number } {
  const step = Math.max(
    1,
    Math.ceil(Math.max(preview.width, preview.height) / GRID),
  );
  const gw = Math.max(1, Math.floor(preview.width / step));
  const gh = Math.max(1, Math.floor(preview.height / step));
  const lum = new Float32Array(gw * gh);
  const score = new Float32Array(gw * gh);
  const { data, width } = preview;
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = gy * step; y < (gy + 1) * step; y++) {
        for (
          let x = gx * step, i = (y * width + x) * 4;
          x < (gx + 1) * step;
          x++, i += 4
        ) {
          r += data[i];
          g += data[i + 1];
          b += data[i + 2];
        }
      }
      const n = step * step * 255;
      r /= n;
      g /= n;
      b /= n;
      const cell = gy * gw + gx;
      lum[cell] = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      const max = Math.max(r, g, b);
      const min = Math.min(r, g, b);
      const saturation = max > 0 ? (max - min) / max : 0;
      const norm = Math.hypot(r, g, b) || 1;
      const skinDistance = Math.hypot(
        r / norm - SKIN[0],
        g / norm - SKIN[1],
        b / norm - SKIN[2],
      );
      const skin =
        lum[cell] > 0.2 && skinDistance < 0.3 ? 1 - skinDistance / 0.3 : 0;
      score[cell] = (saturation > 0.4 ? saturation : 0) * 0.5 + skin;
    }
  }
  // Edges: absolute Laplacian of luminance.
  for (let gy = 1; gy < gh - 1; gy++) {
    for (let gx = 1; gx < gw - 1; gx++) {
      const c = gy * gw + gx;
      const lap =
        4 * lum[c] - lum[c - 1] - lum[c + 1] - lum[c - gw] - lum[c + gw];
      score[c] += Math.min(1, Math.abs(lap) * 4);
    }
  }
  // Integral image, then the window of the crop's size with the largest sum.
  const sum = new Float64Array((gw + 1) * (gh + 1));
  for (let y = 0; y < gh; y++) {
    let row = 0;
    for (let x = 0; x < gw; x++) {
      row += score[y * gw + x];
      sum[(y + 1) * (gw + 1) + x + 1] = sum[y * (gw + 1) + x + 1] + row;
    }
  }
  const ww = Math.max(
    1,
    Math.min(gw, Math.round((cropWidth / imageWidth) * gw)),
  );
  const wh = Math.max(
    1,
    Math.min(gh, Math.round((cropHeight / imageHeight) * gh)),
  );
  let best = -1;
  let bx = 0;
  let by = 0;
  for (let y = 0; y + wh <= gh; y++) {
    for (let x = 0; x + ww <= gw; x++) {
      const s =
        sum[(y + wh) * (gw + 1) + x + ww] -
        sum[y * (gw + 1) + x + ww] -
        sum[(y + wh) * (gw + 1) + x] +
        sum[y * (gw + 1) + x];
      // Ties keep the window nearest the centre, so a flat image crops as the default does.
      const centreBias =
        -1e-6 * (Math.abs(x + ww / 2 - gw / 2) + Math.abs(y + wh / 2 - gh / 2));
      if (s + centreBias > best) {
        best = s + centreBias;
        bx = x;
        by = y;
      }
    }
  }
  return { x: (bx + ww / 2) / gw, y: (by + wh / 2) / gh };
}
