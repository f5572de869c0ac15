import contract from '../contract.json';
import { HttpError } from './errors';

const { signatureParam, expiryParam } = contract.signing;

/** Same canonical string as `sign.js`: path, then the sorted query without the signature. */
export function canonicalString(url: URL): string {
  const params = [...url.searchParams].filter(
    ([name]) => name !== signatureParam,
  );
  params.sort(([a, av], [b, bv]) =>
    a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0,
  );
  return `${url.pathname}?${new URLSearchParams(params).toString()}`;
}

function base64UrlDecode(value: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]{43}$/.test(value)) return undefined; // 32 bytes, unpadded
  const binary = atob(value.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, c => c.charCodeAt(0));
}

const keyCache = new Map<string, Promise<CryptoKey>>();

function importKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    keyCache.clear();
    keyCache.set(secret, key);
  }
  return key;
}

/**
 * Verifies the `sig` parameter (HMAC-SHA256, base64url) and the optional `exp` expiry.
 * `crypto.subtle.verify` compares in constant time.
 */
export async function verifySignature(
  url: URL,
  secret: string,
  now = Date.now(),
): Promise<void> {
  const sig = url.searchParams.get(signatureParam);
  if (!sig) throw new HttpError(401, `Missing signature (${signatureParam})`);
  const bytes = base64UrlDecode(sig);
  const valid =
    bytes !== undefined &&
    (await crypto.subtle.verify(
      'HMAC',
      await importKey(secret),
      bytes,
      new TextEncoder().encode(canonicalString(url)),
    ));
  if (!valid) throw new HttpError(403, 'Invalid signature', 'bad-signature');
  const exp = url.searchParams.get(expiryParam);
  if (exp !== null && Number(exp) * 1000 < now) {
    throw new HttpError(403, 'Signed URL has expired', 'bad-signature');
  }
}
