import express from 'express';
import Router from 'express-promise-router';
import type {
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { GoldenPathService } from './GoldenPathService';

/** @public */
export interface RouterOptions {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  catalog: CatalogService;
  service: GoldenPathService;
}

/**
 * `GET /entities/:kind/:namespace/:name/checks`: the entity's checks (a recent answer may be
 * reused); `POST` to the same path runs them now. The request names the entity and nothing
 * else: every query is built from the entity as the catalog holds it. The caller must be allowed
 * to read the entity (`catalog.entity.read`), and the entity is read with the caller's own
 * credentials.
 *
 * @public
 */
export function createRouter(options: RouterOptions): express.Router {
  const { httpAuth, permissions, catalog, service } = options;
  const router = Router();

  const handle =
    (fresh: boolean): express.RequestHandler =>
    async (req, res) => {
      const credentials = await httpAuth.credentials(req, {
        allow: ['user', 'service'],
      });
      const { kind, namespace, name } = req.params;
      const entityRef = stringifyEntityRef({ kind, namespace, name });
      const [decision] = await permissions.authorize(
        [{ permission: catalogEntityReadPermission, resourceRef: entityRef }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(`You may not read ${entityRef}.`);
      }
      const entity = await catalog.getEntityByRef(entityRef, { credentials });
      if (!entity) {
        throw new NotFoundError(`No entity ${entityRef} in the catalog.`);
      }
      res.json(await service.reportFor(entity, { fresh }));
    };

  router.get('/entities/:kind/:namespace/:name/checks', handle(false));
  router.post('/entities/:kind/:namespace/:name/checks', handle(true));
  return router;
}
