/** Host names that always point inside a network, whatever DNS says. */
const INTERNAL_SUFFIXES = [
  '.localhost',
  '.local',
  '.internal',
  '.home.arpa',
  '.lan',
];

function ipv4Private(parts: number[]): boolean {
  const [a, b] = parts;
  return (
    a === 0 || // "this" network
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && parts[2] === 0) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a >= 224 // multicast and reserved
  );
}

function parseIpv4(host: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every(p => p <= 255) ? parts : undefined;
}

/** Expands an IPv6 literal (as the URL parser prints it, without brackets) into 8 groups. */
function parseIpv6(host: string): number[] | undefined {
  let text = host;
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (v4) {
    const parts = parseIpv4(v4[1]);
    if (!parts) return undefined;
    tail = [(parts[0] << 8) | parts[1], (parts[2] << 8) | parts[3]];
    text =
      text.slice(0, -v4[1].length - 1) +
      (text.endsWith('::' + v4[1]) ? ':' : '');
  }
  const [head, rest] = text.split('::');
  const groups = (s: string | undefined) =>
    s
      ? s
          .split(':')
          .filter(Boolean)
          .map(g => parseInt(g, 16))
      : [];
  const left = groups(head);
  const right = groups(rest);
  const fill = 8 - tail.length - left.length - right.length;
  if (fill < 0 || (rest === undefined && fill !== 0)) return undefined;
  const all = [...left, ...new Array(fill).fill(0), ...right, ...tail];
  return all.length === 8 &&
    all.every(g => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? all
    : undefined;
}

function ipv6Private(g: number[]): boolean {
  const zeroPrefix = (n: number) => g.slice(0, n).every(x => x === 0);
  if (zeroPrefix(8)) return true; // ::
  if (zeroPrefix(7) && g[7] === 1) return true; // ::1
  if (zeroPrefix(5) && g[5] === 0xffff) {
    return ipv4Private([g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff]); // IPv4-mapped
  }
  if (zeroPrefix(6)) return true; // IPv4-compatible (deprecated)
  if (g[0] === 0x64 && g[1] === 0xff9b) {
    return ipv4Private([g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff]); // NAT64
  }
  return (
    (g[0] & 0xfe00) === 0xfc00 || // unique local
    (g[0] & 0xffc0) === 0xfe80 || // link-local
    (g[0] & 0xff00) === 0xff00 || // multicast
    g[0] === 0x2002 // 6to4 can embed any IPv4 address
  );
}

/**
 * True when `hostname` (as `URL.hostname` gives it) is an IP literal in a private, loopback,
 * link-local or otherwise non-public range, or a name reserved for internal networks.
 */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[') && host.endsWith(']')) {
    const groups = parseIpv6(host.slice(1, -1));
    return groups ? ipv6Private(groups) : true;
  }
  const v4 = parseIpv4(host);
  if (v4) return ipv4Private(v4);
  if (/^[\d.]+$/.test(host) || /^0x/.test(host)) return true; // odd numeric forms: refuse
  if (host === 'localhost' || !host.includes('.')) return true;
  return INTERNAL_SUFFIXES.some(suffix => host.endsWith(suffix));
}
