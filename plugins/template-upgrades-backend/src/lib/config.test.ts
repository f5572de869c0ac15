import path from 'node:path';
import { ConfigReader } from '@backstage/config';
import { readTemplateUpgradesConfig } from './config';

describe('readTemplateUpgradesConfig', () => {
  const read = (repository: string) =>
    readTemplateUpgradesConfig(
      new ConfigReader({
        templateUpgrades: {
          templates: [{ name: 't', repository, path: 'templates/t' }],
          fleetSubjects: ['template-upgrades-fleet'],
        },
      }),
    );

  it('makes a local repository path absolute against the working directory, as git runs elsewhere', () => {
    expect(read('../..').templates[0].repository).toBe(path.resolve('../..'));
  });

  it('keeps git URLs as they are', () => {
    for (const url of [
      'https://github.com/contoso/portal.git',
      'git@github.com:contoso/portal.git',
      'file:///srv/git/portal.git',
    ]) {
      expect(read(url).templates[0].repository).toBe(url);
    }
  });

  it('reads the fleet subjects, none by default', () => {
    expect(read('x').fleetSubjects).toEqual(['template-upgrades-fleet']);
    expect(
      readTemplateUpgradesConfig(new ConfigReader({})).fleetSubjects,
    ).toEqual([]);
  });
});
