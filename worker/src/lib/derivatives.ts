/**
 * Stored derivatives: with the optional R2 binding `DERIVATIVES`, each unique transformation is
 * computed once for all Cloudflare locations. The Cache API stays in front (per location); R2
 * holds every result behind it, so a miss in one location's cache does not mean a new transform.
 *
 * R2 Workers API: https://developers.cloudflare.com/r2/api/workers/workers-api-reference/
 */

/** Prefix of every object the Worker writes, versioned so a format change can start afresh. */
export const DERIVATIVE_PREFIX = 'derivatives/v1/';

/** The object key: engine, format bucket and a SHA-256 of the normalised options (no raw URL). */
export async function derivativeKey(
  engine: string,
  bucket: string,
  normalizedKey: string,
): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode(normalizedKey),
    ),
  );
  const hex = [...digest].map(b => b.toString(16).padStart(2, '0')).join('');
  return `${DERIVATIVE_PREFIX}${engine}/${bucket}/${hex}`;
}

export interface StoredDerivative {
  body: Uint8Array;
  contentType: string;
}

/** The stored result, or null when there is none (or R2 cannot be read: then it is recomputed). */
export async function readDerivative(
  store: R2Bucket,
  key: string,
): Promise<StoredDerivative | null> {
  const object = await store.get(key);
  if (!object) return null;
  const contentType = object.httpMetadata?.contentType;
  if (!contentType?.startsWith('image/')) return null;
  return { body: new Uint8Array(await object.arrayBuffer()), contentType };
}

export async function storeDerivative(
  store: R2Bucket,
  key: string,
  derivative: StoredDerivative,
): Promise<void> {
  await store.put(key, derivative.body, {
    httpMetadata: { contentType: derivative.contentType },
  });
}
