/**
 * Converts pixels tagged with an RGB matrix/TRC ICC profile (Display P3, Adobe RGB, ProPhoto, …:
 * what phones and cameras embed) to sRGB, the colour space of an untagged web image, as sharp does
 * by default (relative colorimetric through the D50 profile connection space).
 *
 * Profile layout after ICC.1:2022 (v4.4) sections 7 (header, tag table) and 10 (curveType,
 * parametricCurveType, XYZType). LUT-based profiles (A2B0 only) are left as they are.
 */
import type { Pixels } from '../codecs/pixels';

type Curve = (v: number) => number;

/** A matrix/TRC RGB profile: linearising curves and the RGB → XYZ (D50) matrix. */
export interface RgbProfile {
  curves: [Curve, Curve, Curve];
  /** Row-major 3x3 with the red, green and blue colorants as columns. */
  matrix: number[];
}

/** sRGB's colorants adapted to D50, as in the sRGB IEC61966-2.1 ICC profile (and libvips'). */
const SRGB_D50 = [
  0.4360747, 0.3850649, 0.1430804, 0.2225045, 0.7168786, 0.0606169, 0.0139322,
  0.0971045, 0.7141733,
];

function srgbDecode(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

function srgbEncode(v: number): number {
  return v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
}

function s15(view: DataView, at: number): number {
  return view.getInt32(at) / 65536;
}

function readCurve(
  view: DataView,
  at: number,
  size: number,
): Curve | undefined {
  if (at + 12 > view.byteLength || size < 12) return undefined;
  const type = view.getUint32(at);
  if (type === 0x63757276 /* 'curv' */) {
    const n = view.getUint32(at + 8);
    if (n === 0) return v => v;
    if (n === 1) {
      const gamma = view.getUint16(at + 12) / 256;
      return v => Math.pow(v, gamma);
    }
    if (at + 12 + n * 2 > view.byteLength) return undefined;
    const table = new Float64Array(n);
    for (let i = 0; i < n; i++)
      table[i] = view.getUint16(at + 12 + i * 2) / 65535;
    return v => {
      const p = v * (n - 1);
      const i = Math.min(n - 2, Math.floor(p));
      return table[i] + (table[i + 1] - table[i]) * (p - i);
    };
  }
  if (type === 0x70617261 /* 'para' */) {
    const fn = view.getUint16(at + 8);
    const count = [1, 3, 4, 5, 7][fn];
    if (count === undefined || at + 12 + count * 4 > view.byteLength)
      return undefined;
    const [g, a, b, c, d, e, f] = Array.from({ length: 7 }, (_, i) =>
      i < count ? s15(view, at + 12 + i * 4) : 0,
    );
    const pow = (x: number) => (x > 0 ? Math.pow(x, g) : 0);
    switch (fn) {
      case 0:
        return v => pow(v);
      case 1:
        return v => (v >= -b / a ? pow(a * v + b) : 0);
      case 2:
        return v => (v >= -b / a ? pow(a * v + b) + c : c);
      case 3:
        return v => (v >= d ? pow(a * v + b) : c * v);
      case 4:
        return v => (v >= d ? pow(a * v + b) + e : c * v + f);
    }
  }
  return undefined;
}

/** Parses an RGB matrix/TRC profile; undefined for anything else (CMYK, grey, LUT-only). */
export function parseRgbProfile(icc: Uint8Array): RgbProfile | undefined {
  if (icc.length < 132) return undefined;
  const view = new DataView(icc.buffer, icc.byteOffset, icc.byteLength);
  if (view.getUint32(16) !== 0x52474220 /* 'RGB ' */) return undefined;
  if (view.getUint32(36) !== 0x61637370 /* 'acsp' */) return undefined;
  const tags = new Map<string, { at: number; size: number }>();
  const count = view.getUint32(128);
  for (let i = 0; i < count && 132 + i * 12 + 12 <= icc.length; i++) {
    const at = 132 + i * 12;
    const sig = String.fromCharCode(...icc.subarray(at, at + 4));
    tags.set(sig, { at: view.getUint32(at + 4), size: view.getUint32(at + 8) });
  }
  const xyz = (sig: string) => {
    const tag = tags.get(sig);
    if (!tag || tag.at + 20 > icc.length) return undefined;
    if (view.getUint32(tag.at) !== 0x58595a20 /* 'XYZ ' */) return undefined;
    return [
      s15(view, tag.at + 8),
      s15(view, tag.at + 12),
      s15(view, tag.at + 16),
    ];
  };
  const curve = (sig: string) => {
    const tag = tags.get(sig);
    return tag ? readCurve(view, tag.at, tag.size) : undefined;
  };
  const [r, g, b] = [xyz('rXYZ'), xyz('gXYZ'), xyz('bXYZ')];
  const curves = [curve('rTRC'), curve('gTRC'), curve('bTRC')];
  if (!r || !g || !b || curves.some(c => !c)) return undefined;
  return {
    curves: curves as [Curve, Curve, Curve],
    matrix: [r[0], g[0], b[0], r[1], g[1], b[1], r[2], g[2], b[2]],
  };
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}

function multiply3(x: number[], y: number[]): number[] {
  const out = new Array<number>(9);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      out[r * 3 + c] =
        x[r * 3] * y[c] + x[r * 3 + 1] * y[3 + c] + x[r * 3 + 2] * y[6 + c];
    }
  }
  return out;
}

/** True when the profile is sRGB itself (so the pixels need no change). */
export function isSrgb(profile: RgbProfile): boolean {
  if (profile.matrix.some((v, i) => Math.abs(v - SRGB_D50[i]) > 0.002))
    return false;
  for (const curve of profile.curves) {
    for (let v = 0; v <= 1; v += 1 / 16) {
      if (Math.abs(curve(v) - srgbDecode(v)) > 0.002) return false;
    }
  }
  return true;
}

const ENCODE_STEPS = 16384;

/**
 * A converter from the profile's colour space to sRGB for 8-bit RGBA pixels (alpha untouched):
 * 8-bit input through lookup tables to linear light, one 3x3 matrix, and a 16,384-step table back
 * to sRGB's curve. Colours outside sRGB are clipped, as relative colorimetric does.
 */
export function converterToSrgb(profile: RgbProfile): (pixels: Pixels) => void {
  const m = multiply3(invert3(SRGB_D50), profile.matrix);
  const linear = profile.curves.map(curve => {
    const table = new Float32Array(256);
    for (let i = 0; i < 256; i++) table[i] = curve(i / 255);
    return table;
  });
  const encode = new Uint8Array(ENCODE_STEPS + 1);
  for (let i = 0; i <= ENCODE_STEPS; i++) {
    encode[i] = Math.round(srgbEncode(i / ENCODE_STEPS) * 255);
  }
  const [lr, lg, lb] = linear;
  const [m0, m1, m2, m3, m4, m5, m6, m7, m8] = m;
  const out = (v: number) =>
    encode[v <= 0 ? 0 : v >= 1 ? ENCODE_STEPS : (v * ENCODE_STEPS + 0.5) | 0];
  return ({ data }) => {
    for (let i = 0; i < data.length; i += 4) {
      const r = lr[data[i]];
      const g = lg[data[i + 1]];
      const b = lb[data[i + 2]];
      data[i] = out(m0 * r + m1 * g + m2 * b);
      data[i + 1] = out(m3 * r + m4 * g + m5 * b);
      data[i + 2] = out(m6 * r + m7 * g + m8 * b);
    }
  };
}

/**
 * The conversion the pixels of a source with this embedded profile need, or undefined when they
 * are already sRGB, or the profile is not one this converter handles (then they pass unchanged).
 */
export function srgbConversion(
  icc: Uint8Array | undefined,
): ((pixels: Pixels) => void) | undefined {
  if (!icc) return undefined;
  const profile = parseRgbProfile(icc);
  if (!profile || isSrgb(profile)) return undefined;
  return converterToSrgb(profile);
}
