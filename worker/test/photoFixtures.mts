// Photos as phones and cameras write them: EXIF orientation, embedded colour profiles, metadata,
// animated GIFs. Made at test time with sharp (libvips, lcms2) and omggif.
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';

const require = createRequire(import.meta.url);
const { GifWriter } = require('omggif') as {
  GifWriter: new (
    buf: Uint8Array,
    width: number,
    height: number,
    options?: { loop?: number; palette?: number[] },
  ) => {
    addFrame(
      x: number,
      y: number,
      w: number,
      h: number,
      indices: Uint8Array,
      options?: { delay?: number; disposal?: number },
    ): void;
    end(): number;
  };
};

/**
 * An image no turn or mirror leaves unchanged: four quadrants of different colours, a diagonal
 * gradient and a little texture, so a wrong orientation shows as a large pixel difference.
 */
export function asymmetric(width: number, height: number) {
  const raw = Buffer.alloc(width * height * 3);
  const quadrant = [
    [220, 40, 40],
    [40, 200, 60],
    [50, 60, 220],
    [230, 210, 40],
  ];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const q = (y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1);
      const shade = (x + 2 * y) / (width + 2 * height);
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        raw[i + c] =
          Math.round(quadrant[q][c] * (0.6 + 0.4 * shade)) ^
          ((x * 7 + y * 3) & 7);
      }
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

/** Saturated colours, where a missing colour conversion shows most. */
export function saturated(width: number, height: number) {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const hue = (x / width) * 6;
      const sector = Math.floor(hue) % 6;
      const f = hue - Math.floor(hue);
      const v = 255 * (0.5 + (0.5 * y) / height);
      const rgb = [
        [v, v * f, 0],
        [v * (1 - f), v, 0],
        [0, v, v * f],
        [0, v * (1 - f), v],
        [v * f, 0, v],
        [v, 0, v * (1 - f)],
      ][sector];
      raw[i] = rgb[0];
      raw[i + 1] = rgb[1];
      raw[i + 2] = rgb[2];
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

function s15(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(Math.round(value * 65536));
  return b;
}

function tag(type: string, body: Buffer): Buffer {
  const out = Buffer.concat([
    Buffer.from(type, 'ascii'),
    Buffer.alloc(4),
    body,
  ]);
  return Buffer.concat([out, Buffer.alloc((4 - (out.length % 4)) % 4)]);
}

/**
 * An ICC v2 display profile of the Adobe RGB (1998) colour space (gamma 563/256 and its D50
 * colorants, as in Adobe's specification and the profiles that ship with cameras), written
 * after ICC.1:2001-04: header, tag table, desc, cprt, wtpt, rXYZ/gXYZ/bXYZ, rTRC/gTRC/bTRC.
 */
export function adobeRgbProfile(): Buffer {
  // textDescriptionType: ASCII count and text, then empty Unicode and ScriptCode parts.
  const name = 'Adobe RGB (1998) compatible';
  const count = Buffer.alloc(4);
  count.writeUInt32BE(name.length + 1);
  const descBody = Buffer.concat([
    count,
    Buffer.from(`${name}\0`, 'ascii'),
    Buffer.alloc(4 + 4 + 2 + 1 + 67),
  ]);
  const xyz = (x: number, y: number, z: number) =>
    tag('XYZ ', Buffer.concat([s15(x), s15(y), s15(z)]));
  const curve = Buffer.alloc(6);
  curve.writeUInt32BE(1, 0);
  curve.writeUInt16BE(563, 4); // gamma 2.19921875 as u8Fixed8
  const trc = tag('curv', curve);
  const tags: [string, Buffer][] = [
    ['desc', tag('desc', descBody)],
    ['cprt', tag('text', Buffer.from('No copyright, test profile\0', 'ascii'))],
    ['wtpt', xyz(0.9642, 1.0, 0.8249)],
    ['rXYZ', xyz(0.60974, 0.31111, 0.01947)],
    ['gXYZ', xyz(0.20528, 0.62567, 0.06087)],
    ['bXYZ', xyz(0.14919, 0.06322, 0.74457)],
    ['rTRC', trc],
    ['gTRC', trc],
    ['bTRC', trc],
  ];
  const tableSize = 4 + tags.length * 12;
  let offset = 128 + tableSize;
  const table = Buffer.alloc(tableSize);
  table.writeUInt32BE(tags.length, 0);
  const bodies: Buffer[] = [];
  tags.forEach(([sig, body], i) => {
    table.write(sig, 4 + i * 12, 'ascii');
    table.writeUInt32BE(offset, 8 + i * 12);
    table.writeUInt32BE(body.length, 12 + i * 12);
    bodies.push(body);
    offset += body.length;
  });
  const header = Buffer.alloc(128);
  header.writeUInt32BE(offset, 0);
  header.writeUInt32BE(0x02100000, 8); // version 2.1
  header.write('mntr', 12, 'ascii');
  header.write('RGB ', 16, 'ascii');
  header.write('XYZ ', 20, 'ascii');
  header.write('acsp', 36, 'ascii');
  s15(0.9642).copy(header, 68);
  s15(1.0).copy(header, 72);
  s15(0.8249).copy(header, 76);
  return Buffer.concat([header, table, ...bodies]);
}

export async function writeAdobeRgbProfile(path: string): Promise<string> {
  await writeFile(path, adobeRgbProfile());
  return path;
}

/**
 * An animated GIF of `frames` frames, each a different solid colour with a white stripe that
 * moves, `delayCs` centiseconds apart, looping forever.
 */
export function animatedGif(
  width: number,
  height: number,
  frames: number,
  delayCs = 20,
): Buffer {
  const palette = [
    0xffffff, 0xd02020, 0x20a040, 0x2040d0, 0xe0c020, 0x000000, 0x808080,
    0x40c0c0,
  ];
  const buf = new Uint8Array(width * height * frames + 4096);
  const writer = new GifWriter(buf, width, height, { loop: 0, palette });
  for (let f = 0; f < frames; f++) {
    const indices = new Uint8Array(width * height).fill(1 + (f % 4));
    const stripe = Math.floor(((f + 0.5) / frames) * width);
    for (let y = 0; y < height; y++) {
      for (
        let x = Math.max(0, stripe - 2);
        x < Math.min(width, stripe + 2);
        x++
      )
        indices[y * width + x] = 0;
    }
    writer.addFrame(0, 0, width, height, indices, { delay: delayCs });
  }
  return Buffer.from(buf.subarray(0, writer.end()));
}

/** Mean absolute difference per channel between two raw buffers with the same layout. */
export function meanDifference(
  a: Buffer,
  b: Buffer,
  channels = 3,
  stride = channels,
): number {
  let total = 0;
  let n = 0;
  for (
    let i = 0, j = 0;
    i < a.length && j < b.length;
    i += stride, j += channels
  ) {
    for (let c = 0; c < channels; c++) total += Math.abs(a[i + c] - b[j + c]);
    n += channels;
  }
  return total / n;
}

/** Mean of each channel over raw RGB(A) pixels. */
export function channelMeans(raw: Buffer, channels: number): number[] {
  const sums = new Array<number>(channels).fill(0);
  for (let i = 0; i < raw.length; i += channels) {
    for (let c = 0; c < channels; c++) sums[c] += raw[i + c];
  }
  return sums.map(s => s / (raw.length / channels));
}

/**
 * A PNG whose iCCP chunk inflates to `inflatedBytes` of zeros (a compression bomb in the
 * profile), inserted after IHDR as PNG 3rd edition section 11.3.2.3 places it.
 */
export function pngWithIccBomb(png: Buffer, inflatedBytes: number): Buffer {
  const data = Buffer.concat([
    Buffer.from('bomb\0\0', 'latin1'),
    deflateSync(Buffer.alloc(inflatedBytes), { level: 9 }),
  ]);
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('iCCP', 4, 'ascii');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(
    crc32(chunk.subarray(4, 8 + data.length)),
    8 + data.length,
  );
  const afterIhdr = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([
    png.subarray(0, afterIhdr),
    chunk,
    png.subarray(afterIhdr),
  ]);
}
