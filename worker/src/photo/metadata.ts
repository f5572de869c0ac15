/**
 * Reads the metadata a camera or phone puts beside the pixels (EXIF, XMP, ICC profile) from JPEG,
 * WebP and PNG files, and writes the EXIF a JPEG output may keep.
 *
 * References: JPEG markers (ITU T.81 B.1.1.4), EXIF 2.32 (CIPA DC-008) for APP1 and the TIFF
 * IFD layout, ICC.1:2022 annex B.4 for profiles in APP2, the WebP container
 * (https://developers.google.com/speed/webp/docs/riff_container) and PNG 3rd edition (iCCP, eXIf).
 */

/** What the Worker needs to know about a source beyond its size. */
export interface SourceMetadata {
  /** EXIF orientation 1–8; 1 when absent or invalid. */
  orientation: number;
  /** The TIFF structure of the EXIF block (without the `Exif\0\0` prefix). */
  exif?: Uint8Array;
  /** The XMP packet (UTF-8). */
  xmp?: Uint8Array;
  /** The embedded ICC profile, reassembled. */
  icc?: Uint8Array;
  /** PNG only: the zlib-compressed ICC profile, inflated by `inflateIcc`. */
  iccCompressed?: Uint8Array;
}

const EXIF_ID = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"
const XMP_ID = 'http://ns.adobe.com/xap/1.0/\0';
const ICC_ID = 'ICC_PROFILE\0';

function startsWith(bytes: Uint8Array, at: number, prefix: ArrayLike<number>) {
  if (at + prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (bytes[at + i] !== prefix[i]) return false;
  }
  return true;
}

function ascii(text: string): number[] {
  return [...text].map(c => c.charCodeAt(0));
}

const XMP_BYTES = ascii(XMP_ID);
const ICC_BYTES = ascii(ICC_ID);

function jpegMetadata(bytes: Uint8Array): SourceMetadata {
  const meta: SourceMetadata = { orientation: 1 };
  const iccChunks: { seq: number; data: Uint8Array }[] = [];
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) break;
    const marker = bytes[at + 1];
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) break; // start of scan / end of image
    const length = (bytes[at + 2] << 8) | bytes[at + 3];
    const start = at + 4;
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) break;
    if (marker === 0xe1 && !meta.exif && startsWith(bytes, start, EXIF_ID)) {
      meta.exif = bytes.subarray(start + 6, end);
    } else if (marker === 0xe1 && startsWith(bytes, start, XMP_BYTES)) {
      meta.xmp = bytes.subarray(start + XMP_BYTES.length, end);
    } else if (marker === 0xe2 && startsWith(bytes, start, ICC_BYTES)) {
      const seq = bytes[start + ICC_BYTES.length];
      iccChunks.push({
        seq,
        data: bytes.subarray(start + ICC_BYTES.length + 2, end),
      });
    }
    at = end;
  }
  if (iccChunks.length > 0)
    meta.icc = concat(iccChunks.sort((a, b) => a.seq - b.seq).map(c => c.data));
  return meta;
}

function webpMetadata(bytes: Uint8Array): SourceMetadata {
  const meta: SourceMetadata = { orientation: 1 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  while (at + 8 <= bytes.length) {
    const fourcc = String.fromCharCode(...bytes.subarray(at, at + 4));
    const size = view.getUint32(at + 4, true);
    const data = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + size));
    if (fourcc === 'ICCP') meta.icc = data;
    else if (fourcc === 'EXIF') {
      // Some writers keep the JPEG APP1 prefix inside the chunk.
      meta.exif = startsWith(data, 0, EXIF_ID) ? data.subarray(6) : data;
    } else if (fourcc === 'XMP ') meta.xmp = data;
    at += 8 + size + (size & 1);
  }
  return meta;
}

function pngMetadata(bytes: Uint8Array): SourceMetadata {
  const meta: SourceMetadata = { orientation: 1 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  while (at + 12 <= bytes.length) {
    const size = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + size));
    if (type === 'iCCP') {
      const nul = data.indexOf(0);
      // Profile name, NUL, compression method (0 = zlib), compressed profile.
      if (nul > 0 && data[nul + 1] === 0)
        meta.iccCompressed = data.subarray(nul + 2);
    } else if (type === 'eXIf') meta.exif = data;
    else if (type === 'IDAT' || type === 'IEND') break;
    at += 12 + size;
  }
  return meta;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** EXIF (TIFF) tags the Worker reads or writes. */
const TAG_ORIENTATION = 0x0112;
const TAG_COPYRIGHT = 0x8298;
const TYPE_SHORT = 3;
const TYPE_ASCII = 2;

interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Offset of the entry's 4-byte value field within the TIFF block. */
  valueAt: number;
}

/** The entries of IFD0, or nothing when the TIFF structure is broken. */
function ifd0(
  tiff: Uint8Array,
): { little: boolean; entries: IfdEntry[] } | undefined {
  if (tiff.length < 8) return undefined;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const offset = view.getUint32(4, little);
  if (offset + 2 > tiff.length) return undefined;
  const count = view.getUint16(offset, little);
  const entries: IfdEntry[] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + 2 + i * 12;
    if (at + 12 > tiff.length) break;
    entries.push({
      tag: view.getUint16(at, little),
      type: view.getUint16(at + 2, little),
      count: view.getUint32(at + 4, little),
      valueAt: at + 8,
    });
  }
  return { little, entries };
}

/** EXIF orientation (1–8) from a TIFF block; 1 when absent or out of range. */
export function exifOrientation(tiff: Uint8Array | undefined): number {
  const ifd = tiff && ifd0(tiff);
  const entry = ifd?.entries.find(
    e => e.tag === TAG_ORIENTATION && e.type === TYPE_SHORT,
  );
  if (!ifd || !entry) return 1;
  const view = new DataView(tiff!.buffer, tiff!.byteOffset, tiff!.byteLength);
  const value = view.getUint16(entry.valueAt, ifd.little);
  return value >= 1 && value <= 8 ? value : 1;
}

/** The EXIF Copyright string, when there is one. */
export function exifCopyright(
  tiff: Uint8Array | undefined,
): Uint8Array | undefined {
  const ifd = tiff && ifd0(tiff);
  const entry = ifd?.entries.find(
    e => e.tag === TAG_COPYRIGHT && e.type === TYPE_ASCII,
  );
  if (!ifd || !entry || entry.count === 0) return undefined;
  const view = new DataView(tiff!.buffer, tiff!.byteOffset, tiff!.byteLength);
  const at =
    entry.count <= 4
      ? entry.valueAt
      : view.getUint32(entry.valueAt, ifd.little);
  if (at + entry.count > tiff!.length) return undefined;
  return tiff!.subarray(at, at + entry.count);
}

/** A copy of the TIFF block with the orientation set to 1, as the pixels are already turned. */
export function exifWithoutRotation(tiff: Uint8Array): Uint8Array {
  const copy = tiff.slice();
  const ifd = ifd0(copy);
  const entry = ifd?.entries.find(
    e => e.tag === TAG_ORIENTATION && e.type === TYPE_SHORT,
  );
  if (ifd && entry) {
    new DataView(copy.buffer).setUint16(entry.valueAt, 1, ifd.little);
  }
  return copy;
}

/** A minimal little-endian TIFF block holding only the Copyright tag. */
export function exifWithCopyright(copyright: Uint8Array): Uint8Array {
  const text =
    copyright[copyright.length - 1] === 0
      ? copyright
      : concat([copyright, new Uint8Array([0])]);
  const inline = text.length <= 4;
  const out = new Uint8Array(8 + 2 + 12 + 4 + (inline ? 0 : text.length));
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  view.setUint32(4, 8, true);
  view.setUint16(8, 1, true);
  view.setUint16(10, TAG_COPYRIGHT, true);
  view.setUint16(12, TYPE_ASCII, true);
  view.setUint32(14, text.length, true);
  if (inline) out.set(text, 18);
  else {
    view.setUint32(18, 26, true);
    out.set(text, 26);
  }
  view.setUint32(22, 0, true); // no next IFD
  return out;
}

/** Reads orientation, EXIF, XMP and the ICC profile of a JPEG, WebP or PNG source. */
export function readMetadata(bytes: Uint8Array, type: string): SourceMetadata {
  let meta: SourceMetadata;
  if (type === 'jpeg') meta = jpegMetadata(bytes);
  else if (type === 'webp') meta = webpMetadata(bytes);
  else if (type === 'png') meta = pngMetadata(bytes);
  else return { orientation: 1 };
  // Orientation applies to JPEG and WebP; browsers ignore it on PNG, and so does sharp.
  if (type !== 'png') meta.orientation = exifOrientation(meta.exif);
  return meta;
}

/** Largest ICC profile accepted from a PNG; real display profiles are a few kilobytes. */
const MAX_ICC_BYTES = 4 * 1024 * 1024;

/**
 * Inflates a PNG's zlib-compressed ICC profile; undefined when it is broken or inflates past
 * `MAX_ICC_BYTES` (read chunk by chunk, so a compression bomb stops there).
 */
export async function inflateIcc(
  compressed: Uint8Array,
): Promise<Uint8Array | undefined> {
  const reader = new Blob([compressed])
    .stream()
    .pipeThrough(new DecompressionStream('deflate'))
    .getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_ICC_BYTES) {
        await reader.cancel();
        return undefined;
      }
      parts.push(value);
    }
  } catch {
    return undefined;
  }
  return concat(parts);
}

/**
 * Inserts EXIF (and, for `keep`, XMP) APP1 segments into an encoded JPEG right after SOI and any
 * JFIF APP0. A block too large for one segment (64 KiB) is left out.
 */
export function insertJpegMetadata(
  jpeg: Uint8Array,
  exif: Uint8Array | undefined,
  xmp: Uint8Array | undefined,
): Uint8Array {
  const segments: Uint8Array[] = [];
  const segment = (id: number[], body: Uint8Array) => {
    const length = 2 + id.length + body.length;
    if (length > 0xffff) return;
    segments.push(
      new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff, ...id]),
      body,
    );
  };
  if (exif) segment(EXIF_ID, exif);
  if (xmp) segment(XMP_BYTES, xmp);
  if (segments.length === 0) return jpeg;
  let at = 2;
  if (jpeg[2] === 0xff && jpeg[3] === 0xe0) at = 4 + ((jpeg[4] << 8) | jpeg[5]);
  return concat([jpeg.subarray(0, at), ...segments, jpeg.subarray(at)]);
}

/** XMP with its own orientation property set to 1, as the pixels are already turned. */
export function xmpWithoutRotation(xmp: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(xmp);
  const fixed = text
    .replace(/(tiff:Orientation=")[1-8](")/g, '$11$2')
    .replace(/(<tiff:Orientation>)[1-8](<\/tiff:Orientation>)/g, '$11$2');
  return fixed === text ? xmp : new TextEncoder().encode(fixed);
}
