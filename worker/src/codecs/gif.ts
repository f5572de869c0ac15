/**
 * GIF decoding with omggif, plus the frame compositing GIF89a leaves to the viewer: each frame is
 * drawn over the canvas left by the previous one according to its disposal method
 * (GIF89a specification, section 23 "Graphic Control Extension").
 */
import { GifReader } from 'omggif';
import { HttpError } from '../lib/errors';
import type { Pixels } from './pixels';

export interface GifFrame {
  /** The whole canvas as this frame shows it. */
  pixels: Pixels;
  /** Display time in milliseconds (0 and 10 ms delays show as 100 ms in browsers). */
  durationMs: number;
}

export interface Gif {
  width: number;
  height: number;
  frameCount: number;
  /** 0 loops forever. */
  loopCount: number;
  /** Composited frames, one at a time; each canvas is reused, so copy what must be kept. */
  frames(): Generator<GifFrame>;
}

export function readGif(bytes: Uint8Array): Gif {
  let reader: GifReader;
  try {
    reader = new GifReader(bytes);
  } catch {
    throw new HttpError(422, 'Source image could not be decoded as GIF');
  }
  const { width, height } = reader;
  const frameCount = reader.numFrames();
  if (frameCount === 0) throw new HttpError(422, 'The GIF has no frames');
  for (let i = 0; i < frameCount; i++) {
    const f = reader.frameInfo(i);
    if (f.x + f.width > width || f.y + f.height > height) {
      throw new HttpError(
        422,
        `GIF frame ${i + 1} lies outside the ${width}x${height} canvas`,
      );
    }
  }
  return {
    width,
    height,
    frameCount,
    loopCount: reader.loopCount() ?? 0,
    *frames() {
      const canvas = new Uint8ClampedArray(width * height * 4);
      let previous: Uint8ClampedArray | undefined;
      for (let i = 0; i < frameCount; i++) {
        const info = reader.frameInfo(i);
        if (info.disposal === 3) previous = canvas.slice();
        try {
          reader.decodeAndBlitFrameRGBA(i, canvas);
        } catch {
          throw new HttpError(
            422,
            `Source image could not be decoded as GIF (frame ${i + 1})`,
          );
        }
        yield {
          pixels: { data: canvas, width, height },
          durationMs: info.delay <= 1 ? 100 : info.delay * 10,
        };
        if (info.disposal === 2) {
          for (let y = info.y; y < info.y + info.height; y++) {
            canvas.fill(
              0,
              (y * width + info.x) * 4,
              (y * width + info.x + info.width) * 4,
            );
          }
        } else if (info.disposal === 3 && previous) {
          canvas.set(previous);
          previous = undefined;
        }
      }
    },
  };
}
