// Test images, made with sharp at test time, and hand-made headers that lie about their size.
import sharp from 'sharp';

/** A photo-like image: smooth gradients plus noise, so encoders have real work to do. */
export async function photo(
  width: number,
  height: number,
  noise = 24,
): Promise<ReturnType<typeof sharp>> {
  const raw = Buffer.alloc(width * height * 3);
  let seed = 12345;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const grain = (seed >> 16) % noise;
      const i = (y * width + x) * 3;
      raw[i] = (x * 255) / width + grain;
      raw[i + 1] = (y * 255) / height + grain;
      raw[i + 2] = 128 + grain;
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } });
}

export async function fixtures() {
  const base = await photo(1200, 800);
  return {
    jpeg: await base.clone().jpeg({ quality: 90 }).toBuffer(),
    png: await base.clone().ensureAlpha(0.5).png().toBuffer(),
    webp: await base.clone().webp({ quality: 90 }).toBuffer(),
    gif: await (await photo(64, 48)).gif().toBuffer(),
    avif: await (await photo(64, 48)).avif().toBuffer(),
  };
}

/** A valid PNG signature and IHDR claiming `width` × `height`, and nothing else. */
export function pngBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(header, 0);
  header.writeUInt32BE(13, 8);
  header.write('IHDR', 12, 'ascii');
  header.writeUInt32BE(width, 16);
  header.writeUInt32BE(height, 20);
  header[24] = 8; // bit depth
  header[25] = 6; // RGBA
  return Buffer.concat([header, Buffer.alloc(1024)]);
}

/** A JPEG with an APP0 segment and a baseline frame header claiming `width` × `height`. */
export function jpegBomb(width: number, height: number): Buffer {
  const app0 = Buffer.from([
    0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1,
    0, 0,
  ]);
  const sof = Buffer.from([
    0xff, 0xc0, 0x00, 0x11, 8, 0, 0, 0, 0, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11,
    1,
  ]);
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    app0,
    sof,
    Buffer.alloc(1024),
  ]);
}

export function gifBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.write('GIF89a', 0, 'ascii');
  header.writeUInt16LE(width, 6);
  header.writeUInt16LE(height, 8);
  return Buffer.concat([header, Buffer.alloc(1024)]);
}

export function webpBomb(width: number, height: number): Buffer {
  const b = Buffer.alloc(30 + 1024);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(b.length - 8, 4);
  b.write('WEBP', 8, 'ascii');
  b.write('VP8X', 12, 'ascii');
  b.writeUInt32LE(10, 16);
  b.writeUIntLE(width - 1, 24, 3);
  b.writeUIntLE(height - 1, 27, 3);
  return b;
}
