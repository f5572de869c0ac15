import { formatAge, formatEarlierFailures } from './format';

describe('formatAge', () => {
  const now = new Date('2026-11-25T15:25:00Z');
  it.each([
    ['2026-11-25T15:24:30Z', '30 seconds ago'],
    ['2026-11-25T15:10:12Z', '14 minutes ago'],
    ['2026-11-25T14:02:31Z', '1 hour ago'],
    ['2026-11-22T15:25:00Z', '3 days ago'],
  ])('says %s was %s', (at, expected) => {
    expect(formatAge(at, now)).toBe(expected);
  });
});

describe('formatEarlierFailures', () => {
  const now = new Date('2026-11-25T15:25:00Z');
  const run = (job: string, at: string) => ({
    job,
    outcome: 'failed' as const,
    at,
  });

  it('names the one earlier run that failed, by its Job', () => {
    expect(
      formatEarlierFailures(
        [run('report-29926920', '2026-11-25T14:20:00Z')],
        now,
      ),
    ).toBe('report-29926920 failed 1 hour ago');
  });

  it('counts several and names the latest', () => {
    expect(
      formatEarlierFailures(
        [
          run('report-29926980', '2026-11-25T15:02:00Z'),
          run('report-29926920', '2026-11-25T14:02:00Z'),
        ],
        now,
      ),
    ).toBe('2 failed, the latest report-29926980 23 minutes ago');
  });
});
