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
import { kubernetesResourcesReadPermission } from '@backstage/plugin-kubernetes-common';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { GoldenPathReport, GoldenPathService } from './GoldenPathService';

/** What a caller without `kubernetes.resources.read` sees instead of the deployed check. */
export const KUBERNETES_NOT_ALLOWED =
  "Cannot check: you may not read this entity's Kubernetes resources (kubernetes.resources.read), which the deployed check shows.";

/**
 * The report without the deployed check's findings, for a caller the Kubernetes tab would not
 * show them to either: the checks run with the portal's credentials and their answers are shared
 * between callers, so the caller's own permission decides what of them is returned.
 */
function withoutDeployed(report: GoldenPathReport): GoldenPathReport {
  const checks = report.checks.map(c =>
    c.id === 'deployed'
      ? {
          id: c.id,
          state: 'unavailable' as const,
          summary: KUBERNETES_NOT_ALLOWED,
          since: report.checkedAt,
        }
      : c,
  );
  return {
    ...report,
    checks,
    firstFailing: checks.find(c => c.state === 'fail')?.id,
  };
}

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
 * credentials. The deployed check is returned only to callers allowed `kubernetes.resources.read`,
 * as the Kubernetes tab shows pods only to them.
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
      const [decision, kubernetes] = await permissions.authorize(
        [
          { permission: catalogEntityReadPermission, resourceRef: entityRef },
          { permission: kubernetesResourcesReadPermission },
        ],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(`You may not read ${entityRef}.`);
      }
      const entity = await catalog.getEntityByRef(entityRef, { credentials });
      if (!entity) {
        throw new NotFoundError(`No entity ${entityRef} in the catalog.`);
      }
      const report = await service.reportFor(entity, { fresh });
      res.json(
        kubernetes.result === AuthorizeResult.ALLOW
          ? report
          : withoutDeployed(report),
      );
    };

  router.get('/entities/:kind/:namespace/:name/checks', handle(false));
  router.post('/entities/:kind/:namespace/:name/checks', handle(true));
  return router;
}
