/*
 * A git server on loopback for the portal's local defaults: repositories are bare git
 * repositories under one directory (kept across restarts), served over git's smart HTTP protocol
 * by `git http-backend`, created through one small JSON API. Anyone on this machine may clone;
 * creating a repository and pushing need the server's token. Nothing is ever overwritten: a name
 * that exists is refused, and pushes that rewrite or delete a branch are refused by git
 * (`receive.denyNonFastForwards`, `receive.denyDeletes`).
 *
 * Node imports this file directly (type stripping): erasable TypeScript only, nothing but `node:`
 * imports, so scripts and the browser tests' stand-ins start it without a build.
 */
import { execFile } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  MAX_GIT_REQUEST_BYTES,
  readRequestBody,
  serveGitHttpBackend,
} from './gitHttpBackend.ts';

// The CGI bridge on its own, for other stand-ins that serve git (README.md, "For other packages").
export { readRequestBody, serveGitHttpBackend } from './gitHttpBackend.ts';
import { repositoryNameProblem } from './repositoryName.ts';

const run = promisify(execFile);

/** The host names the server may listen on: loopback only. @public */
export const LOOPBACK_HOSTS: readonly string[] = [
  '127.0.0.1',
  '::1',
  'localhost',
];

/** Whether a URL's host is a loopback address. @public */
export function isLoopbackUrl(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return LOOPBACK_HOSTS.includes(host);
}

const LOOPBACK_PEERS = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];

/** Options of {@link startLocalGitServer}. @public */
export interface LocalGitServerOptions {
  /** The directory holding the repositories (`<name>.git`); created when missing. */
  root: string;
  /** The token that creating a repository and pushing need. */
  token: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** A loopback host; `127.0.0.1` unless set. Any other host is refused. */
  host?: string;
  /** Where problems are written; stderr unless set. */
  log?: (message: string) => void;
}

/** One repository as the API answers it. @public */
export interface LocalGitRepository {
  name: string;
  description: string;
  /** What `git clone` and `git push` take. */
  cloneUrl: string;
  /** The repository's files at `main`, readable in a browser. */
  webUrl: string;
}

/** A running server. @public */
export interface LocalGitServer {
  /** `http://<host>:<port>`, no trailing slash. */
  url: string;
  root: string;
  stop(): Promise<void>;
}

type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: string[],
  url: URL,
) => Promise<void>;

interface Route {
  method: string;
  path: RegExp;
  handler: Handler;
}

/**
 * Starts the git server. It refuses to listen on anything but loopback, and answers 403 to a
 * connection that does not come from loopback.
 *
 * @public
 */
export async function startLocalGitServer(
  options: LocalGitServerOptions,
): Promise<LocalGitServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK_HOSTS.includes(host)) {
    throw new Error(
      `The local git server listens on loopback only (${LOOPBACK_HOSTS.join(
        ', ',
      )}), not on '${host}': it is for this machine, not a network`,
    );
  }
  if (!options.token) {
    throw new Error(
      'The local git server needs a token for creating repositories and pushing (localGit.token, LOCAL_GIT_TOKEN)',
    );
  }
  const root = path.resolve(options.root);
  fs.mkdirSync(root, { recursive: true });
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const token = Buffer.from(options.token);

  const authorized = (req: IncomingMessage): string | undefined => {
    const [scheme, value = ''] = (req.headers.authorization ?? '').split(' ');
    let user = 'portal';
    let secret = '';
    if (scheme === 'Bearer') {
      secret = value;
    } else if (scheme === 'Basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      user = decoded.slice(0, colon) || 'git';
      secret = decoded.slice(colon + 1);
    }
    const given = Buffer.from(secret);
    return given.length === token.length && timingSafeEqual(given, token)
      ? user
      : undefined;
  };

  const repoDir = (name: string) => path.join(root, `${name}.git`);
  const exists = (name: string) =>
    fs.existsSync(path.join(repoDir(name), 'HEAD'));
  const describe = (name: string): LocalGitRepository => {
    let description = '';
    try {
      description = fs
        .readFileSync(path.join(repoDir(name), 'description'), 'utf8')
        .trim();
    } catch {
      // a repository without a description file
    }
    return {
      name,
      description: description.startsWith('Unnamed repository')
        ? ''
        : description,
      cloneUrl: `${baseUrl()}/${name}.git`,
      webUrl: `${baseUrl()}/${name}/tree/main/`,
    };
  };

  const createRepository: Handler = async (req, res) => {
    const body = await readRequestBody(req, 64 * 1024);
    if (!authorized(req)) {
      return json(res, 401, {
        message:
          'Creating a repository needs the local git server token (Authorization: Bearer <token>)',
      });
    }
    let input: { name?: unknown; description?: unknown };
    try {
      input = JSON.parse(body?.toString('utf8') || '{}');
    } catch {
      return json(res, 400, {
        message: 'The body must be JSON: {"name": "…"}',
      });
    }
    const problem = repositoryNameProblem(input.name);
    if (problem) return json(res, 400, { message: problem });
    const name = input.name as string;
    const dir = repoDir(name);
    try {
      // Not recursive: of two requests for one name, exactly one creates the directory.
      fs.mkdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        return json(res, 409, {
          message: `A repository named '${name}' already exists on the local git server (${
            describe(name).cloneUrl
          }); nothing was changed. Choose another name.`,
        });
      }
      throw error;
    }
    try {
      await run('git', [
        'init',
        '--quiet',
        '--bare',
        '--initial-branch=main',
        dir,
      ]);
      for (const [key, value] of [
        ['receive.denyNonFastForwards', 'true'],
        ['receive.denyDeletes', 'true'],
      ]) {
        await run('git', ['--git-dir', dir, 'config', key, value]);
      }
      if (typeof input.description === 'string' && input.description) {
        fs.writeFileSync(
          path.join(dir, 'description'),
          `${input.description.replace(/\s+/g, ' ').slice(0, 500)}\n`,
        );
      }
    } catch (error) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return json(res, 201, describe(name));
  };

  const listRepositories: Handler = async (_req, res) => {
    const names = fs
      .readdirSync(root)
      .filter(f => f.endsWith('.git'))
      .map(f => f.slice(0, -'.git'.length))
      .filter(n => !repositoryNameProblem(n) && exists(n))
      .sort();
    return json(res, 200, { repositories: names.map(describe) });
  };

  const getRepository: Handler = async (_req, res, [name]) => {
    if (repositoryNameProblem(name) || !exists(name)) {
      return json(res, 404, { message: `No repository named '${name}'` });
    }
    return json(res, 200, describe(name));
  };

  const git: Handler = async (req, res, [name, rest], url) => {
    if (repositoryNameProblem(name) || !exists(name)) {
      return json(res, 404, { message: `No repository named '${name}'` });
    }
    const push =
      rest === '/git-receive-pack' ||
      url.searchParams.get('service') === 'git-receive-pack';
    const user = authorized(req);
    if (push && !user) {
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="local git server"',
        'content-type': 'text/plain; charset=utf-8',
      });
      return void res.end('Pushing needs the local git server token');
    }
    const body = await readRequestBody(req, MAX_GIT_REQUEST_BYTES);
    if (!body) {
      return json(res, 413, {
        message: `A push is limited to ${
          MAX_GIT_REQUEST_BYTES / 1024 / 1024
        } MiB`,
      });
    }
    return serveGitHttpBackend(req, res, body, {
      projectRoot: root,
      pathInfo: `/${name}.git${rest}`,
      remoteUser: push ? user : undefined,
      log,
    });
  };

  // A look at a repository in the browser: a directory lists its entries, a file is sent as text.
  const browse: Handler = async (_req, res, [name, kind, ref, file]) => {
    if (repositoryNameProblem(name) || !exists(name)) {
      return json(res, 404, { message: `No repository named '${name}'` });
    }
    const spec = `${ref ?? 'main'}:${(file ?? '').replace(/\/$/, '')}`;
    try {
      if (kind === 'blob') {
        const { stdout } = await run(
          'git',
          ['--git-dir', repoDir(name), 'show', spec],
          { encoding: 'buffer', maxBuffer: 50 * 1024 * 1024 },
        );
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        return void res.end(stdout);
      }
      const { stdout } = await run('git', [
        '--git-dir',
        repoDir(name),
        'ls-tree',
        '--name-only',
        spec,
      ]);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return void res.end(
        `${name} at ${ref ?? 'main'}: /${file ?? ''}\nclone: git clone ${
          describe(name).cloneUrl
        }\n\n${stdout}`,
      );
    } catch {
      return json(res, 404, {
        message: `Nothing at ${spec} in '${name}' (an empty repository has no main yet)`,
      });
    }
  };

  const NAME = '([^/]+)';
  const routes: Route[] = [
    {
      method: 'GET',
      path: /^\/api\/health$/,
      handler: async (_q, r) => json(r, 200, { status: 'ok' }),
    },
    { method: 'GET', path: /^\/api\/repositories$/, handler: listRepositories },
    {
      method: 'POST',
      path: /^\/api\/repositories$/,
      handler: createRepository,
    },
    {
      method: 'GET',
      path: new RegExp(`^/api/repositories/${NAME}$`),
      handler: getRepository,
    },
    // git's smart HTTP protocol (https://git-scm.com/docs/http-protocol)
    {
      method: 'GET',
      path: new RegExp(`^/${NAME}\\.git(/info/refs)$`),
      handler: git,
    },
    {
      method: 'POST',
      path: new RegExp(`^/${NAME}\\.git(/git-upload-pack)$`),
      handler: git,
    },
    {
      method: 'POST',
      path: new RegExp(`^/${NAME}\\.git(/git-receive-pack)$`),
      handler: git,
    },
    // A clone URL opened in a browser shows the files too.
    { method: 'GET', path: /^\/([^/]+?)\.git\/?$/, handler: browse },
    { method: 'GET', path: new RegExp(`^/${NAME}$`), handler: browse },
    {
      method: 'GET',
      path: new RegExp(`^/${NAME}/(tree|blob)/([^/]+)/?(.*)$`),
      handler: browse,
    },
  ];

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const peer = req.socket.remoteAddress ?? '';
    const handle = async () => {
      if (!LOOPBACK_PEERS.includes(peer)) {
        return json(res, 403, {
          message: 'The local git server answers this machine only',
        });
      }
      let pathname: string;
      try {
        pathname = decodeURIComponent(url.pathname);
      } catch {
        return json(res, 400, {
          message: 'The path is not valid URL encoding',
        });
      }
      for (const route of routes) {
        const match = pathname.match(route.path);
        if (match && route.method === req.method) {
          return route.handler(req, res, match.slice(1), url);
        }
      }
      return json(res, 404, {
        message: `No ${req.method} ${url.pathname} here`,
      });
    };
    handle().catch(error => {
      log(`local git server: ${req.method} ${url.pathname} failed: ${error}`);
      if (!res.headersSent) json(res, 500, { message: String(error) });
      else res.destroy();
    });
  });

  function baseUrl() {
    const address = server.address() as AddressInfo;
    const h =
      address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${h}:${address.port}`;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  return {
    url: baseUrl(),
    root,
    stop: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}
