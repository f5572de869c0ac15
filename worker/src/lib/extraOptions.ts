import { HttpError } from './errors';

/**
 * The photo options beside the size and format ones, spelled as Cloudflare's `cf.image` options
 * are (https://developers.cloudflare.com/images/transform-images/transform-via-workers/).
 */

/** Cloudflare's `metadata`: what EXIF survives into a JPEG output (WebP, PNG, AVIF drop it all). */
export const METADATA = ['none', 'copyright', 'keep'] as const;
export type MetadataMode = (typeof METADATA)[number];

/** `dpr` multiplies `w` and `h` (Cloudflare's device pixel ratio), 1 to 3. */
export const DPR_LIMITS = { min: 1, max: 3 } as const;

/** A focal point in the image as displayed, 0 (left/top) to 1 (right/bottom), or `auto`. */
export type Gravity = 'auto' | { x: number; y: number };

/** An sRGB colour with alpha, each 0–255. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

export interface ExtraOptions {
  gravity?: Gravity;
  dpr?: number;
  background?: Rgba;
  metadata: MetadataMode;
  /** `false` turns an animation into its first frame (Cloudflare's `anim=false`). */
  anim: boolean;
}

export const EXTRA_PARAMETERS = [
  'gravity',
  'dpr',
  'background',
  'metadata',
  'anim',
] as const;

function unit(raw: string, name: string): number {
  if (!/^(0(\.\d{1,4})?|1(\.0{1,4})?|\.\d{1,4})$/.test(raw)) {
    throw new HttpError(
      400,
      `${name} must be a number from 0 to 1, got ${JSON.stringify(
        raw.slice(0, 16),
      )}`,
    );
  }
  return Number(raw);
}

/** `auto`, or a focal point written `XxY` (Cloudflare's URL form) or `X,Y`, each 0–1. */
export function parseGravity(raw: string | null): Gravity | undefined {
  if (raw === null) return undefined;
  if (raw === 'auto') return 'auto';
  const parts = raw.split(/[x,]/);
  if (parts.length !== 2) {
    throw new HttpError(
      400,
      'gravity must be auto or a focal point x,y (each 0 to 1, e.g. 0.5,0.2)',
    );
  }
  return { x: unit(parts[0], 'gravity x'), y: unit(parts[1], 'gravity y') };
}

export function parseDpr(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const value = /^\d(\.\d{1,2})?$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= DPR_LIMITS.min && value <= DPR_LIMITS.max)) {
    throw new HttpError(
      400,
      `dpr must be a number from ${DPR_LIMITS.min} to ${DPR_LIMITS.max} (up to two decimals)`,
    );
  }
  return value;
}

/** CSS colours in the forms people write in URLs: `#rgb`, `#rrggbb`, `#rrggbbaa`, `rgb()`, `rgba()`. */
export function parseBackground(raw: string | null): Rgba | undefined {
  if (raw === null) return undefined;
  const hex = /^#?([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(raw);
  if (hex) {
    let digits = hex[1];
    if (digits.length === 3) digits = [...digits].map(d => d + d).join('');
    const n = (i: number) => parseInt(digits.slice(i, i + 2), 16);
    return { r: n(0), g: n(2), b: n(4), a: digits.length === 8 ? n(6) : 255 };
  }
  const fn =
    /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*(0|1|0?\.\d+)\s*)?\)$/i.exec(
      raw,
    );
  if (fn && [fn[1], fn[2], fn[3]].every(c => Number(c) <= 255)) {
    return {
      r: Number(fn[1]),
      g: Number(fn[2]),
      b: Number(fn[3]),
      a: fn[4] === undefined ? 255 : Math.round(Number(fn[4]) * 255),
    };
  }
  throw new HttpError(
    400,
    'background must be a colour as #rgb, #rrggbb, #rrggbbaa or rgb(r,g,b) / rgba(r,g,b,a)',
  );
}

function choice<T extends string>(
  raw: string | null,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === null) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new HttpError(400, `${name} must be one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

/** Parses the photo options; throws a 400 `HttpError` naming what is allowed. */
export function parseExtraOptions(params: URLSearchParams): ExtraOptions {
  return {
    gravity: parseGravity(params.get('gravity')),
    dpr: parseDpr(params.get('dpr')),
    background: parseBackground(params.get('background')),
    // Stripped by default (Cloudflare's own default for JPEG is `copyright`).
    metadata: choice(params.get('metadata'), 'metadata', METADATA, 'none'),
    anim:
      choice(params.get('anim'), 'anim', ['true', 'false'], 'true') === 'true',
  };
}

/** The photo options in the cache key; empty when all are at their defaults. */
export function extraKey(options: ExtraOptions): string {
  const parts: string[] = [];
  const g = options.gravity;
  if (g !== undefined)
    parts.push(`gravity=${g === 'auto' ? 'auto' : `${g.x},${g.y}`}`);
  if (options.dpr !== undefined && options.dpr !== 1)
    parts.push(`dpr=${options.dpr}`);
  const b = options.background;
  if (b) parts.push(`background=${b.r},${b.g},${b.b},${b.a}`);
  if (options.metadata !== 'none') parts.push(`metadata=${options.metadata}`);
  if (!options.anim) parts.push('anim=false');
  return parts.map(p => `&${p}`).join('');
}
