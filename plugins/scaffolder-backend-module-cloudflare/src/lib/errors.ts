import type { APIError } from 'cloudflare';
import { InputError } from '@backstage/errors';
import { isRetryable } from './retry';
import { loadCloudflareSdk } from './sdk';

/** The token permission each kind of call needs, in the dashboard's words. */
export const PERMISSIONS = {
  scripts: 'Account > Workers Scripts > Edit',
  routes: 'Zone > Workers Routes > Edit',
  r2: 'Account > Workers R2 Storage > Read',
} as const;

/** What the failed call was doing, to name the missing permission or the unknown resource. */
export interface CallContext {
  /** Present tense, e.g. `upload the Worker script 'img'`. */
  operation: string;
  /** Which permission the call needs. */
  scope: keyof typeof PERMISSIONS;
  accountId: string;
  zoneId?: string;
  /** Number of attempts made, when the call was retried. */
  attempts?: number;
}

/** API error codes Cloudflare answers for an identifier that routes nowhere. */
const NOT_FOUND_CODES = new Set([7000, 7003, 1001, 10090]);

/** The API's own messages, `code: message`, joined; falls back to the SDK's message. */
export function apiMessages(error: APIError): string {
  const parts = (error.errors ?? [])
    .map(e => {
      const entry = e as { code?: number; message?: string };
      if (!entry.message) {
        return undefined;
      }
      return entry.code
        ? `${entry.message} (code ${entry.code})`
        : entry.message;
    })
    .filter((m): m is string => Boolean(m));
  return parts.length > 0 ? parts.join('; ') : error.message;
}

/**
 * The script upload's answer when an `r2_bucket` binding names a bucket the account does not
 * have ("R2 bucket '…' not found", seen in cloudflare/workers-sdk#9418).
 */
const R2_BUCKET_NOT_FOUND_CODES = new Set([10085]);

function hasCode(error: APIError, codes: Set<number>): boolean {
  return (error.errors ?? []).some(e =>
    codes.has((e as { code?: number }).code ?? -1),
  );
}

/**
 * Turns an error from the Cloudflare SDK into one that says what to do about it.
 * Errors the user can fix (token, permissions, identifiers, rejected input) become `InputError`s.
 */
export function describeCloudflareError(
  error: unknown,
  ctx: CallContext,
): Error {
  const sdk = loadCloudflareSdk();
  if (error instanceof sdk.APIConnectionError) {
    return new Error(
      `Could not reach the Cloudflare API to ${ctx.operation}${
        ctx.attempts ? ` after ${ctx.attempts} attempts` : ''
      }: ${error.message}`,
    );
  }
  if (!(error instanceof sdk.APIError)) {
    return error instanceof Error ? error : new Error(String(error));
  }
  const said = `Cloudflare said: ${apiMessages(error)}`;
  const permission = PERMISSIONS[ctx.scope];
  const where =
    ctx.scope === 'routes'
      ? `zone '${ctx.zoneId}'`
      : `account '${ctx.accountId}'`;
  const status = error.status;

  if (status === 401) {
    return new InputError(
      `Cloudflare did not accept the API token (401) when trying to ${ctx.operation}: it is invalid, expired or revoked. ` +
        `Create a token with the permission "${PERMISSIONS.scripts}" (and "${PERMISSIONS.routes}" for routes). ${said}`,
    );
  }
  if (status === 403) {
    return new InputError(
      `The Cloudflare API token may not ${ctx.operation} (403): it needs the permission "${permission}" on ${where}, ` +
        `and the ${
          ctx.scope === 'routes' ? 'zone' : 'account'
        } must be one the token can see. ${said}`,
    );
  }
  if (
    status !== undefined &&
    status < 500 &&
    hasCode(error, R2_BUCKET_NOT_FOUND_CODES)
  ) {
    return new InputError(
      `The R2 bucket for the derivative store does not exist in ${where}: create it (dashboard → R2, or \`wrangler r2 bucket create <name>\`), or correct or leave out derivativesBucket. ${said}`,
    );
  }
  if (
    status === 404 ||
    (status !== undefined && status < 500 && hasCode(error, NOT_FOUND_CODES))
  ) {
    return new InputError(
      `Cloudflare ${where} was not found when trying to ${
        ctx.operation
      }: check the ${
        ctx.scope === 'routes' ? 'zone' : 'account'
      } id, and that the token has access to it. ${said}`,
    );
  }
  if (isRetryable(error)) {
    return new Error(
      `The Cloudflare API answered ${status} when trying to ${ctx.operation}${
        ctx.attempts ? `, ${ctx.attempts} attempts in all` : ''
      }; try again later. ${said}`,
    );
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new InputError(
      `Cloudflare refused to ${ctx.operation} (${status}). ${said}`,
    );
  }
  return new Error(
    `Cloudflare failed to ${ctx.operation} (${status}). ${said}`,
  );
}
