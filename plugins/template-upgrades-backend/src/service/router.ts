import express from 'express';
import Router from 'express-promise-router';
import type {
  AuthService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import type { Caller, UpgradeService } from './UpgradeService';

/**
 * The routes of docs/template-upgrades.md, for signed-in users only: what they list is read with
 * their own credentials, so the catalog's permissions apply; an upgrade is refused (403) for a
 * caller outside the owning team. A service at the current version answers 200 with result
 * `none`.
 */
export function createRouter(options: {
  httpAuth: HttpAuthService;
  auth: AuthService;
  service: UpgradeService;
}): express.Router {
  const { httpAuth, service } = options;
  const router = Router();
  router.use(express.json());

  async function caller(req: express.Request): Promise<Caller> {
    // A service principal is the fleet command with a static external-access token
    // (backend.auth.externalAccess): it acts as the portal.
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    if (credentials.principal.type === 'service') {
      return { type: 'portal', credentials };
    }
    const user = credentials as typeof credentials & {
      principal: { type: 'user'; userEntityRef: string };
    };
    return {
      type: 'user',
      userEntityRef: user.principal.userEntityRef,
      credentials,
    };
  }

  function entityRef(params: Record<string, string>) {
    return stringifyEntityRef({
      kind: params.kind,
      namespace: params.namespace,
      name: params.name,
    });
  }

  router.get('/services', async (req, res) => {
    const template = req.query.template;
    if (template !== undefined && typeof template !== 'string') {
      throw new InputError('template must be one template name');
    }
    res.json({ items: await service.list(await caller(req), template) });
  });

  router.get('/services/:namespace/:kind/:name', async (req, res) => {
    res.json(await service.get(entityRef(req.params), await caller(req)));
  });

  router.post('/services/:namespace/:kind/:name/upgrade', async (req, res) => {
    const dryRun = req.body?.dryRun;
    if (dryRun !== undefined && typeof dryRun !== 'boolean') {
      throw new InputError('dryRun must be true or false');
    }
    res.json(
      await service.upgrade(entityRef(req.params), await caller(req), {
        dryRun,
      }),
    );
  });

  return router;
}
