import express from 'express';
import Router from 'express-promise-router';
import type {
  AuthService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import type { Caller, UpgradeService } from './UpgradeService';

/**
 * The routes of docs/template-upgrades.md, for signed-in users only: what they list is read with
 * their own credentials, so the catalog's permissions apply; an upgrade is refused (403) for a
 * caller outside the owning team. A service at the current version answers 200 with result
 * `none`. The fleet command's service principal (only the subjects of `fleetSubjects`) may list
 * and upgrade every service, as the portal.
 */
export function createRouter(options: {
  httpAuth: HttpAuthService;
  auth: AuthService;
  service: UpgradeService;
  /**
   * Subjects of the service principals that may list every service and upgrade any of them, as
   * the fleet command does (`templateUpgrades.fleetSubjects`); no other service principal is let
   * in, and these only on the listing and the upgrade route.
   */
  fleetSubjects?: string[];
}): express.Router {
  const { httpAuth, service } = options;
  const fleetSubjects = new Set(options.fleetSubjects ?? []);
  const router = Router();
  router.use(express.json());

  async function caller(
    req: express.Request,
    { fleet = false }: { fleet?: boolean } = {},
  ): Promise<Caller> {
    const credentials = await httpAuth.credentials(req, {
      allow: fleet ? ['user', 'service'] : ['user'],
    });
    if (credentials.principal.type === 'service') {
      const subject = (credentials.principal as { subject: string }).subject;
      if (!fleetSubjects.has(subject)) {
        throw new NotAllowedError(
          `The service principal ${subject} may not use template upgrades; list the subject of the fleet command's token in templateUpgrades.fleetSubjects`,
        );
      }
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
    res.json({
      items: await service.list(await caller(req, { fleet: true }), template),
    });
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
      await service.upgrade(
        entityRef(req.params),
        await caller(req, { fleet: true }),
        { dryRun },
      ),
    );
  });

  return router;
}
