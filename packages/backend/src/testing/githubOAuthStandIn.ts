/*
 * GitHubOAuthStandIn: the three GitHub endpoints the portal's GitHub sign-in calls, on loopback, as
 * a GitHub Enterprise Server instance serves them (the github provider's `enterpriseInstanceUrl`):
 * the authorization page, the code exchange and the signed-in user. One OAuth App is registered
 * (client id, secret, callback URL); `approveAs` picks the GitHub user who clicks "Authorize".
 *
 * Behaviour follows GitHub's "Authorizing OAuth apps" (web application flow):
 * https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
 * and the REST API's "Get the authenticated user":
 * https://docs.github.com/en/rest/users/users#get-the-authenticated-user
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHubUser {
  login: string;
  id: number;
  name: string;
  email?: string;
}

interface Grant {
  login: string;
  redirectUri: string;
  scope: string;
  expiresAt: number;
}

type Handler = (
  req: http.IncomingMessage,
  url: URL,
  body: URLSearchParams,
) => { status: number; headers?: Record<string, string>; body?: string };

export interface GitHubOAuthStandIn {
  /** The instance's base URL: the provider's `enterpriseInstanceUrl`. */
  url: string;
  clientId: string;
  clientSecret: string;
  /** The user who approves the next authorization requests. */
  approveAs(login: string): void;
  /** Every request, in order, without secrets. */
  requests: Array<{ method: string; path: string }>;
  stop(): Promise<void>;
}

// "Authorization codes expire after 10 minutes" (web application flow, step 2).
const CODE_LIFETIME_MS = 10 * 60_000;

/**
 * The redirect URL must have the registered callback URL's host and port, and its path must be the
 * callback's path or below it ("Redirect URLs").
 */
function redirectAllowed(registered: string, requested: string): boolean {
  const a = new URL(registered);
  const b = new URL(requested);
  return (
    a.protocol === b.protocol &&
    a.host === b.host &&
    (b.pathname === a.pathname ||
      b.pathname.startsWith(`${a.pathname.replace(/\/$/, '')}/`))
  );
}

/**
 * Token endpoint answers: form-encoded by default, JSON when the client accepts it; errors are
 * HTTP 200 with an `error` field ("Troubleshooting OAuth app access token request errors").
 */
function tokenAnswer(
  req: http.IncomingMessage,
  fields: Record<string, string>,
) {
  const json = /application\/json/.test(req.headers.accept ?? '');
  return {
    status: 200,
    headers: {
      'content-type': json
        ? 'application/json; charset=utf-8'
        : 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body: json
      ? JSON.stringify(fields)
      : new URLSearchParams(fields).toString(),
  };
}

export async function startGitHubOAuthStandIn(options: {
  /** The OAuth App's registered callback URL. */
  callbackUrl: string;
  users: GitHubUser[];
}): Promise<GitHubOAuthStandIn> {
  const clientId = `Iv1.${randomBytes(8).toString('hex')}`;
  const clientSecret = randomBytes(20).toString('hex');
  const users = new Map(options.users.map(u => [u.login, u]));
  const codes = new Map<string, Grant>();
  const tokens = new Map<string, string>();
  let approver = options.users[0]?.login;
  const requests: GitHubOAuthStandIn['requests'] = [];

  const routes: Record<string, Handler> = {
    // Step 1: GitHub shows the authorization page; the user approves and GitHub redirects back
    // with a temporary code and the caller's state.
    'GET /login/oauth/authorize': (_req, url) => {
      if (url.searchParams.get('client_id') !== clientId) {
        return { status: 404, body: 'Not Found' };
      }
      const state = url.searchParams.get('state') ?? '';
      const redirectUri =
        url.searchParams.get('redirect_uri') ?? options.callbackUrl;
      if (!redirectAllowed(options.callbackUrl, redirectUri)) {
        const back = new URL(options.callbackUrl);
        back.searchParams.set('error', 'redirect_uri_mismatch');
        back.searchParams.set(
          'error_description',
          'The redirect_uri MUST match the registered callback URL for this application.',
        );
        back.searchParams.set('state', state);
        return { status: 302, headers: { location: back.toString() } };
      }
      const code = randomBytes(10).toString('hex');
      codes.set(code, {
        login: approver,
        redirectUri,
        scope: url.searchParams.get('scope') ?? '',
        expiresAt: Date.now() + CODE_LIFETIME_MS,
      });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', state);
      return { status: 302, headers: { location: back.toString() } };
    },
    // Step 2: the app exchanges the code for a token with its client secret. A code is good once.
    'POST /login/oauth/access_token': (req, _url, body) => {
      if (
        body.get('client_id') !== clientId ||
        body.get('client_secret') !== clientSecret
      ) {
        return tokenAnswer(req, {
          error: 'incorrect_client_credentials',
          error_description:
            'The client_id and/or client_secret passed are incorrect.',
        });
      }
      const code = body.get('code') ?? '';
      const grant = codes.get(code);
      codes.delete(code);
      if (!grant || grant.expiresAt < Date.now()) {
        return tokenAnswer(req, {
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
        });
      }
      const redirectUri = body.get('redirect_uri');
      if (redirectUri && redirectUri !== grant.redirectUri) {
        return tokenAnswer(req, {
          error: 'redirect_uri_mismatch',
          error_description:
            'The redirect_uri MUST match the registered callback URL for this application.',
        });
      }
      const token = `gho_${randomBytes(18).toString('hex')}`;
      tokens.set(token, grant.login);
      return tokenAnswer(req, {
        access_token: token,
        scope: grant.scope,
        token_type: 'bearer',
      });
    },
    // Step 3: the API with the token; GitHub Enterprise Server serves the REST API under /api/v3.
    'GET /api/v3/user': req => {
      const [, token] =
        /^(?:token|bearer) (\S+)$/i.exec(req.headers.authorization ?? '') ?? [];
      const login = token ? tokens.get(token) : undefined;
      if (!login) {
        return {
          status: 401,
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({
            message: token ? 'Bad credentials' : 'Requires authentication',
            documentation_url: 'https://docs.github.com/rest',
            status: '401',
          }),
        };
      }
      const user = users.get(login)!;
      return {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({
          login: user.login,
          id: user.id,
          node_id: Buffer.from(`04:User${user.id}`).toString('base64'),
          avatar_url: `https://avatars.example.com/u/${user.id}`,
          type: 'User',
          site_admin: false,
          name: user.name,
          email: user.email ?? null,
        }),
      };
    },
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push({ method: req.method ?? 'GET', path: url.pathname });
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const route = routes[`${req.method} ${url.pathname}`];
      const answer = route
        ? route(
            req,
            url,
            new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
          )
        : { status: 404, body: JSON.stringify({ message: 'Not Found' }) };
      res.writeHead(answer.status, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    clientId,
    clientSecret,
    approveAs(login) {
      if (!users.has(login)) throw new Error(`no GitHub user ${login}`);
      approver = login;
    },
    requests,
    stop: () => new Promise(resolve => server.close(() => resolve())),
  };
}
