import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigSources } from '@backstage/config-loader';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import knexFactory from 'knex';
import { scaffolderModuleLocalGit } from './module';

const run = promisify(execFile);
const REPO_ROOT = path.resolve(__dirname, '../../..');

jest.setTimeout(60_000);

/** The configuration a backend started with these files reads, as the config loader merges it. */
async function configOf(
  files: string[],
  env: (name: string) => string | undefined,
) {
  const config = await ConfigSources.toConfig(
    ConfigSources.default({
      rootDir: REPO_ROOT,
      argv: files.flatMap(f => ['--config', path.join(REPO_ROOT, f)]),
      substitutionFunc: async name => env(name),
    }),
  );
  const data = config.get() as Record<string, any>;
  config.close();
  return data;
}

async function boot(data: Record<string, any>) {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  return startTestBackend({
    features: [
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({ data }),
      catalogServiceMock.factory({ entities: [] }),
      scaffolderPlugin,
      scaffolderModuleLocalGit,
    ],
  });
}

describe('the local git server in the portal configurations', () => {
  it('is offered first, published to and registerable with the local defaults (app-config.yaml)', async () => {
    // A newcomer's machine: start.sh's LOCAL_GIT_TOKEN, no GITHUB_TOKEN, no Azure DevOps token.
    const data = await configOf(['app-config.yaml'], name =>
      name === 'LOCAL_GIT_TOKEN' ? 'local-token' : undefined,
    );
    expect(data.localGit.baseUrl).toBe('http://127.0.0.1:7008');
    expect(data.permission.portalPolicy.registerableLocations).toContain(
      'http://127.0.0.1:7008/',
    );
    const backend = await boot(data);
    const actions = await request(backend.server).get(
      '/api/scaffolder/v2/actions',
    );
    expect(actions.body.map((a: { id: string }) => a.id)).toContain(
      'publish:local-git',
    );
    const hosts = await request(backend.server)
      .get('/api/scaffolder/repository-hosts?allowed=dev.azure.com,github.com')
      .set('authorization', mockCredentials.user.header());
    expect(
      hosts.body.hosts.map((h: { host: string; available: boolean }) => [
        h.host,
        h.available,
      ]),
    ).toEqual([
      ['127.0.0.1:7008', true],
      ['dev.azure.com', false],
      ['github.com', false],
    ]);
    await backend.stop();
  });

  it('is neither offered, published to, registerable nor started with the production configuration', async () => {
    // Every variable set (placeholders: nothing is contacted), LOCAL_GIT_TOKEN too.
    const data = await configOf(
      ['app-config.yaml', 'app-config.production.yaml'],
      name => `placeholder-${name.toLowerCase()}`,
    );
    expect(data.localGit).toBeUndefined();
    expect(
      data.permission.portalPolicy.registerableLocations.filter((p: string) =>
        /^http:\/\/(127\.|localhost|\[::1\])/.test(p),
      ),
    ).toEqual([]);
    const backend = await boot(data);
    const actions = await request(backend.server).get(
      '/api/scaffolder/v2/actions',
    );
    expect(actions.body.map((a: { id: string }) => a.id)).not.toContain(
      'publish:local-git',
    );
    const hosts = await request(backend.server)
      .get('/api/scaffolder/repository-hosts?allowed=dev.azure.com,github.com')
      .set('authorization', mockCredentials.user.header());
    expect(hosts.body.hosts.map((h: { type: string }) => h.type)).toEqual([
      'azure',
      'github',
    ]);
    const lookup = await request(backend.server)
      .get('/api/scaffolder/local-git/repositories/shop')
      .set('authorization', mockCredentials.user.header());
    expect(lookup.status).toBe(404);
    await backend.stop();

    // The server's start script refuses the production configuration.
    await expect(
      run(
        process.execPath,
        [
          '--disable-warning=MODULE_TYPELESS_PACKAGE_JSON',
          path.join(REPO_ROOT, 'plugins/local-git-node/src/serve.ts'),
          '--config',
          path.join(REPO_ROOT, 'app-config.yaml'),
          '--config',
          path.join(REPO_ROOT, 'app-config.production.yaml'),
        ],
        { cwd: REPO_ROOT, env: { ...process.env, LOCAL_GIT_TOKEN: 'x' } },
      ),
    ).rejects.toMatchObject({
      stderr: expect.stringContaining(
        'localGit is not configured: the local git server runs with the local defaults (app-config.yaml) only',
      ),
    });
  });
});
