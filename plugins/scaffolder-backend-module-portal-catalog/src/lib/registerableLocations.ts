import type { Config } from '@backstage/config';

/** Where the allowed prefixes live in app-config (beside the rest of the portal's policy). */
export const REGISTERABLE_LOCATIONS_KEY =
  'permission.portalPolicy.registerableLocations';

/**
 * Reads `permission.portalPolicy.registerableLocations`: absolute https (or, for tests and local
 * servers, http) URL prefixes ending in `/`, so that `https://github.com/acme` cannot also match
 * `https://github.com/acme-evil/…`. Throws naming the entry when one is not such a prefix.
 */
export function readRegisterableLocations(config: Config): string[] {
  const prefixes = config.getOptionalStringArray(REGISTERABLE_LOCATIONS_KEY);
  return (prefixes ?? []).map((prefix, index) => {
    const key = `${REGISTERABLE_LOCATIONS_KEY}[${index}]`;
    let url: URL;
    try {
      url = new URL(prefix);
    } catch {
      throw new Error(
        `${key}: '${prefix}' is not an absolute URL; write a prefix such as https://dev.azure.com/<organization>/`,
      );
    }
    if (
      (url.protocol !== 'https:' && url.protocol !== 'http:') ||
      !prefix.endsWith('/') ||
      url.href !== prefix
    ) {
      throw new Error(
        `${key}: '${prefix}' must be a plain http(s) URL prefix ending in '/', such as https://github.com/<organization>/`,
      );
    }
    return prefix;
  });
}

/**
 * The prefix that allows `target`, or undefined. The target is compared as the URL reader will
 * fetch it: `..` segments (and backslashes, which the URL parser reads as slashes) resolved, and
 * percent-encoded dots, slashes and backslashes in the path refused, since the catalog decodes
 * those before it matches its own rules. The query is left alone: Azure Repos file URLs carry the
 * file's path there (`?path=%2Fcatalog-info.yaml`).
 */
export function allowingPrefix(
  target: string,
  prefixes: string[],
): string | undefined {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return undefined;
  }
  if (/%2e|%2f|%5c/i.test(url.pathname) || url.username || url.password) {
    return undefined;
  }
  return prefixes.find(prefix => url.href.startsWith(prefix));
}
