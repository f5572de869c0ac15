import express from 'express';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { SigningKeyVault } from '../lib/signingKeys';

/** Where the scaffolder serves the one-time reveal, below `/api/scaffolder`. */
export const SIGNING_KEY_REVEAL_PATH = '/cloudflare/signing-keys';

/** What the reveal page needs to get the signed-in user's Backstage token in the browser. */
export interface RevealPageOptions {
  /** The auth backend's external base URL, e.g. `https://portal.example.com/api/auth`. */
  authBaseUrl: string;
  /** The sign-in providers the portal has (`auth.providers`), e.g. `guest`, `github`. */
  providers: string[];
  /** `auth.environment`, which the auth backend's refresh endpoints take as `env`. */
  environment: string;
}

const NOT_FOUND =
  'No signing key to show: it was shown already, it expired after 15 minutes, or another user ran the task. Run the redeploy template with "New signing key" to get another one';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    c =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[
        c
      ]!),
  );

/**
 * The page's script (served as a file: the backend's Content-Security-Policy allows scripts from
 * 'self' only). On the button, it asks the auth backend for the signed-in user's token the way the
 * portal's frontend does (`GET /api/auth/<provider>/refresh`, with the session cookie), then takes
 * the key with that token and shows it.
 */
const REVEAL_SCRIPT = `(() => {
  const page = document.getElementById('reveal');
  const out = document.getElementById('out');
  const say = text => { out.textContent = text; };
  document.getElementById('show').addEventListener('click', async event => {
    event.target.disabled = true;
    let token;
    for (const provider of page.dataset.providers.split(',').filter(Boolean)) {
      try {
        const res = await fetch(page.dataset.auth + '/' + provider + '/refresh?optional&env=' + encodeURIComponent(page.dataset.env), {
          credentials: 'include',
          headers: { 'X-Requested-With': 'XMLHttpRequest' },
        });
        if (!res.ok) continue;
        const body = await res.json().catch(() => ({}));
        token = body && body.backstageIdentity && body.backstageIdentity.token;
        if (token) break;
      } catch (e) {}
    }
    if (!token) {
      say('You are not signed in to the portal in this browser: sign in, then open this link again.');
      return;
    }
    const res = await fetch(location.pathname, { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      say((body.error && body.error.message) || 'The portal answered ' + res.status);
      return;
    }
    const key = document.getElementById('key');
    key.textContent = body.signingKey;
    key.hidden = false;
    say('Copy the key now, to where your site signs image URLs. It is not shown again.');
  });
})();
`;

/**
 * The one-time reveal of a signing key the deploy action generated:
 *
 * - `GET  …/cloudflare/signing-keys/:revealId`: a page with a button; it holds no key;
 * - `POST …/cloudflare/signing-keys/:revealId`: the key, once, to the signed-in user who ran the
 *   task (Backstage token in `Authorization`). A POST, so that link previews and prefetching do not
 *   use up the key. Every refusal is the same 404, so a stranger cannot tell a used id from a
 *   foreign one.
 */
export function createSigningKeyRouter(options: {
  vault: SigningKeyVault;
  httpAuth: HttpAuthService;
  page: RevealPageOptions;
}): express.Router {
  const { vault, httpAuth, page } = options;
  const router = express.Router();

  router.get(`${SIGNING_KEY_REVEAL_PATH}/-/reveal.js`, (_req, res) => {
    res.type('application/javascript').send(REVEAL_SCRIPT);
  });

  router.get(`${SIGNING_KEY_REVEAL_PATH}/:revealId`, (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Worker signing key</title></head>
<body id="reveal" data-auth="${escapeHtml(
      page.authBaseUrl,
    )}" data-providers="${escapeHtml(
      page.providers.join(','),
    )}" data-env="${escapeHtml(page.environment)}">
<h1>Signing key of your image Worker</h1>
<p>The portal generated this key and stored it only as the Worker's secret SIGNING_KEY. It can be
shown once, to the user who ran the task, within 15 minutes of the deploy.</p>
<button id="show">Show the signing key once</button>
<pre id="key" hidden></pre>
<p id="out" role="status"></p>
<script src="-/reveal.js"></script>
</body></html>`);
  });

  router.post(
    `${SIGNING_KEY_REVEAL_PATH}/:revealId`,
    async (req, res, next) => {
      try {
        const credentials = await httpAuth.credentials(req, {
          allow: ['user'],
        });
        const signingKey = await vault.take(
          req.params.revealId,
          credentials.principal.userEntityRef,
        );
        res.setHeader('Cache-Control', 'no-store');
        if (!signingKey) {
          res
            .status(404)
            .json({ error: { name: 'NotFoundError', message: NOT_FOUND } });
          return;
        }
        res.json({ signingKey });
      } catch (error) {
        next(error);
      }
    },
  );
  return router;
}
