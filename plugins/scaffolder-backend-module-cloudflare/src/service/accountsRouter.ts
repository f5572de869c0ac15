import express from 'express';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import type { UserEntity } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Config } from '@backstage/config';
import {
  InputError,
  NotAllowedError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  missingToken,
  normaliseGroupRef,
  readAccessConfig,
  userClaims,
} from '../lib/access';
import { createCloudflareClient } from '../lib/cloudflareClient';

/** Where the scaffolder serves the owner's Cloudflare accounts, below `/api/scaffolder`. */
export const ACCOUNTS_PATH = '/cloudflare/accounts';

/** The answer of `GET /api/scaffolder/cloudflare/accounts?owner=<group ref>`. */
export interface CloudflareAccountsResponse {
  /** The accounts the owner's token may act on, by name. */
  accounts: Array<{ id: string; name: string }>;
  /** When the portal has no token for the owner: one sentence on what to configure. */
  notConfigured?: string;
}

/**
 * Lists the Cloudflare accounts the owner group's token reaches (Cloudflare API "List Accounts",
 * GET /accounts: https://developers.cloudflare.com/api/resources/accounts/methods/list/), for the
 * form's account field, so that only accounts the portal can deploy to are offered. Only a member
 * of the owner group (as the deploy action judges it) may ask with its token; the token never
 * leaves the backend.
 */
export function createAccountsRouter(options: {
  config: Config;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
}): express.Router {
  const router = express.Router();
  const listAccounts = async (req: express.Request, res: express.Response) => {
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user'],
    });
    const raw = req.query.owner;
    if (typeof raw !== 'string' || !raw) {
      throw new InputError(
        'owner is required: the owner group picked on the first page, e.g. owner=group:default/web-team',
      );
    }
    const owner = normaliseGroupRef(raw);
    // Membership as the deploy action judges it: the memberOf relations of the user's catalog
    // entity, read with their own credentials.
    const ref = credentials.principal.userEntityRef;
    const entity = (await options.catalog.getEntityByRef(ref, {
      credentials,
    })) as UserEntity | undefined;
    const claims = userClaims({ entity, ref });
    if (!claims.has(owner)) {
      throw new NotAllowedError(
        `Only members of ${owner} may list the Cloudflare accounts its token reaches; pick a team you are a member of`,
      );
    }
    const access = readAccessConfig(options.config);
    const missing = missingToken(access, owner);
    if (missing) {
      const body: CloudflareAccountsResponse = {
        accounts: [],
        notConfigured: `No Cloudflare account can be offered: ${missing.missing}; ${missing.connect}.`,
      };
      res.json(body);
      return;
    }
    const token =
      access.teamTokens.get(owner) || (access.portalToken as string);
    const client = createCloudflareClient(token);
    const accounts: CloudflareAccountsResponse['accounts'] = [];
    try {
      // The SDK asks page after page (`page`, `per_page` up to 50) until one comes back empty.
      for await (const account of client.accounts.list({ per_page: 50 })) {
        accounts.push({ id: account.id, name: account.name });
      }
    } catch (error) {
      const status = (error as { status?: number }).status;
      throw new ServiceUnavailableError(
        status === 401 || status === 403
          ? `Cloudflare refused the token the portal has for ${owner} (HTTP ${status}) when listing its accounts: replace it in cloudflare.teamTokens (or cloudflare.apiToken) with a valid token that has Account Settings: Read`
          : `Cloudflare did not list the accounts of ${owner}'s token${
              status ? ` (HTTP ${status})` : ''
            }; try again, or type the account id`,
      );
    }
    accounts.sort((a, b) => a.name.localeCompare(b.name));
    res.json({ accounts } satisfies CloudflareAccountsResponse);
  };
  router.get(ACCOUNTS_PATH, (req, res, next) => {
    listAccounts(req, res).catch(next);
  });
  return router;
}
