import {
  createCipheriv,
  createDecipheriv,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import type { CacheService } from '@backstage/backend-plugin-api';

/** How long a generated signing key waits to be shown: 15 minutes. */
export const SIGNING_KEY_REVEAL_TTL_MS = 15 * 60 * 1000;

/** Length of a generated signing key: 32 random bytes, base64url (43 characters). */
export const SIGNING_KEY_BYTES = 32;

/** A new URL-signing key. */
export function generateSigningKey(): string {
  return randomBytes(SIGNING_KEY_BYTES).toString('base64url');
}

interface Sealed {
  user: string;
  iv: string;
  data: string;
  tag: string;
}

/**
 * Holds a key the portal generated until the user who ran the task has seen it once.
 *
 * The key is kept in the backend's cache for {@link SIGNING_KEY_REVEAL_TTL_MS}, sealed with
 * AES-256-GCM under a key that exists only in the reveal id. The task output carries the reveal
 * id, never the signing key; the first read by that user deletes the entry, so the id is worth
 * nothing afterwards. Neither the task's rows nor the cache alone hold the key.
 */
export class SigningKeyVault {
  private readonly cache: CacheService;

  constructor(options: { cache: CacheService }) {
    this.cache = options.cache;
  }

  /** Seals `signingKey` for `userRef`; returns the reveal id. */
  async put(signingKey: string, userRef: string): Promise<string> {
    const lookup = randomUUID();
    const key = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([
      cipher.update(signingKey, 'utf8'),
      cipher.final(),
    ]);
    const sealed: Sealed = {
      user: userRef,
      iv: iv.toString('base64url'),
      data: data.toString('base64url'),
      tag: cipher.getAuthTag().toString('base64url'),
    };
    await this.cache.set(`signing-key:${lookup}`, { ...sealed } as any, {
      ttl: SIGNING_KEY_REVEAL_TTL_MS,
    });
    return `${lookup}.${key.toString('base64url')}`;
  }

  /**
   * The key behind `revealId`, once, and only for the user it was made for; undefined when it was
   * shown already, expired, or belongs to someone else (who learns nothing either way).
   */
  async take(revealId: string, userRef: string): Promise<string | undefined> {
    const [lookup, secret] = revealId.split('.');
    if (!lookup || !secret) {
      return undefined;
    }
    const entryKey = `signing-key:${lookup}`;
    const sealed = (await this.cache.get(entryKey)) as Sealed | undefined;
    if (!sealed || sealed.user !== userRef) {
      return undefined;
    }
    await this.cache.delete(entryKey);
    try {
      const decipher = createDecipheriv(
        'aes-256-gcm',
        Buffer.from(secret, 'base64url'),
        Buffer.from(sealed.iv, 'base64url'),
      );
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(sealed.data, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
