import contract from '../contract.json';
import { HttpError } from './errors';
import {
  EXTRA_PARAMETERS,
  extraKey,
  parseExtraOptions,
  type ExtraOptions,
} from './extraOptions';

export const FITS = ['scale-down', 'contain', 'cover', 'crop'] as const;
export type Fit = (typeof FITS)[number];
export const FORMATS = ['auto', 'avif', 'webp', 'jpeg', 'png'] as const;
export type RequestedFormat = (typeof FORMATS)[number];
export type OutputFormat = Exclude<RequestedFormat, 'auto'>;

export const LIMITS = {
  width: { min: 1, max: 4096 },
  height: { min: 1, max: 4096 },
  quality: { min: 1, max: 100 },
} as const;

/** The validated transformation a request asks for. */
export interface TransformOptions extends ExtraOptions {
  source: URL;
  width?: number;
  height?: number;
  fit: Fit;
  /** Undefined means the encoder's default for the chosen format. */
  quality?: number;
  format: RequestedFormat;
  /** Signature expiry in Unix seconds, when the URL carries one. */
  expires?: number;
}

/** Query parameters the Worker understands; anything else is refused so caches cannot be busted. */
const KNOWN = new Set([
  'url',
  'w',
  'h',
  'fit',
  'q',
  'f',
  contract.signing.signatureParam,
  contract.signing.expiryParam,
  ...EXTRA_PARAMETERS,
]);

function integer(
  params: URLSearchParams,
  name: string,
  range: { min: number; max: number },
): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^\d{1,9}$/.test(raw)) {
    throw new HttpError(
      400,
      `${name} must be a whole number from ${range.min} to ${range.max}`,
    );
  }
  const value = Number(raw);
  if (value < range.min || value > range.max) {
    throw new HttpError(
      400,
      `${name} must be from ${range.min} to ${range.max}, got ${value}`,
    );
  }
  return value;
}

function oneOf<T extends string>(
  params: URLSearchParams,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = params.get(name);
  if (raw === null) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new HttpError(400, `${name} must be one of ${allowed.join(', ')}`);
  }
  return raw as T;
}

/** Parses and validates the query string into options; throws a 400 `HttpError` on bad input. */
export function parseOptions(params: URLSearchParams): TransformOptions {
  for (const name of new Set(params.keys())) {
    if (!KNOWN.has(name)) {
      throw new HttpError(
        400,
        `Unknown parameter ${JSON.stringify(name.slice(0, 32))}; allowed: ${[
          ...KNOWN,
        ].join(', ')}`,
      );
    }
    if (params.getAll(name).length > 1) {
      throw new HttpError(400, `${name} must be given once`);
    }
  }
  const rawSource = params.get('url');
  if (!rawSource) {
    throw new HttpError(
      400,
      'url is required (the http(s) URL of the original image)',
    );
  }
  if (rawSource.length > 2048) {
    throw new HttpError(400, 'url must be at most 2048 characters');
  }
  let source: URL;
  try {
    source = new URL(rawSource);
  } catch {
    throw new HttpError(400, 'url must be an absolute http(s) URL');
  }
  if (source.protocol !== 'https:' && source.protocol !== 'http:') {
    throw new HttpError(400, 'url must use http or https');
  }
  if (source.username || source.password) {
    throw new HttpError(400, 'url must not contain credentials');
  }
  source.hash = '';

  let expires: number | undefined;
  const rawExpiry = params.get(contract.signing.expiryParam);
  if (rawExpiry !== null) {
    if (!/^\d{1,12}$/.test(rawExpiry)) {
      throw new HttpError(400, 'exp must be a Unix time in seconds');
    }
    expires = Number(rawExpiry);
  }

  return {
    source,
    width: integer(params, 'w', LIMITS.width),
    height: integer(params, 'h', LIMITS.height),
    fit: oneOf(params, 'fit', FITS, 'scale-down'),
    quality: integer(params, 'q', LIMITS.quality),
    format: oneOf(params, 'f', FORMATS, 'auto'),
    expires,
    ...parseExtraOptions(params),
  };
}

/** A stable string of the options that affect the output (used in the cache key and ETag). */
export function normalizedKey(options: TransformOptions): string {
  const parts = [
    `url=${encodeURIComponent(options.source.toString())}`,
    `w=${options.width ?? ''}`,
    `h=${options.height ?? ''}`,
    `fit=${options.fit}`,
    `q=${options.quality ?? ''}`,
    `f=${options.format}`,
  ];
  return parts.join('&') + extraKey(options);
}
