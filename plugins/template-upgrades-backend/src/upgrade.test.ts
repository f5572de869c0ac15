/*
 * Upgrades through the real backend: the real scaffolder renders both versions of the template
 * (its dry-run endpoint), real git clones, merges and pushes to repositories served over smart
 * HTTP on loopback (git http-backend), and the pull requests are opened on stand-ins of GitHub's
 * and Azure Repos' APIs (src/__testUtils__/gitHostStandIn.ts). Two teams' users: only the owner's may
 * upgrade.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import knexFactory from 'knex';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { parseTemplateRecord } from '@internal/plugin-template-upgrades-common';
import { createTemplateRepo, gitIn, gitNet } from './__fixtures__/templateRepo';
import { readTemplateDir } from './__fixtures__/readTemplateDir';
import { renderOnlyTemplate } from './lib/render';
import { AzureReposPullRequests, GitHubPullRequests } from './lib/pullRequests';
import {
  startGitHostStandIn,
  GitHostStandIn,
} from './__testUtils__/gitHostStandIn';
import { upgradeFleet } from './commands/fleet';
import templateUpgradesPlugin from './index';

jest.setTimeout(120_000);

const TOKEN = 'portal-token';
const ANN = 'user:default/ann'; // team-a
const BEN = 'user:default/ben'; // team-b
const BRANCH = 'template-upgrade/svc';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'upgrade-test-'));
// The clones of the template repository the plugin makes per request, in the system's temporary
// folder (Jest's sandboxed process.env does not reach os.tmpdir(), so it cannot be redirected).
const templateClones = () =>
  new Set(
    fs
      .readdirSync(os.tmpdir())
      .filter(name => name.startsWith('template-source-svc-')),
  );
let clonesBefore: Set<string>;

/** A token of the service principal `subject` (the mock auth service reads it as that subject). */
function serviceToken(subject: string) {
  return mockCredentials.service.token({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'template-upgrades',
  });
}

function user(name: string, group: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: [group] },
    relations: [{ type: 'memberOf', targetRef: `group:default/${group}` }],
  };
}

describe('template upgrades as pull requests', () => {
  let github: GitHostStandIn;
  let azure: GitHostStandIn;
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let knex: ReturnType<typeof knexFactory>;

  type Service = {
    host: GitHostStandIn;
    key: string;
    name: string;
    location: string;
    cloneUrl: string;
    edit?: (dir: string) => void;
  };
  const services: Record<string, Service> = {};
  const pushAuth = () =>
    `http.extraHeader=Authorization: Basic ${Buffer.from(`x:${TOKEN}`).toString(
      'base64',
    )}`;

  function entityOf(o: Service) {
    return {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: o.name,
        namespace: 'default',
        annotations: {
          'backstage.io/source-location': `url:${o.location}`,
          'portal.golden-path/template-name': 'svc',
          'portal.golden-path/template-version': '1.0.0',
        },
      },
      spec: { type: 'service', owner: 'group:default/team-a' },
      relations: [{ type: 'ownedBy', targetRef: 'group:default/team-a' }],
    };
  }

  /** Renders version 1.0.0 through the scaffolder and pushes it as the repository's main. */
  async function pushService(o: Service) {
    o.host.createRepository(o.key);
    const dir = path.join(tmp, `work-${o.name}`);
    fs.mkdirSync(dir);
    const v1 = readTemplateDir(path.join(tmp, 'v1', 'templates/svc'));
    const res = await request(backend.server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header(ANN))
      .send({
        // The creation's publish step is what this test's push stands in for.
        ...v1,
        template: renderOnlyTemplate(v1.template),
        values: {
          name: o.name,
          owner: 'group:default/team-a',
          repoLocation: o.location,
          greeting: 'Hi',
        },
      });
    expect({
      status: res.status,
      body: res.status === 200 ? 'ok' : res.body,
    }).toEqual({ status: 200, body: 'ok' });
    for (const file of res.body.directoryContents) {
      const target = path.join(dir, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, Buffer.from(file.base64Content, 'base64'));
    }
    gitIn(dir, 'init', '--quiet', '--initial-branch=main');
    gitIn(dir, 'add', '-A');
    gitIn(dir, 'commit', '--quiet', '-m', 'Created from svc 1.0.0');
    if (o.edit) {
      o.edit(dir);
      gitIn(dir, 'add', '-A');
      gitIn(dir, 'commit', '--quiet', '-m', 'The team edits');
    }
    await gitNet(dir, '-c', pushAuth(), 'push', '--quiet', o.cloneUrl, 'main');
    return dir;
  }

  async function clone(url: string, branch: string) {
    const dir = fs.mkdtempSync(path.join(tmp, 'check-'));
    await gitNet(
      tmp,
      '-c',
      pushAuth(),
      'clone',
      '--quiet',
      '--branch',
      branch,
      url,
      dir,
    );
    return (file: string) =>
      fs.existsSync(path.join(dir, file))
        ? fs.readFileSync(path.join(dir, file), 'utf8')
        : undefined;
  }

  const upgrade = (name: string, as: string, body: object = {}) =>
    request(backend.server)
      .post(`/api/template-upgrades/services/default/component/${name}/upgrade`)
      .set('Authorization', mockCredentials.user.header(as))
      .send(body);

  beforeAll(async () => {
    const repo = createTemplateRepo(path.join(tmp, 'templates-repo'));
    fs.mkdirSync(path.join(tmp, 'v1'));
    gitIn(
      repo,
      'worktree',
      'add',
      '--quiet',
      path.join(tmp, 'v1'),
      'svc@1.0.0',
    );
    github = await startGitHostStandIn({
      root: path.join(tmp, 'github'),
      token: TOKEN,
    });
    azure = await startGitHostStandIn({
      root: path.join(tmp, 'azure'),
      token: TOKEN,
    });
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    const gh = new URL(github.baseUrl);
    const onGitHub = (name: string, edit?: Service['edit']): Service => ({
      host: github,
      key: `contoso/${name}`,
      name,
      location: `${github.baseUrl}/contoso/${name}/tree/main/`,
      cloneUrl: `${github.baseUrl}/contoso/${name}.git`,
      edit,
    });
    services.clean = onGitHub('svc-clean');
    services.edited = onGitHub('svc-edited', dir => {
      fs.appendFileSync(path.join(dir, 'README.md'), '\nOur own notes.\n');
      const file = path.join(dir, 'old-name.txt');
      fs.writeFileSync(
        file,
        fs
          .readFileSync(file, 'utf8')
          .replace('Line three.', 'Line three, edited by the team.'),
      );
    });
    services.conflict = {
      host: azure,
      key: 'contoso/Dashboards/svc-conflict',
      name: 'svc-conflict',
      location: `${azure.baseUrl}/contoso/Dashboards/_git/svc-conflict`,
      cloneUrl: `${azure.baseUrl}/contoso/Dashboards/_git/svc-conflict`,
      edit: dir => {
        const file = path.join(dir, 'config/app.yaml');
        fs.writeFileSync(
          file,
          fs.readFileSync(file, 'utf8').replace('replicas: 2', 'replicas: 5'),
        );
      },
    };
    const az = new URL(azure.baseUrl);
    const config = {
      integrations: {
        github: [
          {
            host: gh.host,
            apiBaseUrl: `${github.baseUrl}/api/v3`,
            token: TOKEN,
          },
        ],
        azure: [
          { host: az.host, credentials: [{ personalAccessToken: TOKEN }] },
        ],
      },
      templateUpgrades: {
        templates: [{ name: 'svc', repository: repo, path: 'templates/svc' }],
        fleetSubjects: ['template-upgrades-fleet'],
      },
    };
    backend = await startTestBackend({
      features: [
        mockServices.database.factory({ knex }),
        mockServices.rootConfig.factory({ data: config }),
        scaffolderPlugin,
        templateUpgradesPlugin,
        catalogServiceMock.factory({
          entities: [
            user('ann', 'team-a'),
            user('ben', 'team-b'),
            ...Object.values(services).map(entityOf),
          ],
        }),
      ],
    });
    for (const service of Object.values(services)) await pushService(service);
    clonesBefore = templateClones();
  });

  afterAll(async () => {
    await backend?.stop();
    await knex?.destroy();
    await github?.stop();
    await azure?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('lists every service made from the template with its version, the latest, and who may upgrade it', async () => {
    const asAnn = await request(backend.server)
      .get('/api/template-upgrades/services?template=svc')
      .set('Authorization', mockCredentials.user.header(ANN));
    expect(asAnn.status).toBe(200);
    expect(asAnn.body.items).toHaveLength(3);
    for (const item of asAnn.body.items) {
      expect(item).toMatchObject({
        template: { name: 'svc', version: '1.0.0', latest: '1.1.0' },
        state: 'behind',
        canUpgrade: true,
        owner: 'group:default/team-a',
      });
    }
    const asBen = await request(backend.server)
      .get('/api/template-upgrades/services/default/component/svc-clean')
      .set('Authorization', mockCredentials.user.header(BEN));
    expect(asBen.body).toMatchObject({
      canUpgrade: false,
      problem: expect.stringContaining('team-a'),
    });
  });

  it('refuses a user outside the owning team, and pushes nothing', async () => {
    const pushes = github.requests.filter(r =>
      r.path.endsWith('git-receive-pack'),
    ).length;
    const res = await upgrade('svc-clean', BEN);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(
      /Only members of group:default\/team-a may upgrade/,
    );
    expect(github.pulls.get('contoso/svc-clean') ?? []).toEqual([]);
    expect(
      github.requests.filter(r => r.path.endsWith('git-receive-pack')).length,
    ).toBe(pushes);
  });

  it('refuses service principals other than the fleet command, and the fleet command on other routes', async () => {
    const other = await request(backend.server)
      .get('/api/template-upgrades/services')
      .set('Authorization', `Bearer ${serviceToken('some-other-plugin')}`);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toContain(
      'templateUpgrades.fleetSubjects',
    );
    const otherUpgrade = await request(backend.server)
      .post(
        '/api/template-upgrades/services/default/component/svc-clean/upgrade',
      )
      .set('Authorization', `Bearer ${serviceToken('some-other-plugin')}`)
      .send({});
    expect(otherUpgrade.status).toBe(403);
    // Only the listing and the upgrade route let the fleet command in.
    const one = await request(backend.server)
      .get('/api/template-upgrades/services/default/component/svc-clean')
      .set(
        'Authorization',
        `Bearer ${serviceToken('template-upgrades-fleet')}`,
      );
    expect(one.status).toBe(403);
  });

  it('the fleet command lists every service with its version and shows in a dry run what each would change, pushing nothing', async () => {
    const pushes = github.requests.filter(r =>
      r.path.endsWith('git-receive-pack'),
    ).length;
    const lines = await upgradeFleet({
      baseUrl: `http://localhost:${backend.server.port()}/api/template-upgrades`,
      token: serviceToken('template-upgrades-fleet'),
      dryRun: true,
    });
    expect(lines.map(l => [l.entityRef, l.outcome]).sort()).toEqual([
      ['component:default/svc-clean', 'dry-run'],
      ['component:default/svc-conflict', 'dry-run'],
      ['component:default/svc-edited', 'dry-run'],
    ]);
    for (const line of lines) {
      expect(line.detail).toContain('svc 1.0.0 (latest 1.1.0)');
    }
    expect(
      lines.find(l => l.entityRef === 'component:default/svc-conflict')!
        .changes,
    ).toContainEqual({
      path: 'config/app.yaml',
      change: 'modified',
      conflict: true,
    });
    expect(
      github.requests.filter(r => r.path.endsWith('git-receive-pack')).length,
    ).toBe(pushes);
    const opened = [...github.pulls.values(), ...azure.pulls.values()].flat();
    expect(opened).toEqual([]);
  });

  it('the fleet command says what was wrong when the portal refuses its token', async () => {
    await expect(
      upgradeFleet({
        baseUrl: `http://localhost:${backend.server.port()}/api/template-upgrades`,
        token: serviceToken('some-other-plugin'),
      }),
    ).rejects.toThrow(
      /answered 403: The service principal some-other-plugin may not use template upgrades.*Check PORTAL_API_URL/,
    );
  });

  it('shows in a dry run what the upgrade would change, and pushes and opens nothing', async () => {
    const pushes = github.requests.filter(r =>
      r.path.endsWith('git-receive-pack'),
    ).length;
    const res = await upgrade('svc-clean', ANN, { dryRun: true });
    expect(res.body.error).toBeUndefined();
    expect(res.body.result).toBe('dry-run');
    expect(res.body.changes).toEqual(
      expect.arrayContaining([
        { path: 'NEW.md', change: 'added', conflict: false },
        { path: 'config/app.yaml', change: 'modified', conflict: false },
        {
          path: 'new-name.txt',
          change: 'renamed',
          from: 'old-name.txt',
          conflict: false,
        },
        { path: 'obsolete.txt', change: 'removed', conflict: false },
      ]),
    );
    expect(res.body.summary).toContain(
      'Three replicas and a probe path by default',
    );
    expect(
      github.requests.filter(r => r.path.endsWith('git-receive-pack')).length,
    ).toBe(pushes);
    expect(
      github.requests.some(
        r => r.method === 'POST' && r.path.endsWith('/pulls'),
      ),
    ).toBe(false);
  });

  it('opens one pull request with the template change merged into main, main untouched', async () => {
    const res = await upgrade('svc-clean', ANN);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      result: 'opened',
      pullRequest: { number: expect.any(Number) },
    });
    const pulls = github.pulls.get('contoso/svc-clean')!;
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({
      head: BRANCH,
      base: 'main',
      title: 'Upgrade svc from 1.0.0 to 1.1.0',
      state: 'open',
    });
    const branch = await clone(services.clean.cloneUrl, BRANCH);
    expect(branch('config/app.yaml')).toContain('replicas: 3');
    // The new question got its default.
    expect(branch('config/app.yaml')).toContain('probe: /health');
    expect(branch('new-name.txt')).toContain('It says Hi to svc-clean.');
    expect(branch('old-name.txt')).toBeUndefined();
    expect(branch('obsolete.txt')).toBeUndefined();
    expect(branch('NEW.md')).toBe('Added in 1.1.0 for svc-clean.\n');
    const record = parseTemplateRecord(branch('.template-record.json')!);
    expect(record).toMatchObject({
      version: '1.1.0',
      answers: { greeting: 'Hi', probePath: '/health' },
    });
    expect(branch('catalog-info.yaml')).toContain(
      'portal.golden-path/template-version: "1.1.0"',
    );
    const main = await clone(services.clean.cloneUrl, 'main');
    expect(parseTemplateRecord(main('.template-record.json')!).version).toBe(
      '1.0.0',
    );
  });

  it("keeps a team's edits, also in a file the template renamed", async () => {
    const res = await upgrade('svc-edited', ANN);
    expect(res.body.result).toBe('opened');
    const branch = await clone(services.edited.cloneUrl, BRANCH);
    expect(branch('README.md')).toContain('Our own notes.');
    expect(branch('new-name.txt')).toContain('Line three, edited by the team.');
    expect(branch('old-name.txt')).toBeUndefined();
    expect(branch('config/app.yaml')).toContain('replicas: 3');
  });

  it('commits a conflict with its markers and names it in the pull request on Azure Repos', async () => {
    const res = await upgrade('svc-conflict', ANN);
    expect(res.body.result).toBe('opened');
    expect(res.body.changes).toContainEqual({
      path: 'config/app.yaml',
      change: 'modified',
      conflict: true,
    });
    const pulls = azure.pulls.get('contoso/Dashboards/svc-conflict')!;
    expect(pulls).toHaveLength(1);
    expect(pulls[0].body).toMatch(
      /Conflicts to resolve[\s\S]*`config\/app.yaml`/,
    );
    const branch = await clone(services.conflict.cloneUrl, BRANCH);
    expect(branch('config/app.yaml')).toMatch(
      /<<<<<<< [\s\S]*replicas: 5[\s\S]*=======[\s\S]*replicas: 3[\s\S]*>>>>>>> /,
    );
    expect(
      azure.requests.find(
        r => r.method === 'POST' && r.path.endsWith('/pullrequests'),
      )?.query,
    ).toBe('?api-version=7.1');
  });

  it('updates the same pull request when run again, also after main moved on', async () => {
    const dir = path.join(tmp, 'work-svc-clean');
    fs.writeFileSync(path.join(dir, 'TEAM.md'), 'A file of the team.\n');
    gitIn(dir, 'add', '-A');
    gitIn(dir, 'commit', '--quiet', '-m', 'Team work on main');
    await gitNet(
      dir,
      '-c',
      pushAuth(),
      'push',
      '--quiet',
      services.clean.cloneUrl,
      'main',
    );
    const first = github.pulls.get('contoso/svc-clean')![0].number;
    const res = await upgrade('svc-clean', ANN);
    expect(res.body).toMatchObject({
      result: 'updated',
      pullRequest: { number: first },
    });
    expect(github.pulls.get('contoso/svc-clean')).toHaveLength(1);
    expect(github.requests.filter(r => r.method === 'PATCH')).toHaveLength(1);
    const branch = await clone(services.clean.cloneUrl, BRANCH);
    expect(branch('TEAM.md')).toBe('A file of the team.\n');
    expect(branch('config/app.yaml')).toContain('replicas: 3');
  });

  it('opens nothing for a service at the current version', async () => {
    // The team merges the pull request: main now holds 1.1.0.
    const dir = path.join(tmp, 'merge-svc-clean');
    await gitNet(
      tmp,
      '-c',
      pushAuth(),
      'clone',
      '--quiet',
      '--branch',
      BRANCH,
      services.clean.cloneUrl,
      dir,
    );
    await gitNet(
      dir,
      '-c',
      pushAuth(),
      'push',
      '--quiet',
      services.clean.cloneUrl,
      `${BRANCH}:main`,
    );
    const pullPosts = () =>
      github.requests.filter(
        r => r.method === 'POST' && r.path.endsWith('/pulls'),
      ).length;
    const posts = pullPosts();
    const res = await upgrade('svc-clean', ANN);
    expect(res.body).toMatchObject({ result: 'none', changes: [] });
    expect(pullPosts()).toBe(posts);
  });

  it('the fleet command updates the open pull requests of the services behind and leaves the current one alone', async () => {
    const lines = await upgradeFleet({
      baseUrl: `http://localhost:${backend.server.port()}/api/template-upgrades`,
      token: serviceToken('template-upgrades-fleet'),
    });
    expect(lines.map(l => [l.entityRef, l.outcome, l.detail]).sort()).toEqual([
      // The catalog has not read svc-clean's merged main yet; the record on main says it is current.
      ['component:default/svc-clean', 'none', 'svc 1.0.0 (latest 1.1.0)'],
      [
        'component:default/svc-conflict',
        'updated',
        `svc 1.0.0 (latest 1.1.0) ${
          azure.baseUrl
        }/contoso/Dashboards/_git/svc-conflict/pullrequest/${
          azure.pulls.get('contoso/Dashboards/svc-conflict')![0].number
        }`,
      ],
      [
        'component:default/svc-edited',
        'updated',
        expect.stringMatching(
          /^svc 1\.0\.0 \(latest 1\.1\.0\) http.*\/contoso\/svc-edited\/pull\/\d+$/,
        ),
      ],
    ]);
    expect(github.pulls.get('contoso/svc-edited')).toHaveLength(1);
    expect(azure.pulls.get('contoso/Dashboards/svc-conflict')).toHaveLength(1);
  });

  it('names the host and the fix when a pull-request API refuses the token, without echoing it', async () => {
    const wrong = 'not-the-token-of-this-host';
    const hosts = [
      new GitHubPullRequests({
        apiBaseUrl: `${github.baseUrl}/api/v3`,
        owner: 'contoso',
        repo: 'svc-edited',
        token: wrong,
      }),
      new AzureReposPullRequests({
        projectUrl: `${azure.baseUrl}/contoso/Dashboards`,
        repo: 'svc-conflict',
        token: wrong,
      }),
    ];
    for (const host of hosts) {
      const error = await host.findOpen(BRANCH).then(
        () => undefined,
        e => e as Error,
      );
      expect(error?.message).toMatch(
        /was refused \(401.*\); check the token of this host in the integrations config/,
      );
      expect(error?.message).not.toContain(wrong);
      await expect(
        host.create({ branch: BRANCH, base: 'main', title: 't', body: 'b' }),
      ).rejects.toThrow(/401/);
    }
  });

  it('leaves no clone of the template repository behind', () => {
    const left = [...templateClones()].filter(n => !clonesBefore.has(n));
    expect(left).toEqual([]);
  });
});
