/** What the first bytes of an image say about it, read without decoding any pixels. */
export interface ImageInfo {
  type: 'jpeg' | 'png' | 'webp' | 'gif' | 'avif';
  width: number;
  height: number;
  /**
   * A JPEG decoded scan by scan (progressive, or sequential with its components in separate
   * scans): the bytes of the coefficient buffer libjpeg holds for the whole image while it
   * decodes, at full size whatever the DCT scale (jdcoefct.c: one 128-byte block of 64
   * coefficients per 8x8 block of each component, rows and columns of blocks rounded up to the
   * component's sampling factors). Absent for single-scan JPEGs, and when the bytes read end
   * before the first scan header of a sequential one.
   */
  coefficientBytes?: number;
}

function u16be(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}
function u32be(b: Uint8Array, i: number): number {
  return ((b[i] << 24) >>> 0) + ((b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]);
}
function u16le(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8);
}
function u24le(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
}
function ascii(b: Uint8Array, i: number, n: number): string {
  return String.fromCharCode(...b.subarray(i, i + n));
}

/** SOF markers of progressive JPEGs (Huffman and arithmetic coded, T.81 table B.1). */
const PROGRESSIVE_SOF = new Set([0xc2, 0xc6, 0xca, 0xce]);

function jpeg(b: Uint8Array): ImageInfo | undefined {
  let i = 2;
  let frame: (ImageInfo & { components: number; blocks: number }) | undefined;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return frame && withoutScanInfo(frame);
    const marker = b[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (
      marker === 0xd8 ||
      marker === 0x01 ||
      (marker >= 0xd0 && marker <= 0xd7)
    ) {
      i += 2;
      continue;
    }
    const length = u16be(b, i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (
      !frame &&
      marker >= 0xc0 &&
      marker <= 0xcf &&
      marker !== 0xc4 &&
      marker !== 0xc8 &&
      marker !== 0xcc
    ) {
      const height = u16be(b, i + 5);
      const width = u16be(b, i + 7);
      const components = b[i + 9];
      frame = {
        type: 'jpeg',
        height,
        width,
        components,
        blocks: coefficientBlocks(b, i + 10, components, width, height),
      };
      if (PROGRESSIVE_SOF.has(marker)) {
        return {
          ...withoutScanInfo(frame),
          coefficientBytes: frame.blocks * 128,
        };
      }
    } else if (marker === 0xda) {
      if (!frame) return undefined; // scan before any frame header
      // A first scan without every component: the others follow in scans of their own.
      const multiScan = b[i + 4] < frame.components;
      return {
        ...withoutScanInfo(frame),
        ...(multiScan ? { coefficientBytes: frame.blocks * 128 } : {}),
      };
    } else if (marker === 0xd9) {
      return frame && withoutScanInfo(frame);
    }
    i += 2 + length;
  }
  return frame && withoutScanInfo(frame);
}

function withoutScanInfo(
  frame: ImageInfo & { components: number; blocks: number },
): ImageInfo {
  return { type: frame.type, width: frame.width, height: frame.height };
}

/**
 * The 8x8 blocks of all components of a frame (component specifications from byte `at`, three
 * bytes each: id, sampling factors, table), as libjpeg allocates them for the whole image.
 */
function coefficientBlocks(
  b: Uint8Array,
  at: number,
  components: number,
  width: number,
  height: number,
): number {
  const sampling = Array.from({ length: components }, (_, c) => ({
    h: Math.max(1, b[at + 3 * c + 1] >> 4),
    v: Math.max(1, b[at + 3 * c + 1] & 15),
  }));
  const hMax = Math.max(...sampling.map(s => s.h));
  const vMax = Math.max(...sampling.map(s => s.v));
  const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;
  return sampling.reduce(
    (sum, { h, v }) =>
      sum +
      roundUp(Math.ceil((width * h) / hMax / 8), h) *
        roundUp(Math.ceil((height * v) / vMax / 8), v),
    0,
  );
}

function webp(b: Uint8Array): ImageInfo | undefined {
  const chunk = ascii(b, 12, 4);
  if (chunk === 'VP8X' && b.length >= 30) {
    return { type: 'webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  }
  if (
    chunk === 'VP8 ' &&
    b.length >= 30 &&
    b[23] === 0x9d &&
    b[24] === 0x01 &&
    b[25] === 0x2a
  ) {
    return {
      type: 'webp',
      width: u16le(b, 26) & 0x3fff,
      height: u16le(b, 28) & 0x3fff,
    };
  }
  if (chunk === 'VP8L' && b.length >= 25 && b[20] === 0x2f) {
    const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
    return {
      type: 'webp',
      width: (bits & 0x3fff) + 1,
      height: ((bits >> 14) & 0x3fff) + 1,
    };
  }
  return undefined;
}

/** Largest `ispe` (image spatial extent) box in an AVIF/HEIF file, i.e. the primary image size. */
function avif(b: Uint8Array): ImageInfo | undefined {
  let best: ImageInfo | undefined;
  const limit = Math.min(b.length - 20, 1 << 20);
  for (let i = 4; i < limit; i++) {
    if (
      b[i] === 0x69 &&
      b[i + 1] === 0x73 &&
      b[i + 2] === 0x70 &&
      b[i + 3] === 0x65
    ) {
      const width = u32be(b, i + 8);
      const height = u32be(b, i + 12);
      if (!best || width * height > best.width * best.height) {
        best = { type: 'avif', width, height };
      }
    }
  }
  return best;
}

/** Reads the type and dimensions from an image's header; undefined when unknown or truncated. */
export function readImageInfo(bytes: Uint8Array): ImageInfo | undefined {
  const b = bytes;
  if (b.length < 12) return undefined;
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpeg(b);
  if (u32be(b, 0) === 0x89504e47 && u32be(b, 4) === 0x0d0a1a0a) {
    if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return undefined;
    return { type: 'png', width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a') {
    return { type: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
  }
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return webp(b);
  if (ascii(b, 4, 4) === 'ftyp' && /^(avif|avis|mif1)/.test(ascii(b, 8, 4)))
    return avif(b);
  return undefined;
}
