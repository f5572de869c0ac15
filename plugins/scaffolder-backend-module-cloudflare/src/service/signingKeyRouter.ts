import express from 'express';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { SigningKeyVault } from '../lib/signingKeys';

/** Where the scaffolder serves the one-time reveal, below `/api/scaffolder`. */
export const SIGNING_KEY_REVEAL_PATH = '/cloudflare/signing-keys';

/**
 * `GET /api/scaffolder/cloudflare/signing-keys/:revealId`: the generated signing key, once, to the
 * signed-in user who ran the task. Every other answer is the same 404, so that a stranger cannot
 * tell a used id from a foreign one.
 */
export function createSigningKeyRouter(options: {
  vault: SigningKeyVault;
  httpAuth: HttpAuthService;
}): express.Router {
  const router = express.Router();
  router.get(`${SIGNING_KEY_REVEAL_PATH}/:revealId`, async (req, res, next) => {
    try {
      const credentials = await options.httpAuth.credentials(req, {
        allow: ['user'],
      });
      const signingKey = await options.vault.take(
        req.params.revealId,
        credentials.principal.userEntityRef,
      );
      res.setHeader('Cache-Control', 'no-store');
      if (!signingKey) {
        res.status(404).json({
          error: {
            name: 'NotFoundError',
            message:
              'No signing key to show: it was shown already, it expired after 15 minutes, or another user ran the task. Run the redeploy template with "new signing key" to get another one',
          },
        });
        return;
      }
      res.json({ signingKey });
    } catch (error) {
      next(error);
    }
  });
  return router;
}
