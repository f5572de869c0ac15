import { ConfigReader } from '@backstage/config';
import { ScmIntegrations } from '@backstage/integration';
import { repositoryHosts } from './repositoryHosts';
import { parseRepoUrlWithLocalGit } from './parseRepoUrlFilter';

const local = { localGit: { baseUrl: 'http://127.0.0.1:7008', token: 't' } };
// As app-config.yaml has them: GitHub with GITHUB_TOKEN unset (the config loader drops the
// empty value), Azure DevOps without credentials.
const localDefaults = {
  ...local,
  integrations: {
    github: [{ host: 'github.com' }],
    azure: [{ host: 'dev.azure.com' }],
  },
};

describe('repositoryHosts', () => {
  it('offers the local git server first, and GitHub and Azure DevOps only with credentials, saying what to set', () => {
    const hosts = repositoryHosts(new ConfigReader(localDefaults), [
      'dev.azure.com',
      'github.com',
    ]);
    expect(hosts.map(h => [h.host, h.available])).toEqual([
      ['127.0.0.1:7008', true],
      ['dev.azure.com', false],
      ['github.com', false],
    ]);
    expect(hosts[1].missing).toBe(
      'dev.azure.com needs a personal access token: add one under integrations.azure credentials (app-config.local.yaml; AZURE_DEVOPS_TOKEN in production)',
    );
    expect(hosts[2].missing).toBe(
      'github.com needs a token with repository rights: set GITHUB_TOKEN (integrations.github)',
    );
  });

  it('offers GitHub and Azure DevOps once their tokens are set, and no local server when there is none', () => {
    const hosts = repositoryHosts(
      new ConfigReader({
        integrations: {
          github: [{ host: 'github.com', token: 'ghp_x' }],
          azure: [
            {
              host: 'dev.azure.com',
              credentials: [{ personalAccessToken: 'pat' }],
            },
          ],
        },
      }),
      ['dev.azure.com', 'github.com'],
    );
    expect(hosts.map(h => [h.host, h.available, h.missing])).toEqual([
      ['dev.azure.com', true, undefined],
      ['github.com', true, undefined],
    ]);
  });

  it('lists only the hosts the template allows', () => {
    const hosts = repositoryHosts(new ConfigReader(localDefaults), [
      'github.com',
    ]);
    expect(hosts.map(h => h.host)).toEqual(['127.0.0.1:7008', 'github.com']);
  });
});

describe('parseRepoUrl with the local git server', () => {
  const integrations = ScmIntegrations.fromConfig(
    new ConfigReader(localDefaults),
  );
  const settings = { baseUrl: 'http://127.0.0.1:7008', host: '127.0.0.1:7008' };

  it('parses the local host, and leaves every other host to the built-in', () => {
    expect(
      parseRepoUrlWithLocalGit(
        '127.0.0.1:7008?repo=shop',
        integrations,
        settings,
      ),
    ).toEqual({
      host: '127.0.0.1:7008',
      repo: 'shop',
    });
    expect(
      parseRepoUrlWithLocalGit(
        'github.com?owner=acme&repo=shop',
        integrations,
        settings,
      ),
    ).toMatchObject({ host: 'github.com', owner: 'acme', repo: 'shop' });
  });

  it('refuses a bad local repository name, and the local host when it is not configured', () => {
    expect(() =>
      parseRepoUrlWithLocalGit(
        '127.0.0.1:7008?repo=../x',
        integrations,
        settings,
      ),
    ).toThrow(/not a repository name/);
    expect(() =>
      parseRepoUrlWithLocalGit(
        '127.0.0.1:7008?repo=shop',
        integrations,
        undefined,
      ),
    ).toThrow('No matching integration configuration for host 127.0.0.1:7008');
  });
});
