/*
 * GitHubStandIn and AzureReposStandIn on one loopback server: real git over smart HTTP
 * (`git http-backend`, through @internal/plugin-local-git-node's bridge) for clones and pushes,
 * and the pull-request REST calls the upgrade makes, answered as the services publish them.
 * Every call records `{ method, path, query, body }`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  readRequestBody,
  serveGitHttpBackend,
} from '@internal/plugin-local-git-node/server';

export type RecordedRequest = {
  method: string;
  path: string;
  query: string;
  body?: any;
};

export type PullRequest = {
  number: number;
  head: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
};

export interface GitHostStandIn {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Pull requests by repository (`owner/repo`, or `org/project/repo` on Azure). */
  pulls: Map<string, PullRequest[]>;
  /** Creates an empty bare repository; `key` as in `pulls`. Returns its path on disk. */
  createRepository(key: string): string;
  stop(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

type Route = {
  method: string;
  pattern: RegExp;
  handle: (
    m: RegExpMatchArray,
    url: URL,
    body: any,
    res: http.ServerResponse,
  ) => void;
};

export async function startGitHostStandIn(options: {
  root: string;
  /** The only token accepted, by git (basic auth password) and by both APIs. */
  token: string;
}): Promise<GitHostStandIn> {
  const { root, token } = options;
  const requests: RecordedRequest[] = [];
  const pulls = new Map<string, PullRequest[]>();
  let nextNumber = 1;

  const repoDir = (key: string) => path.join(root, `${key}.git`);
  const branchExists = (key: string, branch: string) => {
    try {
      execFileSync(
        'git',
        ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`],
        { cwd: repoDir(key), stdio: 'pipe' },
      );
      return true;
    } catch {
      return false;
    }
  };
  const listOf = (key: string) => {
    if (!pulls.has(key)) pulls.set(key, []);
    return pulls.get(key)!;
  };

  // GitHub accepts a token as Bearer or `token`, and git's basic auth with the token as password
  // (https://docs.github.com/en/rest/authentication/authenticating-to-the-rest-api). A bad one is
  // answered 401 {"message":"Bad credentials"}.
  const githubAuth = (header = '') =>
    header === `Bearer ${token}` || header === `token ${token}`;
  // Azure DevOps takes a PAT as basic auth with an empty user name
  // (https://learn.microsoft.com/en-us/azure/devops/organizations/accounts/use-personal-access-tokens-to-authenticate);
  // a bad one is answered 401.
  const basicAuth = (header = '') => {
    const m = header.match(/^Basic (.+)$/);
    if (!m) return false;
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1) === token;
  };

  const githubRoutes: Route[] = [
    // List pull requests: `head` filters by `user:ref-name`, `state` open by default
    // (https://docs.github.com/en/rest/pulls/pulls#list-pull-requests).
    {
      method: 'GET',
      pattern: /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/pulls$/,
      handle: (m, url, _b, res) => {
        const head = url.searchParams.get('head');
        const state = url.searchParams.get('state') ?? 'open';
        const items = listOf(`${m[1]}/${m[2]}`).filter(
          pr =>
            (state === 'all' || pr.state === state) &&
            (!head || `${m[1]}:${pr.head}` === head),
        );
        json(
          res,
          200,
          items.map(pr => githubPull(m[1], m[2], pr)),
        );
      },
    },
    // Create a pull request: 422 "Validation Failed" when the head branch does not exist, or an
    // open pull request from the same head to the same base exists
    // (https://docs.github.com/en/rest/pulls/pulls#create-a-pull-request).
    {
      method: 'POST',
      pattern: /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/pulls$/,
      handle: (m, _u, body, res) => {
        const key = `${m[1]}/${m[2]}`;
        if (!body?.title || !body?.head || !body?.base) {
          json(res, 422, { message: 'Validation Failed' });
          return;
        }
        if (!branchExists(key, body.head)) {
          json(res, 422, {
            message: 'Validation Failed',
            errors: [
              { resource: 'PullRequest', field: 'head', code: 'invalid' },
            ],
          });
          return;
        }
        const list = listOf(key);
        if (
          list.some(
            pr =>
              pr.state === 'open' &&
              pr.head === body.head &&
              pr.base === body.base,
          )
        ) {
          json(res, 422, {
            message: 'Validation Failed',
            errors: [
              {
                resource: 'PullRequest',
                code: 'custom',
                message: `A pull request already exists for ${m[1]}:${body.head}.`,
              },
            ],
          });
          return;
        }
        const pr: PullRequest = {
          number: nextNumber++,
          head: body.head,
          base: body.base,
          title: body.title,
          body: body.body ?? '',
          state: 'open',
        };
        list.push(pr);
        json(res, 201, githubPull(m[1], m[2], pr));
      },
    },
    // Update a pull request (https://docs.github.com/en/rest/pulls/pulls#update-a-pull-request).
    {
      method: 'PATCH',
      pattern: /^\/api\/v3\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/,
      handle: (m, _u, body, res) => {
        const pr = listOf(`${m[1]}/${m[2]}`).find(
          p => p.number === Number(m[3]),
        );
        if (!pr) {
          json(res, 404, { message: 'Not Found' });
          return;
        }
        Object.assign(pr, {
          ...(body.title !== undefined ? { title: body.title } : {}),
          ...(body.body !== undefined ? { body: body.body } : {}),
          ...(body.state !== undefined ? { state: body.state } : {}),
        });
        json(res, 200, githubPull(m[1], m[2], pr));
      },
    },
  ];

  const azureRoutes: Route[] = [
    // Get Pull Requests: `searchCriteria.sourceRefName` (full ref name) and
    // `searchCriteria.status` (default active)
    // (https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-requests/get-pull-requests).
    {
      method: 'GET',
      pattern:
        /^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/pullrequests$/,
      handle: (m, url, _b, res) => {
        const source = url.searchParams.get('searchCriteria.sourceRefName');
        const status =
          url.searchParams.get('searchCriteria.status') ?? 'active';
        const items = listOf(`${m[1]}/${m[2]}/${m[3]}`).filter(
          pr =>
            (status === 'all' ||
              (pr.state === 'open') === (status === 'active')) &&
            (!source || `refs/heads/${pr.head}` === source),
        );
        json(res, 200, { value: items.map(azurePull), count: items.length });
      },
    },
    // Create: 409 TF401179 when an active pull request for the same source and target exists
    // (https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-requests/create).
    {
      method: 'POST',
      pattern:
        /^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/pullrequests$/,
      handle: (m, _u, body, res) => {
        const key = `${m[1]}/${m[2]}/${m[3]}`;
        const head = String(body?.sourceRefName ?? '').replace(
          /^refs\/heads\//,
          '',
        );
        const base = String(body?.targetRefName ?? '').replace(
          /^refs\/heads\//,
          '',
        );
        if (!head || !base || !branchExists(key, head)) {
          json(res, 400, {
            message: `TF401398: The pull request cannot be activated because the source and/or the target branch no longer exists`,
          });
          return;
        }
        const list = listOf(key);
        if (
          list.some(
            pr => pr.state === 'open' && pr.head === head && pr.base === base,
          )
        ) {
          json(res, 409, {
            message:
              'TF401179: An active pull request for the source and target branch already exists.',
          });
          return;
        }
        const pr: PullRequest = {
          number: nextNumber++,
          head,
          base,
          title: body.title,
          body: body.description ?? '',
          state: 'open',
        };
        list.push(pr);
        json(res, 201, azurePull(pr));
      },
    },
    // Update (https://learn.microsoft.com/en-us/rest/api/azure/devops/git/pull-requests/update).
    {
      method: 'PATCH',
      pattern:
        /^\/([^/]+)\/([^/]+)\/_apis\/git\/repositories\/([^/]+)\/pullrequests\/(\d+)$/,
      handle: (m, _u, body, res) => {
        const pr = listOf(`${m[1]}/${m[2]}/${m[3]}`).find(
          p => p.number === Number(m[4]),
        );
        if (!pr) {
          json(res, 404, {
            message: `TF401180: The requested pull request was not found.`,
          });
          return;
        }
        if (body.title !== undefined) pr.title = body.title;
        if (body.description !== undefined) pr.body = body.description;
        json(res, 200, azurePull(pr));
      },
    },
  ];

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const raw =
        (await readRequestBody(req, 200 * 1024 * 1024)) ?? Buffer.alloc(0);
      const auth = req.headers.authorization;
      // git: GitHub `/<owner>/<repo>.git/...`, Azure Repos `/<org>/<project>/_git/<repo>/...`.
      const gh = url.pathname.match(/^\/([^/]+)\/([^/]+)\.git(\/.*)$/);
      const az = url.pathname.match(
        /^\/([^/]+)\/([^/]+)\/_git\/([^/]+)(\/(?:info\/refs|git-upload-pack|git-receive-pack))$/,
      );
      if (gh || az) {
        requests.push({
          method: req.method!,
          path: url.pathname,
          query: url.search,
        });
        // Private repositories: git sends the token as basic auth after a 401 challenge.
        if (!basicAuth(auth)) {
          res.writeHead(401, { 'www-authenticate': 'Basic realm="stand-in"' });
          res.end();
          return;
        }
        const key = gh ? `${gh[1]}/${gh[2]}` : `${az![1]}/${az![2]}/${az![3]}`;
        await serveGitHttpBackend(req, res, raw, {
          projectRoot: root,
          pathInfo: `/${key}.git${gh ? gh[3] : az![4]}`,
          remoteUser: 'stand-in',
        });
        return;
      }
      const body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
      requests.push({
        method: req.method!,
        path: url.pathname,
        query: url.search,
        body,
      });
      const isGitHub = url.pathname.startsWith('/api/v3/');
      for (const route of isGitHub ? githubRoutes : azureRoutes) {
        const m = url.pathname.match(route.pattern);
        if (m && route.method === req.method) {
          if (isGitHub ? !githubAuth(auth) : !basicAuth(auth)) {
            json(res, 401, {
              message: isGitHub ? 'Bad credentials' : 'Unauthorized',
            });
            return;
          }
          if (!isGitHub && url.searchParams.get('api-version') === null) {
            json(res, 400, {
              message: 'No api-version was supplied for the request.',
            });
            return;
          }
          route.handle(m, url, body, res);
          return;
        }
      }
      json(res, 404, { message: 'Not Found' });
    } catch (error) {
      if (!res.headersSent) json(res, 500, { message: String(error) });
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function githubPull(owner: string, repo: string, pr: PullRequest) {
    return {
      number: pr.number,
      state: pr.state,
      title: pr.title,
      body: pr.body,
      head: { ref: pr.head, label: `${owner}:${pr.head}` },
      base: { ref: pr.base },
      html_url: `${baseUrl}/${owner}/${repo}/pull/${pr.number}`,
    };
  }
  function azurePull(pr: PullRequest) {
    return {
      pullRequestId: pr.number,
      status: pr.state === 'open' ? 'active' : 'completed',
      title: pr.title,
      description: pr.body,
      sourceRefName: `refs/heads/${pr.head}`,
      targetRefName: `refs/heads/${pr.base}`,
    };
  }

  return {
    baseUrl,
    requests,
    pulls,
    createRepository(key) {
      const dir = repoDir(key);
      fs.mkdirSync(dir, { recursive: true });
      execFileSync('git', [
        'init',
        '--quiet',
        '--bare',
        '--initial-branch=main',
        dir,
      ]);
      return dir;
    },
    stop: () => new Promise(resolve => server.close(() => resolve())),
  };
}
