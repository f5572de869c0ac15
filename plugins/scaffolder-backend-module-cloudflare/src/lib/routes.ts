/*
 * Which Workers routes and Custom Domains can answer the same requests, following
 * https://developers.cloudflare.com/workers/configuration/routing/routes/ :
 * - a pattern is `host/path` with an optional scheme, a `*` only at the start of the host and at
 *   the end of the path ("Wildcard operators (`*`) ... at the beginning of the hostname and the end
 *   of the path");
 * - "the most specific route pattern wins", so any two patterns that match a common URL overlap:
 *   the more specific one takes part of the other's traffic;
 * - host matching is case-insensitive (routes created since 15 October 2023);
 * - "Routes can `fetch()` Custom Domains and take precedence if configured on the same hostname".
 */

/** A route pattern split into what it matches. */
export interface ParsedPattern {
  /** Lower-case host; with `hostWildcard`, the suffix after the leading `*`. */
  host: string;
  hostWildcard: boolean;
  /** Path from the first `/`; with `pathWildcard`, the prefix before the trailing `*`. */
  path: string;
  pathWildcard: boolean;
}

/** `https://Images.example.com/img/*` → host `images.example.com`, path prefix `/img/`. */
export function parsePattern(pattern: string): ParsedPattern {
  const withoutScheme = pattern.replace(/^https?:\/\//i, '');
  const slash = withoutScheme.indexOf('/');
  const hostPart = slash < 0 ? withoutScheme : withoutScheme.slice(0, slash);
  const pathPart = slash < 0 ? '/' : withoutScheme.slice(slash);
  const hostWildcard = hostPart.startsWith('*');
  const pathWildcard = pathPart.endsWith('*');
  return {
    host: (hostWildcard ? hostPart.slice(1) : hostPart).toLowerCase(),
    hostWildcard,
    path: pathWildcard ? pathPart.slice(0, -1) : pathPart,
    pathWildcard,
  };
}

/** Whether a host pattern matches the concrete host `host` (lower case). */
export function hostMatches(pattern: ParsedPattern, host: string): boolean {
  const h = host.toLowerCase();
  return pattern.hostWildcard ? h.endsWith(pattern.host) : h === pattern.host;
}

function hostsOverlap(a: ParsedPattern, b: ParsedPattern): boolean {
  if (a.hostWildcard && b.hostWildcard) {
    return a.host.endsWith(b.host) || b.host.endsWith(a.host);
  }
  if (a.hostWildcard) {
    return b.host.endsWith(a.host);
  }
  if (b.hostWildcard) {
    return a.host.endsWith(b.host);
  }
  return a.host === b.host;
}

function pathsOverlap(a: ParsedPattern, b: ParsedPattern): boolean {
  if (a.pathWildcard && b.pathWildcard) {
    return a.path.startsWith(b.path) || b.path.startsWith(a.path);
  }
  if (a.pathWildcard) {
    return b.path.startsWith(a.path);
  }
  if (b.pathWildcard) {
    return a.path.startsWith(b.path);
  }
  return a.path === b.path;
}

/** Whether some URL is matched by both patterns. */
export function patternsOverlap(a: string, b: string): boolean {
  const pa = parsePattern(a);
  const pb = parsePattern(b);
  return hostsOverlap(pa, pb) && pathsOverlap(pa, pb);
}

/** Whether two patterns match exactly the same URLs (scheme and host case aside). */
export function samePattern(a: string, b: string): boolean {
  const pa = parsePattern(a);
  const pb = parsePattern(b);
  return (
    pa.host === pb.host &&
    pa.hostWildcard === pb.hostWildcard &&
    pa.path === pb.path &&
    pa.pathWildcard === pb.pathWildcard
  );
}
