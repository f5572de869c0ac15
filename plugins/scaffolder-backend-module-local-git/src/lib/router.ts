import express from 'express';
import type { Config } from '@backstage/config';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  LocalGitClient,
  readLocalGitConfig,
  repositoryNameProblem,
} from '@internal/plugin-local-git-node';
import { repositoryHosts, type RepositoryHost } from './repositoryHosts';

/** What `GET /api/scaffolder/repository-hosts` answers. @public */
export interface RepositoryHostsResponse {
  hosts: RepositoryHost[];
}

/**
 * Under the scaffolder's base URL, for signed-in users only:
 * - `GET /repository-hosts?allowed=<host>,<host>`: where a template may create a repository and
 *   whether the portal has credentials there. Names no secret, only whether one is set.
 * - `GET /local-git/repositories/<name>`: `{ name, exists }` on the local git server, so the form
 *   says a name is taken before anything is created; 404 when there is no local git server.
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
  const local = readLocalGitConfig(options.config);
  router.get('/local-git/repositories/:name', async (req, res, next) => {
    try {
      await options.httpAuth.credentials(req, { allow: ['user'] });
      if (!local) {
        throw new NotFoundError('No local git server is configured (localGit)');
      }
      const { name } = req.params;
      if (repositoryNameProblem(name)) {
        res.json({ name, exists: false });
        return;
      }
      const client = new LocalGitClient({ baseUrl: local.baseUrl });
      res.json({ name, exists: Boolean(await client.getRepository(name)) });
    } catch (error) {
      next(error);
    }
  });
  return router;
}
