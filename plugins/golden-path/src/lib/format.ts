import type { GoldenPathCheckId } from '../api/GoldenPathApi';

/** The checks' names on the card. */
export const CHECK_TITLES: Record<GoldenPathCheckId, string> = {
  built: 'Built',
  deployed: 'Deployed',
  scraped: 'Scraped',
  logging: 'Logging',
  dashboard: 'Dashboard',
  alerts: 'Alerts',
};

const UNITS: [string, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** "for 3 hours", "for less than a minute": how long a state has held at `now`. */
export function formatFor(sinceIso: string, now: number): string {
  const ms = Math.max(0, now - Date.parse(sinceIso));
  for (const [unit, size] of UNITS) {
    const n = Math.floor(ms / size);
    if (n >= 1) {
      return `for ${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return 'for less than a minute';
}

/** The words of a state, with how long it has held. */
export function describeState(
  state: 'pass' | 'fail' | 'unavailable',
  sinceIso: string,
  now: number,
): string {
  const words = {
    pass: 'Holds',
    fail: 'Fails',
    unavailable: 'Cannot check',
  }[state];
  return `${words} ${formatFor(sinceIso, now)} (since ${new Date(
    sinceIso,
  ).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC)`;
}
