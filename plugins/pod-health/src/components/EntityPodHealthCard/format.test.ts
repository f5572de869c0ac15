import { formatAge } from './format';

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
