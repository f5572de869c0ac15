import { ConfigReader } from '@backstage/config';
import { DEFAULT_TIMEOUTS_MS, readWaitSettings } from './config';

describe('readWaitSettings', () => {
  it('uses the defaults when nothing is configured', () => {
    expect(readWaitSettings(new ConfigReader({}))).toEqual({
      timeoutsMs: DEFAULT_TIMEOUTS_MS,
      intervalMs: 15_000,
    });
  });

  it('reads a timeout per stage as a duration object or an ISO 8601 string', () => {
    const settings = readWaitSettings(
      new ConfigReader({
        goldenPath: {
          timeouts: { built: { minutes: 45 }, scraped: 'PT2M' },
          interval: { seconds: 5 },
        },
      }),
    );
    expect(settings.timeoutsMs.built).toBe(45 * 60_000);
    expect(settings.timeoutsMs.scraped).toBe(2 * 60_000);
    expect(settings.timeoutsMs.deployed).toBe(DEFAULT_TIMEOUTS_MS.deployed);
    expect(settings.intervalMs).toBe(5000);
  });

  it('names the setting when a timeout is not a duration', () => {
    expect(() =>
      readWaitSettings(
        new ConfigReader({ goldenPath: { timeouts: { built: 'soon' } } }),
      ),
    ).toThrow(/goldenPath\.timeouts\.built/);
  });
});
