import type Cloudflare from 'cloudflare';
import { loadCloudflareSdk } from './sdk';

/**
 * The SDK client the action deploys with, for one API token.
 *
 * Explicit nulls keep the SDK from picking other credentials out of the environment; retries
 * are done by the action (lib/retry.ts), whose pauses can be tuned.
 */
export function createCloudflareClient(apiToken: string): Cloudflare {
  const { default: CloudflareClient } = loadCloudflareSdk();
  return new CloudflareClient({
    apiToken,
    apiKey: null,
    apiEmail: null,
    userServiceKey: null,
    maxRetries: 0,
  });
}
