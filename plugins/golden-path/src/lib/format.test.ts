import { describeState, formatFor } from './format';

const at = Date.parse('2026-12-07T12:00:00Z');

describe('formatFor', () => {
  it('says how long a state has held in the largest whole unit', () => {
    expect(formatFor('2026-12-07T11:59:30Z', at)).toBe(
      'for less than a minute',
    );
    expect(formatFor('2026-12-07T11:59:00Z', at)).toBe('for 1 minute');
    expect(formatFor('2026-12-07T09:10:00Z', at)).toBe('for 2 hours');
    expect(formatFor('2026-12-04T11:00:00Z', at)).toBe('for 3 days');
  });

  it('treats a since in the future (a replica clock ahead) as just now', () => {
    expect(formatFor('2026-12-07T12:00:05Z', at)).toBe(
      'for less than a minute',
    );
  });
});

describe('describeState', () => {
  it('names the state and the moment it began, in UTC', () => {
    expect(describeState('fail', '2026-12-07T11:00:00Z', at)).toBe(
      'Fails for 1 hour (since 07/12/2026, 11:00:00 UTC)',
    );
    expect(describeState('unavailable', '2026-12-07T11:58:00Z', at)).toBe(
      'Cannot check for 2 minutes (since 07/12/2026, 11:58:00 UTC)',
    );
  });
});
