import fs from 'node:fs';
import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { parse } from 'yaml';
import { readUnconfiguredServices } from './unconfigured';

const read = (name: string) =>
  parse(fs.readFileSync(path.resolve(__dirname, '../../..', name), 'utf8'));

describe('goldenPath.unconfiguredServices in the portal configuration', () => {
  it('skips unconfigured steps with the local defaults that ./scripts/start.sh runs', () => {
    expect(
      readUnconfiguredServices(new ConfigReader(read('app-config.yaml'))),
    ).toBe('skip');
  });

  it('fails them with the production file layered on top, as the portal ships', () => {
    // Later files win, as `--config app-config.yaml --config app-config.production.yaml` reads them.
    const layered = ConfigReader.fromConfigs([
      { context: 'app-config.yaml', data: read('app-config.yaml') },
      {
        context: 'app-config.production.yaml',
        data: read('app-config.production.yaml'),
      },
    ]);
    expect(readUnconfiguredServices(layered)).toBe('fail');
  });
});
