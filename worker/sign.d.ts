/** Name of the query parameter that carries the signature. */
export const SIGNATURE_PARAM: 'sig';
/** Name of the optional query parameter that carries the expiry (Unix seconds). */
export const EXPIRY_PARAM: 'exp';

/** When a signed URL stops being accepted. */
export interface ExpiryOptions {
  /** Seconds from now. */
  expiresIn?: number;
  /** An absolute time. */
  expiresAt?: Date | string | number;
}

/** The Worker's transformation parameters (see worker/README.md for the ranges). */
export interface ImageOptions extends ExpiryOptions {
  w?: number;
  h?: number;
  fit?: 'scale-down' | 'contain' | 'cover' | 'crop';
  q?: number;
  f?: 'auto' | 'avif' | 'webp' | 'jpeg' | 'png';
}

/** The string that is signed: path plus the sorted query without `sig`. */
export function canonicalString(url: string | URL): string;
/** Base64url HMAC-SHA256 of `canonicalString(url)` with `key`. */
export function signature(url: string | URL, key: string): string;
/** `url` with `exp` (when asked for) and `sig` set. */
export function signUrl(
  url: string | URL,
  key: string,
  options?: ExpiryOptions,
): string;
/** A Worker URL for `source` with the given options, signed when `key` is given. */
export function imageUrl(
  workerUrl: string | URL,
  source: string | URL,
  options?: ImageOptions,
  key?: string,
): string;
