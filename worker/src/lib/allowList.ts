/** Parses `ALLOWED_ORIGINS`: comma-separated host names, `*.example.com` for any subdomain. */
export function parseAllowList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map(entry => entry.trim().toLowerCase())
    .map(entry => entry.replace(/^https?:\/\//, '').replace(/\/.*$/, ''))
    .filter(Boolean);
}

/** True when the URL's host (with its port, if any) is on the allow-list. */
export function isAllowedHost(url: URL, allowList: string[]): boolean {
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  return allowList.some(entry => {
    if (entry.startsWith('*.')) {
      const suffix = entry.slice(1);
      return hostname.endsWith(suffix) && hostname.length > suffix.length;
    }
    return entry.includes(':') && !entry.startsWith('[')
      ? entry === host
      : entry === hostname;
  });
}
