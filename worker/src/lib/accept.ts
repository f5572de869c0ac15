/** The format buckets responses vary on. `original` means neither AVIF nor WebP is accepted. */
export type FormatBucket = 'avif' | 'webp' | 'original';

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

/** Parses an `Accept` header into media ranges with their q-values (RFC 9110 section 12.5.1). */
export function parseAccept(header: string | null): MediaRange[] {
  if (!header) return [];
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [range, ...params] = part.split(';').map(s => s.trim());
    const match = /^([\w.+*-]+)\/([\w.+*-]+)$/.exec(range.toLowerCase());
    if (!match) continue;
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split('=').map(s => s.trim());
      if (key.toLowerCase() === 'q') {
        const parsed = Number(value);
        q = Number.isFinite(parsed) && parsed >= 0 && parsed <= 1 ? parsed : 0;
      }
    }
    ranges.push({ type: match[1], subtype: match[2], q });
  }
  return ranges;
}

/** The q-value the client gives `type/subtype`, using the most specific matching range. */
function qualityFor(
  ranges: MediaRange[],
  type: string,
  subtype: string,
): number {
  let best: { specificity: number; q: number } | undefined;
  for (const range of ranges) {
    let specificity: number;
    if (range.type === type && range.subtype === subtype) specificity = 2;
    else if (range.type === type && range.subtype === '*') specificity = 1;
    else if (range.type === '*' && range.subtype === '*') specificity = 0;
    else continue;
    if (!best || specificity > best.specificity)
      best = { specificity, q: range.q };
  }
  return best?.q ?? 0;
}

/**
 * Chooses the bucket for `f=auto`. Wildcards alone (`*\/*`, `image/*`) do not select AVIF or WebP:
 * browsers that send only wildcards (and old clients) get the original format, which is always safe.
 * An explicit `image/avif;q=0` excludes AVIF even when `image/*` is present.
 */
export function formatBucket(header: string | null): FormatBucket {
  const ranges = parseAccept(header);
  const explicit = (subtype: string) =>
    ranges.some(r => r.type === 'image' && r.subtype === subtype && r.q > 0);
  const avif = explicit('avif') ? qualityFor(ranges, 'image', 'avif') : 0;
  const webp = explicit('webp') ? qualityFor(ranges, 'image', 'webp') : 0;
  if (avif > 0 && avif >= webp) return 'avif';
  if (webp > 0) return 'webp';
  if (avif > 0) return 'avif';
  return 'original';
}
