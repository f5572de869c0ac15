import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  endUnconfigured,
  readUnconfiguredServices,
  SKIPPED,
} from './unconfigured';

const grafana = {
  service: 'Grafana',
  missing: 'grafanaProvisioning is not set',
  connect: 'set grafanaProvisioning.url and .token',
};

describe('readUnconfiguredServices', () => {
  it('fails when the configuration does not choose', () => {
    expect(readUnconfiguredServices(new ConfigReader({}))).toBe('fail');
  });

  it('reads skip and fail', () => {
    for (const mode of ['skip', 'fail']) {
      expect(
        readUnconfiguredServices(
          new ConfigReader({ goldenPath: { unconfiguredServices: mode } }),
        ),
      ).toBe(mode);
    }
  });

  it('refuses any other value, naming the two it takes', () => {
    expect(() =>
      readUnconfiguredServices(
        new ConfigReader({ goldenPath: { unconfiguredServices: 'ignore' } }),
      ),
    ).toThrow(
      "goldenPath.unconfiguredServices is 'ignore': set it to 'skip' (steps whose service is not configured are skipped) or 'fail' (they fail).",
    );
  });
});

describe('endUnconfigured', () => {
  it('logs one line saying the step was skipped and how to connect the service', () => {
    const logger = { warn: jest.fn() };
    endUnconfigured('skip', logger, grafana);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).toHaveBeenCalledWith(
      `Grafana ${SKIPPED}, as grafanaProvisioning is not set. To connect it, set grafanaProvisioning.url and .token.`,
    );
  });

  it('throws an input error naming what is missing where skipping is not allowed', () => {
    const logger = { warn: jest.fn() };
    expect(() => endUnconfigured('fail', logger, grafana)).toThrow(
      new InputError(
        'Grafana is not configured: grafanaProvisioning is not set. To connect it, set grafanaProvisioning.url and .token.',
      ),
    );
    expect(logger.warn).not.toHaveBeenCalled();
  });
});
