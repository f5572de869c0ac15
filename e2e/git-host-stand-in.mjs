// A stand-in for a GitHub host on loopback, for the browser test of the create form:
// - the REST calls `publish:github` makes (owner lookup, create repository, branch protection),
// - the contents endpoint the catalog's GitHub URL reader reads `catalog-info.yaml` through,
// - git's smart HTTP for the push and for the test's clone, served by `git http-backend` (CGI)
//   through the local git server's bridge (plugins/local-git-node).
// Every call needs the configured token. Calls it does not know are logged and answered 404.
// GET /_stand-in/requests lists the calls it served, for the test to check.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { serveGitHttpBackend } from '../plugins/local-git-node/src/server/gitHttpBackend.ts';

const run = promisify(execFile);
const NAME = /^[A-Za-z0-9_.-]+$/;

export async function startGitHost({ port = 0, token, root }) {
  fs.mkdirSync(root, { recursive: true });
  const requests = [];
  const repos = new Map(); // "owner/name" -> { id, owner, name, description, private }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(error => {
      console.error(
        `git host stand-in: ${req.method} ${req.url} failed: ${
          error.stack ?? error
        }`,
      );
      if (!res.headersSent) json(res, 500, { message: String(error) });
      else res.destroy();
    });
  });

  async function handle(req, res) {
    const url = new URL(req.url, 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/_stand-in/requests') {
      return json(res, 200, requests);
    }
    if (url.pathname.startsWith('/api/v3/')) return api(req, res, url);
    const git = url.pathname.match(/^\/([^/]+)\/([^/]+)\.git(\/.*)$/);
    if (git) return gitHttp(req, res, url, git[1], git[2], git[3]);
    unknown(req, res);
  }

  async function api(req, res, url) {
    const route = url.pathname.slice('/api/v3'.length);
    const body = await readBody(req);
    const record = { method: req.method, path: route, query: url.search };
    if (body.length) record.body = JSON.parse(body.toString('utf8'));
    requests.push(record);
    const auth = req.headers.authorization ?? '';
    if (auth !== `token ${token}` && auth !== `Bearer ${token}`) {
      return json(res, 401, { message: 'Bad credentials' });
    }
    let m;
    if (req.method === 'GET' && (m = route.match(/^\/users\/([^/]+)$/))) {
      return json(res, 200, { login: m[1], id: 1, type: 'Organization' });
    }
    if (
      req.method === 'POST' &&
      (m = route.match(/^\/orgs\/([^/]+)\/repos$/))
    ) {
      return createRepo(res, m[1], record.body ?? {});
    }
    if (
      req.method === 'GET' &&
      (m = route.match(/^\/repos\/([^/]+)\/([^/]+)$/))
    ) {
      const repo = repos.get(`${m[1]}/${m[2]}`);
      return repo
        ? json(res, 200, repoJson(repo))
        : json(res, 404, { message: 'Not Found' });
    }
    if (
      req.method === 'PUT' &&
      (m = route.match(
        /^\/repos\/([^/]+)\/([^/]+)\/branches\/([^/]+)\/protection$/,
      ))
    ) {
      if (!repos.has(`${m[1]}/${m[2]}`))
        return json(res, 404, { message: 'Not Found' });
      return json(res, 200, { url: `${baseUrl()}/api/v3${route}` });
    }
    if (
      req.method === 'GET' &&
      (m = route.match(/^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/))
    ) {
      return contents(
        req,
        res,
        m[1],
        m[2],
        decodeURIComponent(m[3]),
        url.searchParams.get('ref'),
      );
    }
    unknown(req, res);
  }

  async function createRepo(res, owner, body) {
    const name = body.name;
    if (!NAME.test(owner) || typeof name !== 'string' || !NAME.test(name)) {
      return json(res, 422, {
        message: 'Validation Failed',
        errors: [{ field: 'name', code: 'invalid' }],
      });
    }
    if (repos.has(`${owner}/${name}`)) {
      return json(res, 422, {
        message: 'Repository creation failed.',
        errors: [
          {
            resource: 'Repository',
            field: 'name',
            message: 'name already exists on this account',
          },
        ],
      });
    }
    const dir = path.join(root, owner, `${name}.git`);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    await run('git', [
      'init',
      '--quiet',
      '--bare',
      '--initial-branch=main',
      dir,
    ]);
    const repo = {
      id: repos.size + 1,
      owner,
      name,
      description: body.description ?? null,
      private: body.private === true,
    };
    repos.set(`${owner}/${name}`, repo);
    return json(res, 201, repoJson(repo));
  }

  function repoJson(repo) {
    return {
      id: repo.id,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: { login: repo.owner, type: 'Organization' },
      private: repo.private,
      description: repo.description,
      default_branch: 'main',
      html_url: `https://github.com/${repo.owner}/${repo.name}`,
      clone_url: `${baseUrl()}/${repo.owner}/${repo.name}.git`,
    };
  }

  async function contents(req, res, owner, name, file, ref) {
    if (!repos.has(`${owner}/${name}`))
      return json(res, 404, { message: 'Not Found' });
    const gitDir = path.join(root, owner, `${name}.git`);
    let data;
    try {
      const { stdout } = await run(
        'git',
        ['--git-dir', gitDir, 'show', `${ref ?? 'main'}:${file}`],
        {
          encoding: 'buffer',
          maxBuffer: 10 * 1024 * 1024,
        },
      );
      data = stdout;
    } catch {
      return json(res, 404, { message: 'Not Found' });
    }
    if ((req.headers.accept ?? '').includes('raw')) {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      return res.end(data);
    }
    return json(res, 200, {
      type: 'file',
      name: path.posix.basename(file),
      path: file,
      encoding: 'base64',
      content: data.toString('base64'),
    });
  }

  async function gitHttp(req, res, url, owner, name, rest) {
    const body = await readBody(req);
    requests.push({
      method: req.method,
      path: url.pathname,
      query: url.search,
    });
    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ');
    const [user, password] = Buffer.from(encoded ?? '', 'base64')
      .toString('utf8')
      .split(':');
    if (scheme !== 'Basic' || password !== token) {
      res.writeHead(401, {
        'www-authenticate': 'Basic realm="git host stand-in"',
      });
      return res.end('authentication required');
    }
    if (!repos.has(`${owner}/${name}`))
      return json(res, 404, { message: 'Not Found' });
    await serveGitHttpBackend(req, res, body, {
      projectRoot: root,
      pathInfo: `/${owner}/${name}.git${rest}`,
      remoteUser: user || 'git', // enables receive-pack
      log: message => console.error(message),
    });
  }

  function unknown(req, res) {
    console.error(`git host stand-in: unhandled ${req.method} ${req.url}`);
    json(res, 404, { message: 'Not Found' });
  }

  function baseUrl() {
    return `http://127.0.0.1:${server.address().port}`;
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: baseUrl(),
    stop: () =>
      new Promise(resolve => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(value));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
