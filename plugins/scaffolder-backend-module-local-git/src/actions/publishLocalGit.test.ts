import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import {
  startLocalGitServer,
  type LocalGitServer,
} from '@internal/plugin-local-git-node';
import { createPublishLocalGitAction } from './publishLocalGit';

const run = promisify(execFile);
const TOKEN = 'publish-test-token';
let root: string;
let workspace: string;
let server: LocalGitServer;

type Input = { repoUrl: string; description?: string };
type HandlerContext = Parameters<
  ReturnType<typeof createPublishLocalGitAction>['handler']
>[0];

function action(token: string | null = TOKEN) {
  return createPublishLocalGitAction({
    local: {
      baseUrl: server.url,
      host: new URL(server.url).host,
      token: token ?? undefined,
    },
    author: { name: 'Golden Path Portal', email: 'portal@example.com' },
    commitMessage: 'Initial commit',
  });
}

function context(input: Input, checkpoints?: Map<string, any>) {
  const test = createTestActionContext<Input>({ input, checkpoints });
  const ctx = { ...test.ctx, workspacePath: workspace };
  return { ...test, ctx: ctx as unknown as HandlerContext };
}

const host = () => new URL(server.url).host;

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'publish-local-root-'));
  workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'publish-local-ws-'));
  fs.writeFileSync(
    path.join(workspace, 'catalog-info.yaml'),
    'kind: Component\n',
  );
  fs.mkdirSync(path.join(workspace, 'docs'));
  fs.writeFileSync(path.join(workspace, 'docs/index.md'), '# Shop\n');
  server = await startLocalGitServer({ root, token: TOKEN, log: () => {} });
});

afterEach(async () => {
  await server.stop();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(workspace, { recursive: true, force: true });
});

describe('publish:local-git', () => {
  it('creates the repository, pushes the workspace to main, and outputs where it is', async () => {
    const { ctx, outputs, logLines } = context({
      repoUrl: `${host()}?repo=shop`,
      description: 'A shop',
    });
    await action().handler(ctx);

    expect(outputs).toEqual({
      remoteUrl: `${server.url}/shop.git`,
      repoContentsUrl: `${server.url}/shop/tree/main`,
      commitHash: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    const clone = path.join(workspace, '..', `clone-${Date.now()}`);
    await run('git', ['clone', '--quiet', `${server.url}/shop.git`, clone]);
    expect(fs.readFileSync(path.join(clone, 'docs/index.md'), 'utf8')).toBe(
      '# Shop\n',
    );
    const { stdout } = await run('git', ['log', '--format=%an <%ae> %s'], {
      cwd: clone,
    });
    expect(stdout.trim()).toBe(
      'Golden Path Portal <portal@example.com> Initial commit',
    );
    fs.rmSync(clone, { recursive: true, force: true });
    // The token never reaches the log.
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });

  it('refuses a name that exists, saying so, and leaves that repository as it was', async () => {
    await action().handler(context({ repoUrl: `${host()}?repo=shop` }).ctx);
    const before = await run('git', ['ls-remote', `${server.url}/shop.git`]);
    fs.writeFileSync(
      path.join(workspace, 'catalog-info.yaml'),
      'kind: Other\n',
    );

    await expect(
      action().handler(context({ repoUrl: `${host()}?repo=shop` }).ctx),
    ).rejects.toThrow(
      `A repository named 'shop' already exists on the local git server (${server.url}/shop.git); nothing was changed. Choose another name. The service was not published; pick another repository name (or another service name) and run the template again.`,
    );
    const after = await run('git', ['ls-remote', `${server.url}/shop.git`]);
    expect(after.stdout).toBe(before.stdout);
  });

  it('goes on where a retried task stopped instead of refusing its own repository', async () => {
    const checkpoints = new Map<string, any>();
    await action().handler(
      context({ repoUrl: `${host()}?repo=shop` }, checkpoints).ctx,
    );
    const again = context({ repoUrl: `${host()}?repo=shop` }, checkpoints);
    await action().handler(again.ctx);
    expect(again.outputs.remoteUrl).toBe(`${server.url}/shop.git`);
  });

  it.each([
    ['../escape', /not a repository name/],
    ['a/b', /not a repository name/],
    ['', /A repository name is required/],
  ])(
    'refuses the repository name %p before creating anything',
    async (repo, message) => {
      await expect(
        action().handler(
          context({ repoUrl: `${host()}?repo=${encodeURIComponent(repo)}` })
            .ctx,
        ),
      ).rejects.toThrow(message);
      expect(fs.readdirSync(root)).toEqual([]);
    },
  );

  it('refuses a repository of another host', async () => {
    await expect(
      action().handler(
        context({ repoUrl: 'github.com?owner=acme&repo=shop' }).ctx,
      ),
    ).rejects.toThrow(
      `github.com?owner=acme&repo=shop is not on the local git server (${host()}); publish it with the action of its host`,
    );
  });

  it('says how to fix a missing or a wrong token', async () => {
    await expect(
      action(null).handler(context({ repoUrl: `${host()}?repo=shop` }).ctx),
    ).rejects.toThrow(/localGit.token is empty.*\.\/scripts\/start\.sh/);
    await expect(
      action('stale').handler(context({ repoUrl: `${host()}?repo=shop` }).ctx),
    ).rejects.toThrow(/refused the portal's token.*different LOCAL_GIT_TOKEN/);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('says the server does not answer when it is not running', async () => {
    await server.stop();
    await expect(
      action().handler(context({ repoUrl: `${host()}?repo=shop` }).ctx),
    ).rejects.toThrow(
      /does not answer at http:\/\/127\.0\.0\.1:\d+.*\.\/scripts\/start\.sh starts it/,
    );
    server = await startLocalGitServer({ root, token: TOKEN, log: () => {} });
  });
});
