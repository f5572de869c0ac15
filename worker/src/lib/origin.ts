import { isAllowedHost } from './allowList';
import { isPrivateHost } from './address';
import { HttpError } from './errors';
import { readImageInfo } from './imageHeader';

const MAX_REDIRECTS = 5;

export interface OriginPolicy {
  allowList: string[];
  timeoutMs: number;
}

/** Refuses URLs the Worker must never fetch: non-http(s), internal addresses, unlisted hosts. */
export function checkSourceUrl(
  url: URL,
  policy: OriginPolicy,
  what = 'url',
): void {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new HttpError(403, `${what} must use http or https`);
  }
  if (isPrivateHost(url.hostname)) {
    throw new HttpError(403, `${what} points to a private or local address`);
  }
  if (!isAllowedHost(url, policy.allowList)) {
    throw new HttpError(
      403,
      `${what} host ${url.hostname} is not an allowed origin`,
    );
  }
}

/**
 * Fetches `url`, following up to five redirects itself so that every hop is checked against the
 * policy. Rejects with 504 when the origin does not answer in time and 502 when it fails.
 */
export async function fetchOrigin(
  url: URL,
  policy: OriginPolicy,
  init: RequestInit<RequestInitCfProperties> = {},
): Promise<{ response: Response; url: URL; signal: AbortSignal }> {
  const signal = AbortSignal.timeout(policy.timeoutMs);
  let current = url;
  for (let hop = 0; ; hop++) {
    checkSourceUrl(current, policy, hop === 0 ? 'url' : 'redirect target');
    let response: Response;
    try {
      response = await fetch(current.toString(), {
        ...init,
        method: 'GET',
        redirect: 'manual',
        signal,
        headers: { Accept: 'image/*' },
      });
    } catch (error) {
      throw originFailure(error, signal, policy);
    }
    if (![301, 302, 303, 307, 308].includes(response.status)) {
      return { response, url: current, signal };
    }
    await response.body?.cancel();
    const location = response.headers.get('Location');
    if (!location)
      throw new HttpError(
        502,
        `Origin answered ${response.status} without a Location`,
        'origin-redirect',
      );
    if (hop + 1 > MAX_REDIRECTS)
      throw new HttpError(
        502,
        'Origin redirected too many times',
        'origin-redirect',
      );
    try {
      current = new URL(location, current);
    } catch {
      throw new HttpError(
        502,
        'Origin redirected to an invalid URL',
        'origin-redirect',
      );
    }
  }
}

function originFailure(
  error: unknown,
  signal: AbortSignal,
  policy: OriginPolicy,
): HttpError {
  if (signal.aborted) {
    return new HttpError(
      504,
      `Origin did not answer within ${policy.timeoutMs} ms`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new HttpError(502, `Origin fetch failed: ${message.slice(0, 120)}`);
}

/** Checks status and content type of an origin response before its body is read. */
export function checkOriginResponse(response: Response): void {
  if (!response.ok) {
    throw new HttpError(
      502,
      `Origin answered ${response.status}`,
      'origin-status',
    );
  }
  const type = (response.headers.get('Content-Type') ?? '')
    .toLowerCase()
    .trim();
  if (!type.startsWith('image/')) {
    throw new HttpError(
      415,
      `Origin sent ${type.split(';')[0] || 'no content type'}, not an image`,
    );
  }
}

/**
 * The first bytes of a body (`HEAD_BYTES`, or all of it when shorter) and its declared length,
 * handed over while the rest is still to be read.
 */
export type HeadListener = (
  head: Uint8Array,
  declaredBytes: number | undefined,
) => Promise<void>;

function joined(chunks: Uint8Array[], total: number): Uint8Array {
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads the whole body, counting bytes as they stream in; 413 as soon as `maxBytes` is passed.
 * `onHead` sees the first bytes before the rest is read (the wasm engine reserves memory there).
 */
export async function readLimited(
  response: Response,
  maxBytes: number,
  signal: AbortSignal,
  policy: OriginPolicy,
  onHead?: HeadListener,
): Promise<Uint8Array> {
  const declared = Number(response.headers.get('Content-Length'));
  const sized =
    response.headers.has('Content-Length') && Number.isFinite(declared);
  if (sized && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes);
  }
  if (!response.body) {
    await onHead?.(new Uint8Array(0), sized ? declared : undefined);
    return new Uint8Array(0);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let headSeen = !onHead;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (!done) {
        total += value.byteLength;
        if (total > maxBytes) throw tooLarge(maxBytes);
        chunks.push(value);
      }
      if (!headSeen && (done || total >= HEAD_BYTES)) {
        headSeen = true;
        await onHead!(joined(chunks, total), sized ? declared : undefined);
      }
      if (done) break;
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (error instanceof HttpError) throw error;
    throw originFailure(error, signal, policy);
  }
  return joined(chunks, total);
}

/** How much of a source the cloudflare engine's pre-flight reads to find the image header. */
export const HEAD_BYTES = 256 * 1024;

export interface SourceLimits {
  maxBytes: number;
  maxPixels: number;
}

/**
 * The cloudflare engine's pre-flight. Cloudflare's resizer follows redirects itself and checks
 * only the first URL against the zone's sources (cloudflare-docs
 * `images/transform-images/sources.mdx`: "only the initial URL of the source image is checked.
 * Any redirects, including URLs that leave your zone, will be followed"). So the Worker resolves
 * the chain with its own checked fetch first (every hop against the policy) and hands the
 * resizer only a URL that answered 200 itself, with an image content type. The same checks as
 * the wasm engine apply on the way: a declared or counted size past `maxBytes` is a 413, and so
 * is a header (read from the first `HEAD_BYTES`) with more than `maxPixels` pixels. The body is
 * cancelled as soon as that is known; it is read to the end only when no `Content-Length` says
 * its size.
 */
export async function resolveSource(
  url: URL,
  policy: OriginPolicy,
  limits: SourceLimits,
): Promise<URL> {
  const { response, url: final, signal } = await fetchOrigin(url, policy);
  if (response.status !== 200) {
    await response.body?.cancel();
    if (response.ok) {
      throw new HttpError(
        502,
        `Origin answered ${response.status}; the cloudflare engine needs a plain 200 from the source`,
        'origin-status',
      );
    }
  }
  checkOriginResponse(response);
  const declared = Number(response.headers.get('Content-Length'));
  const sized =
    response.headers.has('Content-Length') && Number.isFinite(declared);
  if (sized && declared > limits.maxBytes) {
    await response.body?.cancel();
    throw tooLarge(limits.maxBytes);
  }
  if (!response.body) return final;
  const reader = response.body.getReader();
  const head = new Uint8Array(HEAD_BYTES);
  let filled = 0;
  let total = 0;
  let checked = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (!done) {
        total += value.byteLength;
        if (total > limits.maxBytes) throw tooLarge(limits.maxBytes);
        const take = Math.min(value.byteLength, HEAD_BYTES - filled);
        head.set(value.subarray(0, take), filled);
        filled += take;
      }
      if (!checked && (done || filled === HEAD_BYTES)) {
        checked = true;
        const info = readImageInfo(head.subarray(0, filled));
        const pixels = info ? info.width * info.height : 0;
        if (info && pixels > limits.maxPixels) {
          throw new HttpError(
            413,
            `Source image is ${info.width}x${info.height} (${pixels} pixels); the limit is ${limits.maxPixels} pixels`,
          );
        }
        if (sized) break;
      }
      if (done) break;
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (error instanceof HttpError) throw error;
    throw originFailure(error, signal, policy);
  }
  await reader.cancel().catch(() => undefined);
  return final;
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `Source image is larger than ${maxBytes} bytes`);
}
