import contract from '@internal/image-worker/contract';

/** Worker script names: lower-case letters, digits and dashes, 1 to 63 characters, no dash at either end. */
export const SCRIPT_NAME_PATTERN = new RegExp(contract.patterns.scriptName);

/** Cloudflare account and zone identifiers: 32 lower-case hex digits. */
export const CLOUDFLARE_ID_PATTERN = new RegExp(contract.patterns.cloudflareId);

/** `YYYY-MM-DD`. */
export const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** A host name, optionally with a port: what `ALLOWED_ORIGINS` lists. */
export const HOST_PATTERN = new RegExp(contract.patterns.host);

/**
 * A Workers route pattern with a concrete host: `images.example.com/*`, `example.com/img/*`.
 * Wildcard hosts are refused because the action must report the URL the Worker answers on.
 */
export const ROUTE_PATTERN = new RegExp(contract.patterns.routePattern);

/**
 * An R2 bucket name: 3 to 64 lower-case letters, digits and dashes, no dash at either end (the
 * `name` schema of Cloudflare's API, R2 "Create Bucket").
 */
export const R2_BUCKET_NAME_PATTERN = new RegExp(
  contract.patterns.r2BucketName,
);

/** Returns a message describing what is wrong with a script name, or undefined when it is valid. */
export function checkScriptName(name: string): string | undefined {
  if (name.length > 63) {
    return `Worker script name '${name}' is ${name.length} characters long; at most 63 are allowed`;
  }
  if (!SCRIPT_NAME_PATTERN.test(name)) {
    return `Worker script name '${name}' may contain only lower-case letters, digits and dashes, and may not start or end with a dash`;
  }
  return undefined;
}

/** The URL a Worker on route `pattern` answers on: `images.example.com/img/*` → `https://images.example.com/img/`. */
export function routeUrl(pattern: string): string {
  return `https://${pattern.replace(/\*$/, '')}`;
}

/** The URL of a Worker on workers.dev. */
export function workersDevUrl(
  scriptName: string,
  accountSubdomain: string,
): string {
  return `https://${scriptName}.${accountSubdomain}.workers.dev/`;
}
