import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import type {
  UrlReaderService,
  UrlReaderServiceReadTreeOptions,
  UrlReaderServiceReadTreeResponse,
  UrlReaderServiceReadUrlOptions,
  UrlReaderServiceReadUrlResponse,
  UrlReaderServiceSearchOptions,
  UrlReaderServiceSearchResponse,
} from '@backstage/backend-plugin-api';
import {
  ReadUrlResponseFactory,
  type ReadTreeResponseFactory,
  type ReaderFactory,
} from '@backstage/backend-defaults/urlReader';
import { InputError, NotFoundError, NotModifiedError } from '@backstage/errors';
import { readLocalGitConfig } from '../lib/config';
import { parseLocalGitUrl, type LocalGitLocation } from '../lib/urls';

const run = promisify(execFile);
const MAX_BYTES = 100 * 1024 * 1024;

/**
 * Reads files and trees from the local git server with git itself: `git ls-remote` for the
 * commit (the ETag), a shallow clone over smart HTTP for the content. URLs are the ones the
 * server shows and the publish action outputs: `<base>/<name>/tree/<branch>/<dir>` and
 * `<base>/<name>/blob/<branch>/<file>`. Reading needs no token.
 *
 * @public
 */
export class LocalGitUrlReader implements UrlReaderService {
  /** Registers the reader for `localGit.baseUrl`; none when `localGit` is not configured. */
  static factory: ReaderFactory = ({ config, treeResponseFactory }) => {
    const settings = readLocalGitConfig(config);
    if (!settings) {
      return [];
    }
    const reader = new LocalGitUrlReader({
      baseUrl: settings.baseUrl,
      treeResponseFactory,
    });
    return [{ reader, predicate: url => url.origin === settings.baseUrl }];
  };

  private readonly baseUrl: string;
  private readonly treeResponseFactory: ReadTreeResponseFactory;

  constructor(options: {
    baseUrl: string;
    treeResponseFactory: ReadTreeResponseFactory;
  }) {
    this.baseUrl = options.baseUrl;
    this.treeResponseFactory = options.treeResponseFactory;
  }

  async readUrl(
    url: string,
    options?: UrlReaderServiceReadUrlOptions,
  ): Promise<UrlReaderServiceReadUrlResponse> {
    const location = this.parse(url);
    if (!location.path) {
      throw new InputError(`${url} names a repository, not a file`);
    }
    await this.commitOf(location, url, options?.etag);
    const [data, commit] = await this.withClone(
      location,
      async (gitDir, head) => {
        try {
          const { stdout } = await run(
            'git',
            ['--git-dir', gitDir, 'show', `${head}:${location.path}`],
            { encoding: 'buffer', maxBuffer: MAX_BYTES },
          );
          return [stdout, head] as const;
        } catch {
          throw new NotFoundError(
            `${url}: no file ${location.path} in ${location.repository} at ${location.ref}`,
          );
        }
      },
    );
    return ReadUrlResponseFactory.fromReadable(Readable.from([data]), {
      etag: commit,
    });
  }

  async readTree(
    url: string,
    options?: UrlReaderServiceReadTreeOptions,
  ): Promise<UrlReaderServiceReadTreeResponse> {
    const location = this.parse(url);
    await this.commitOf(location, url, options?.etag);
    const [archive, commit] = await this.withClone(
      location,
      async (gitDir, head) => {
        const { stdout } = await run(
          'git',
          [
            '--git-dir',
            gitDir,
            'archive',
            '--format=tar',
            `--prefix=${location.repository}/`,
            head,
          ],
          { encoding: 'buffer', maxBuffer: MAX_BYTES },
        );
        return [stdout, head] as const;
      },
    );
    return this.treeResponseFactory.fromTarArchive({
      stream: Readable.from([archive]),
      subpath: location.path.replace(/\/$/, '') || undefined,
      etag: commit,
      filter: options?.filter,
    });
  }

  async search(
    url: string,
    options?: UrlReaderServiceSearchOptions,
  ): Promise<UrlReaderServiceSearchResponse> {
    const location = this.parse(url);
    const pattern = location.path;
    if (!/[*?[{]/.test(pattern)) {
      try {
        const file = await this.readUrl(url, options);
        return {
          etag: file.etag ?? '',
          files: [{ url, content: file.buffer }],
        };
      } catch (error) {
        if (error instanceof NotFoundError) {
          return { etag: '', files: [] };
        }
        throw error;
      }
    }
    await this.commitOf(location, url, options?.etag);
    const [files, commit] = await this.withClone(
      location,
      async (gitDir, head) => {
        const { stdout } = await run('git', [
          '--git-dir',
          gitDir,
          'ls-tree',
          '-r',
          '--name-only',
          head,
        ]);
        const matching = stdout
          .split('\n')
          .filter(f => f && path.posix.matchesGlob(f, pattern));
        return Promise.all(
          matching.map(async f => {
            const { stdout: content } = await run(
              'git',
              ['--git-dir', gitDir, 'show', `${head}:${f}`],
              { encoding: 'buffer', maxBuffer: MAX_BYTES },
            );
            return { f, content };
          }),
        ).then(found => [found, head] as const);
      },
    );
    const base = `${this.baseUrl}/${location.repository}/blob/${location.ref}`;
    return {
      etag: commit,
      files: files.map(({ f, content }) => ({
        url: `${base}/${f}`,
        content: async () => content,
      })),
    };
  }

  toString() {
    return `localGit{host=${new URL(this.baseUrl).host}}`;
  }

  private parse(url: string): LocalGitLocation {
    const location = parseLocalGitUrl(url, this.baseUrl);
    if (!location) {
      throw new InputError(
        `${url} is not a URL of the local git server: expected ${this.baseUrl}/<repository>/tree/<branch>/<path> or …/blob/<branch>/<file>`,
      );
    }
    return location;
  }

  /** The branch's commit over smart HTTP; NotModifiedError when it is still `etag`. */
  private async commitOf(
    location: LocalGitLocation,
    url: string,
    etag?: string,
  ): Promise<string> {
    let stdout: string;
    try {
      ({ stdout } = await run('git', [
        'ls-remote',
        this.cloneUrl(location),
        `refs/heads/${location.ref}`,
      ]));
    } catch (error) {
      throw new NotFoundError(
        `${url}: the local git server has no repository ${
          location.repository
        }, or does not answer at ${
          this.baseUrl
        } (is ./scripts/start.sh running?): ${
          (error as { stderr?: string }).stderr?.trim() ?? error
        }`,
      );
    }
    const commit = stdout.split(/\s/)[0];
    if (!commit) {
      throw new NotFoundError(
        `${url}: ${location.repository} has no branch ${location.ref}`,
      );
    }
    if (etag && etag === commit) {
      throw new NotModifiedError();
    }
    return commit;
  }

  private cloneUrl(location: LocalGitLocation) {
    return `${this.baseUrl}/${location.repository}.git`;
  }

  /** Runs `fn` on a shallow bare clone of the branch and its commit, then removes the clone. */
  private async withClone<T>(
    location: LocalGitLocation,
    fn: (gitDir: string, commit: string) => Promise<T>,
  ): Promise<T> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-git-read-'));
    try {
      await run('git', [
        'clone',
        '--quiet',
        '--bare',
        '--depth',
        '1',
        '--branch',
        location.ref,
        this.cloneUrl(location),
        dir,
      ]);
      // The branch may have moved since ls-remote: read, and name, what the clone has.
      const { stdout } = await run('git', [
        '--git-dir',
        dir,
        'rev-parse',
        'HEAD',
      ]);
      return await fn(dir, stdout.trim());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}
