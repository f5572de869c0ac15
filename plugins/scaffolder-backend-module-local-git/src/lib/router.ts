import express from 'express';
import type { Config } from '@backstage/config';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { repositoryHosts, type RepositoryHost } from './repositoryHosts';

/** What `GET /api/scaffolder/repository-hosts` answers. @public */
export interface RepositoryHostsResponse {
  hosts: RepositoryHost[];
}

/**
 * `GET /repository-hosts?allowed=<host>,<host>` (under the scaffolder's base URL): where a
 * template may create a repository and whether the portal has credentials there, for signed-in
 * users only. Names no secret, only whether one is set.
 */
export function createRepositoryHostsRouter(options: {
  config: Config;
  httpAuth: HttpAuthService;
}): express.Router {
  const router = express.Router();
  router.get('/repository-hosts', async (req, res, next) => {
    try {
      await options.httpAuth.credentials(req, { allow: ['user'] });
    } catch (error) {
      next(error);
      return;
    }
    const allowed = String(req.query.allowed ?? '')
      .split(',')
      .map(h => h.trim())
      .filter(Boolean);
    const body: RepositoryHostsResponse = {
      hosts: repositoryHosts(options.config, allowed),
    };
    res.json(body);
  });
  return router;
}
