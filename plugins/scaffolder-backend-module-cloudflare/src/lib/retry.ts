import { loadCloudflareSdk } from './sdk';

/** How calls to the Cloudflare API are retried. */
export interface RetryOptions {
  /**
   * Pause before each retry, in milliseconds; its length is the number of retries.
   * A `Retry-After` header from the API replaces the pause when it asks for longer
   * (up to `maxRetryAfterMs`).
   */
  delaysMs: number[];
  /** Upper bound for a pause requested through `Retry-After`. */
  maxRetryAfterMs: number;
  /** Waits the given time; replaced in tests. */
  sleep: (ms: number) => Promise<void>;
}

/** Four retries after 1, 2, 4 and 8 seconds: about 15 s in all before giving up. */
export const defaultRetryOptions: RetryOptions = {
  delaysMs: [1000, 2000, 4000, 8000],
  maxRetryAfterMs: 30_000,
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
};

/** Whether an error from the SDK is worth another attempt: rate limits, server errors, network. */
export function isRetryable(error: unknown): boolean {
  const sdk = loadCloudflareSdk();
  if (error instanceof sdk.APIUserAbortError) {
    return false;
  }
  if (error instanceof sdk.APIConnectionError) {
    return true;
  }
  if (error instanceof sdk.APIError) {
    return error.status === 429 || (error.status ?? 0) >= 500;
  }
  return false;
}

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof loadCloudflareSdk().APIError) || !error.headers) {
    return undefined;
  }
  const value = error.headers['retry-after'];
  if (!value) {
    return undefined;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds)) {
    return seconds * 1000;
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Runs `fn`, retrying it while it fails with a retryable error and retries are left.
 * `onRetry` hears about each retry (attempt number, pause, error) before the pause.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  options: RetryOptions,
  onRetry?: (attempt: number, delayMs: number, error: unknown) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const planned = options.delaysMs[attempt - 1];
      if (planned === undefined || !isRetryable(error)) {
        throw error;
      }
      const requested = retryAfterMs(error);
      const delay =
        requested === undefined
          ? planned
          : Math.max(planned, Math.min(requested, options.maxRetryAfterMs));
      onRetry?.(attempt, delay, error);
      await options.sleep(delay);
    }
  }
}
