import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalGitServer, type LocalGitServer } from './localGitServer';

const run = promisify(execFile);
const TOKEN = 'test-local-git-token';
// No prompt for credentials: a refused push fails instead of waiting for a terminal.
const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '' };
const git = (args: string[], cwd?: string) =>
  run(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args],
    { cwd, env },
  );

let root: string;
let work: string;
let server: LocalGitServer;

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'local-git-root-'));
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'local-git-work-'));
  server = await startLocalGitServer({ root, token: TOKEN, log: () => {} });
});

afterEach(async () => {
  await server.stop();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

const create = (name: unknown, token: string | null = TOKEN) =>
  fetch(`${server.url}/api/repositories`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ name, description: 'A shop' }),
  });

const withToken = (name: string) =>
  `${server.url.replace('http://', `http://portal:${TOKEN}@`)}/${name}.git`;

async function commitAndPush(name: string, file: string, content: string) {
  const dir = path.join(work, `${name}-${Date.now()}`);
  fs.mkdirSync(dir);
  await git(['init', '--quiet', '--initial-branch=main'], dir);
  fs.writeFileSync(path.join(dir, file), content);
  await git(['add', '-A'], dir);
  await git(['commit', '--quiet', '-m', 'first'], dir);
  await git(['push', '--quiet', withToken(name), 'main'], dir);
  return dir;
}

describe('the local git server', () => {
  it('creates a repository that takes a push with the token, clones without one, and is still there after a restart', async () => {
    const res = await create('shop');
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      name: 'shop',
      description: 'A shop',
      cloneUrl: `${server.url}/shop.git`,
      webUrl: `${server.url}/shop/tree/main/`,
    });
    await commitAndPush('shop', 'catalog-info.yaml', 'kind: Component\n');

    // A restart is a new server on the same directory.
    await server.stop();
    server = await startLocalGitServer({ root, token: TOKEN, log: () => {} });
    const clone = path.join(work, 'clone');
    await git(['clone', '--quiet', `${server.url}/shop.git`, clone]);
    expect(fs.readFileSync(path.join(clone, 'catalog-info.yaml'), 'utf8')).toBe(
      'kind: Component\n',
    );
    const list = await (await fetch(`${server.url}/api/repositories`)).json();
    expect(list.repositories.map((r: { name: string }) => r.name)).toEqual([
      'shop',
    ]);
    const blob = await fetch(`${server.url}/shop/blob/main/catalog-info.yaml`);
    expect(await blob.text()).toBe('kind: Component\n');
  });

  it('refuses to create a repository whose name exists, and leaves its commits alone', async () => {
    expect((await create('shop')).status).toBe(201);
    await commitAndPush('shop', 'README.md', 'mine\n');
    const again = await create('shop');
    expect(again.status).toBe(409);
    expect((await again.json()).message).toBe(
      `A repository named 'shop' already exists on the local git server (${server.url}/shop.git); nothing was changed. Choose another name.`,
    );
    const { stdout } = await git([
      'ls-remote',
      `${server.url}/shop.git`,
      'refs/heads/main',
    ]);
    expect(stdout).toMatch(/^[0-9a-f]{40}\trefs\/heads\/main/);
  });

  it('refuses a push that would rewrite main', async () => {
    expect((await create('shop')).status).toBe(201);
    await commitAndPush('shop', 'README.md', 'first\n');
    await expect(
      (async () => {
        const dir = path.join(work, 'other');
        fs.mkdirSync(dir);
        await git(['init', '--quiet', '--initial-branch=main'], dir);
        fs.writeFileSync(path.join(dir, 'x'), 'x');
        await git(['add', '-A'], dir);
        await git(['commit', '--quiet', '-m', 'other'], dir);
        await git(
          ['push', '--quiet', '--force', withToken('shop'), 'main'],
          dir,
        );
      })(),
    ).rejects.toThrow(/non-fast-forward|denying/);
  });

  it.each([
    ['../escape'],
    ['a/b'],
    ['.hidden'],
    ['Shop'],
    ['shop.git'],
    ['a..b'],
    [''],
    [42],
  ])('refuses the repository name %p and creates nothing', async name => {
    const res = await create(name);
    expect(res.status).toBe(400);
    expect((await res.json()).message).toMatch(
      /repository name|ends with \.git/,
    );
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('does not serve paths that climb out of its directory', async () => {
    fs.mkdirSync(path.join(root, '..', 'outside.git'), { recursive: true });
    for (const p of [
      '/..%2Foutside.git/info/refs?service=git-upload-pack',
      '/%2e%2e/outside.git/info/refs?service=git-upload-pack',
      '/api/repositories/..%2Foutside',
    ]) {
      const res = await fetch(`${server.url}${p}`);
      expect([400, 404]).toContain(res.status);
    }
    fs.rmSync(path.join(root, '..', 'outside.git'), { recursive: true });
  });

  it('refuses to create or push without its token', async () => {
    const res = await create('shop', 'wrong');
    expect(res.status).toBe(401);
    expect((await create('shop', null)).status).toBe(401);
    expect((await create('shop')).status).toBe(201);
    const dir = path.join(work, 'anonymous');
    fs.mkdirSync(dir);
    await git(['init', '--quiet', '--initial-branch=main'], dir);
    fs.writeFileSync(path.join(dir, 'x'), 'x');
    await git(['add', '-A'], dir);
    await git(['commit', '--quiet', '-m', 'x'], dir);
    await expect(
      git(['push', '--quiet', `${server.url}/shop.git`, 'main'], dir),
    ).rejects.toThrow(/Authentication failed|could not read Username|401/);
    const refs = await git(['ls-remote', `${server.url}/shop.git`]);
    expect(refs.stdout).toBe('');
  });

  it('listens on loopback only', async () => {
    await expect(
      startLocalGitServer({ root, token: TOKEN, host: '0.0.0.0' }),
    ).rejects.toThrow(
      "The local git server listens on loopback only (127.0.0.1, ::1, localhost), not on '0.0.0.0'",
    );
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
  });

  it('does not start without a token', async () => {
    await expect(startLocalGitServer({ root, token: '' })).rejects.toThrow(
      /needs a token/,
    );
  });
});
