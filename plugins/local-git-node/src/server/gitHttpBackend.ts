/*
 * Git's smart HTTP protocol, served by git's own CGI program `git http-backend`
 * (https://git-scm.com/docs/git-http-backend): this module only turns a Node request into the CGI
 * environment and the CGI answer back into a Node response. Node imports this file directly (type
 * stripping): erasable TypeScript only, nothing but `node:` imports.
 */
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest request body (a push) accepted, 200 MiB. @public */
export const MAX_GIT_REQUEST_BYTES = 200 * 1024 * 1024;

/** What {@link serveGitHttpBackend} needs besides the request. @public */
export interface GitHttpBackendOptions {
  /** The directory the repositories are in (`GIT_PROJECT_ROOT`). */
  projectRoot: string;
  /** The repository path and what follows, e.g. `/shop.git/info/refs`; checked by the caller. */
  pathInfo: string;
  /**
   * The authenticated user. `git http-backend` serves `git-receive-pack` (push) only to an
   * authenticated user; leave it out for read-only access.
   */
  remoteUser?: string;
  /** Where the CGI program's complaints go. */
  log?: (message: string) => void;
}

/** Reads a request body up to `limit` bytes; undefined when it is larger. @public */
export function readRequestBody(
  req: IncomingMessage,
  limit: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Answers one smart-HTTP request (`info/refs`, `git-upload-pack`, `git-receive-pack`) with
 * `git http-backend`. The `Authorization` header is never passed on to git.
 *
 * @public
 */
export async function serveGitHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  options: GitHttpBackendOptions,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: options.pathInfo,
    QUERY_STRING: url.search.replace(/^\?/, ''),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    CONTENT_LENGTH: String(body.length),
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
  };
  if (options.remoteUser) env.REMOTE_USER = options.remoteUser;
  for (const [key, value] of Object.entries(req.headers)) {
    if (key === 'authorization' || value === undefined) continue;
    env[`HTTP_${key.toUpperCase().replace(/-/g, '_')}`] = String(value);
  }
  const cgi = spawn('git', ['http-backend'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  cgi.stderr.on('data', (data: Buffer) =>
    options.log?.(`git http-backend: ${data.toString().trim()}`),
  );
  // git may answer (and exit) before it has read the whole body, e.g. when it refuses a push.
  cgi.stdin.on('error', () => {});
  cgi.stdin.end(body);
  let head = Buffer.alloc(0);
  let started = false;
  cgi.stdout.on('data', (chunk: Buffer) => {
    if (started) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf >= 0 ? crlf : lf;
    if (end < 0) return;
    const separator = crlf >= 0 ? 4 : 2;
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of head
      .subarray(0, end)
      .toString('latin1')
      .split(/\r?\n/)) {
      const i = line.indexOf(':');
      const key = line.slice(0, i).trim();
      const value = line.slice(i + 1).trim();
      if (key.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
      else headers[key] = value;
    }
    started = true;
    res.writeHead(status, headers);
    res.write(head.subarray(end + separator));
  });
  await new Promise<void>((resolve, reject) => {
    cgi.on('error', reject);
    cgi.on('close', code => {
      if (!started) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`git http-backend exited with ${code}`);
      } else {
        res.end();
      }
      resolve();
    });
  });
}
