import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { mockServices } from '@backstage/backend-test-utils';
import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import type { UrlReaderService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { LocalGitClient } from '../lib/LocalGitClient';
import {
  startLocalGitServer,
  type LocalGitServer,
} from '../server/localGitServer';
import { LocalGitUrlReader } from './LocalGitUrlReader';

const run = promisify(execFile);
const TOKEN = 'reader-test-token';
let root: string;
let server: LocalGitServer;
let reader: UrlReaderService;

async function publish(name: string, files: Record<string, string>) {
  await new LocalGitClient({
    baseUrl: server.url,
    token: TOKEN,
  }).createRepository({ name });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-git-src-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  const git = (...args: string[]) =>
    run(
      'git',
      ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args],
      { cwd: dir },
    );
  await git('init', '--quiet', '--initial-branch=main');
  await git('add', '-A');
  await git('commit', '--quiet', '-m', 'files');
  await git(
    'push',
    '--quiet',
    `${server.url.replace('//', `//portal:${TOKEN}@`)}/${name}.git`,
    'main',
  );
  const { stdout } = await git('rev-parse', 'HEAD');
  fs.rmSync(dir, { recursive: true, force: true });
  return stdout.trim();
}

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'local-git-reader-'));
  server = await startLocalGitServer({ root, token: TOKEN, log: () => {} });
  // The URL reader the backend builds: the built-in readers plus this one, from config.
  reader = UrlReaders.default({
    config: new ConfigReader({ localGit: { baseUrl: server.url } }),
    logger: mockServices.logger.mock(),
    factories: [LocalGitUrlReader.factory],
  });
});

afterAll(async () => {
  await server.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('LocalGitUrlReader', () => {
  it('reads a file at the commit of its branch, and answers NotModified for that commit', async () => {
    const commit = await publish('shop', {
      'catalog-info.yaml': 'kind: Component\n',
    });
    const url = `${server.url}/shop/blob/main/catalog-info.yaml`;
    const file = await reader.readUrl(url);
    expect((await file.buffer()).toString()).toBe('kind: Component\n');
    expect(file.etag).toBe(commit);
    await expect(reader.readUrl(url, { etag: commit })).rejects.toThrow(
      expect.objectContaining({ name: 'NotModifiedError' }),
    );
  });

  it('reads the tree a dir:. TechDocs reference points at, and a subdirectory of it', async () => {
    const commit = await publish('docs-service', {
      'catalog-info.yaml': 'kind: Component\n',
      'mkdocs.yml': 'site_name: docs-service\n',
      'docs/index.md': '# Hello\n',
      'docs/operations.md': '# Run it\n',
    });
    // TechDocs resolves `dir:.` against the catalog file's URL.
    const base = new URL(
      '.',
      `${server.url}/docs-service/blob/main/catalog-info.yaml`,
    ).toString();
    const tree = await reader.readTree(base);
    expect(tree.etag).toBe(commit);
    const files = await tree.files();
    expect(files.map(f => f.path).sort()).toEqual([
      'catalog-info.yaml',
      'docs/index.md',
      'docs/operations.md',
      'mkdocs.yml',
    ]);
    const dir = await (
      await reader.readTree(`${server.url}/docs-service/tree/main/docs`)
    ).dir();
    expect(fs.readdirSync(dir).sort()).toEqual(['index.md', 'operations.md']);
    expect(fs.readFileSync(path.join(dir, 'index.md'), 'utf8')).toBe(
      '# Hello\n',
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('finds files by a glob', async () => {
    await publish('globbed', {
      'a.yaml': 'a',
      'nested/b.yaml': 'b',
      'c.txt': 'c',
    });
    const found = await reader.search(
      `${server.url}/globbed/blob/main/**/*.yaml`,
    );
    expect(found.files.map(f => f.url).sort()).toEqual([
      `${server.url}/globbed/blob/main/a.yaml`,
      `${server.url}/globbed/blob/main/nested/b.yaml`,
    ]);
    const top = await reader.search(`${server.url}/globbed/blob/main/*.yaml`);
    expect(
      await Promise.all(
        top.files.map(async f => (await f.content()).toString()),
      ),
    ).toEqual(['a']);
  });

  it('says which repository, branch or file is missing', async () => {
    await expect(
      reader.readUrl(`${server.url}/nothing/blob/main/x.yaml`),
    ).rejects.toThrow(/the local git server has no repository nothing/);
    await publish('onebranch', { 'x.yaml': 'x' });
    await expect(
      reader.readUrl(`${server.url}/onebranch/blob/dev/x.yaml`),
    ).rejects.toThrow('onebranch has no branch dev');
    await expect(
      reader.readUrl(`${server.url}/onebranch/blob/main/y.yaml`),
    ).rejects.toThrow('no file y.yaml in onebranch at main');
  });

  it('reads nothing when localGit is not configured', async () => {
    const unconfigured = UrlReaders.default({
      config: new ConfigReader({}),
      logger: mockServices.logger.mock(),
      factories: [LocalGitUrlReader.factory],
    });
    await expect(
      unconfigured.readUrl(`${server.url}/shop/blob/main/catalog-info.yaml`),
    ).rejects.toThrow(/not allowed/i);
  });
});
