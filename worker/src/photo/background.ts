import type { Pixels } from '../codecs/pixels';
import type { Rgba } from '../lib/extraOptions';

/**
 * Draws the image over a solid background colour (Cloudflare's `background`: it shows where the
 * image is transparent). Blends in sRGB values, as sharp's `flatten` does.
 */
export function underlay({ data }: Pixels, background: Rgba): void {
  const bgA = background.a / 255;
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3];
    if (a === 255) continue;
    const fa = a / 255;
    const outA = fa + bgA * (1 - fa);
    if (outA === 0) {
      data[i] = data[i + 1] = data[i + 2] = 0;
      continue;
    }
    const k = (bgA * (1 - fa)) / outA;
    const f = fa / outA;
    data[i] = data[i] * f + background.r * k;
    data[i + 1] = data[i + 1] * f + background.g * k;
    data[i + 2] = data[i + 2] * f + background.b * k;
    data[i + 3] = outA * 255;
  }
}
