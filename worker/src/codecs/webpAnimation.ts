/**
 * Builds an animated WebP from still WebP frames of the same size, following the extended file
 * format (https://developers.google.com/speed/webp/docs/riff_container#animation): a VP8X header
 * with the animation flag, one ANIM chunk, then one ANMF chunk per frame holding that still's
 * ALPH/VP8/VP8L chunks.
 */

function chunks(webp: Uint8Array): { fourcc: string; bytes: Uint8Array }[] {
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  const out: { fourcc: string; bytes: Uint8Array }[] = [];
  let at = 12;
  while (at + 8 <= webp.length) {
    const fourcc = String.fromCharCode(...webp.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    const end = at + 8 + size + (size & 1);
    out.push({ fourcc, bytes: webp.subarray(at, Math.min(end, webp.length)) });
    at = end;
  }
  return out;
}

function put24(target: Uint8Array, at: number, value: number) {
  target[at] = value & 0xff;
  target[at + 1] = (value >> 8) & 0xff;
  target[at + 2] = (value >> 16) & 0xff;
}

function chunk(fourcc: string, payload: Uint8Array[]): Uint8Array {
  const size = payload.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(8 + size + (size & 1));
  for (let i = 0; i < 4; i++) out[i] = fourcc.charCodeAt(i);
  new DataView(out.buffer).setUint32(4, size, true);
  let at = 8;
  for (const p of payload) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface AnimationFrame {
  /** A still WebP of the full canvas size. */
  webp: Uint8Array;
  durationMs: number;
}

/** Muxes full-canvas still frames into one animated WebP (each frame replaces the last). */
export function muxAnimatedWebp(
  frames: AnimationFrame[],
  width: number,
  height: number,
  loopCount: number,
): Uint8Array {
  const vp8x = new Uint8Array(10);
  vp8x[0] = 0x02 | 0x10; // animation, alpha
  put24(vp8x, 4, width - 1);
  put24(vp8x, 7, height - 1);
  const anim = new Uint8Array(6); // background colour 0 (transparent), then loop count
  new DataView(anim.buffer).setUint16(4, Math.min(loopCount, 0xffff), true);
  const parts = [chunk('VP8X', [vp8x]), chunk('ANIM', [anim])];
  for (const frame of frames) {
    const header = new Uint8Array(16);
    put24(header, 6, width - 1);
    put24(header, 9, height - 1);
    put24(header, 12, Math.min(frame.durationMs, 0xffffff));
    header[15] = 0x02; // do not blend: each frame is the whole canvas
    const data = chunks(frame.webp)
      .filter(
        c => c.fourcc === 'ALPH' || c.fourcc === 'VP8 ' || c.fourcc === 'VP8L',
      )
      .map(c => c.bytes);
    parts.push(chunk('ANMF', [header, ...data]));
  }
  const body = parts.reduce((n, p) => n + p.length, 0);
  const riff = new Uint8Array(12 + body);
  riff.set([0x52, 0x49, 0x46, 0x46]);
  new DataView(riff.buffer).setUint32(4, 4 + body, true);
  riff.set([0x57, 0x45, 0x42, 0x50], 8);
  let at = 12;
  for (const p of parts) {
    riff.set(p, at);
    at += p.length;
  }
  return riff;
}
