import express from 'express';
import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  checkMember,
  ownerGroup,
  resourcesOf,
  TEAM_RESOURCE_KINDS,
  TeamAccess,
  TeamResourceKind,
  userClaims,
  whoGrants,
} from '../lib/teamAccess';
import type { ClientFactory } from '../lib/connect';

/** Where the scaffolder serves what an owner group may use, below `/api/scaffolder`. */
export const TEAM_RESOURCES_PATH = '/azure-pipelines/team-resources';

/**
 * The answer of `GET /api/scaffolder/azure-pipelines/team-resources?owner=<group ref>&kind=<kind>`:
 * the names `azurePipelines.teams` grants the group, for the form's pickers. Names only.
 */
export interface TeamResourcesResponse {
  owner: string;
  kind: TeamResourceKind;
  /** How the kind is called, e.g. `registry service connection`. */
  label: string;
  names: string[];
  /** Whom to ask for more, as the refusals name them. */
  grantedBy: string;
  /**
   * For organizations: those granted to the group but left out of `names` because the portal has
   * no credential for them, and one sentence saying what to configure. Absent when none is left out.
   */
  notOffered?: { names: string[]; message: string };
}

/**
 * Splits the organizations granted to a group into those the portal has a credential for and the
 * others, with the sentence the form shows for the others (the pipeline steps' own decision).
 */
function offeredOrganizations(
  connect: Pick<ClientFactory, 'organizationNotConfigured'>,
  granted: string[],
): Pick<TeamResourcesResponse, 'names' | 'notOffered'> {
  const names: string[] = [];
  const left: string[] = [];
  let connectHow: string | undefined;
  for (const organization of granted) {
    const missing = connect.organizationNotConfigured(organization);
    if (missing) {
      left.push(organization);
      connectHow = missing.connect;
    } else {
      names.push(organization);
    }
  }
  if (left.length === 0) {
    return { names };
  }
  const list = left.map(o => `'${o}'`).join(', ');
  return {
    names,
    notOffered: {
      names: left,
      message: `Not offered: ${list}, for which the portal has no Azure DevOps token; to connect ${
        left.length === 1 ? 'it' : 'them'
      }, ${connectHow}.`,
    },
  };
}

function kindOf(value: unknown): TeamResourceKind {
  if (typeof value === 'string' && value in TEAM_RESOURCE_KINDS) {
    return value as TeamResourceKind;
  }
  throw new InputError(
    `kind must be one of ${Object.keys(TEAM_RESOURCE_KINDS).join(
      ', ',
    )}, not '${String(value ?? '')}'`,
  );
}

/**
 * Answers the signed-in user with what the owner group they chose may use of one kind, if they are
 * a member of it (the catalog's memberOf relations of their User entity, read with their own
 * credentials); 403 naming the group otherwise. Organizations the portal has no credential for are
 * not offered; the answer names them and what to configure. Service principals are refused: the form asks as
 * the user.
 */
export function createTeamResourcesRouter(options: {
  access: TeamAccess;
  /** Decides which organizations the portal has a credential for. */
  connect: Pick<ClientFactory, 'organizationNotConfigured'>;
  httpAuth: HttpAuthService;
  catalog: CatalogService;
}): express.Router {
  const router = express.Router();
  router.get(TEAM_RESOURCES_PATH, async (req, res, next) => {
    try {
      const credentials = await options.httpAuth.credentials(req, {
        allow: ['user'],
      });
      const kind = kindOf(req.query.kind);
      const owner = ownerGroup(String(req.query.owner ?? ''));
      const ref = credentials.principal.userEntityRef;
      const entity = await options.catalog.getEntityByRef(ref, {
        credentials,
      });
      checkMember(
        owner,
        userClaims({ entity, ref }),
        'see the service connections and environments granted to it',
      );
      const granted = resourcesOf(options.access, owner)[kind];
      const body: TeamResourcesResponse = {
        owner,
        kind,
        label: TEAM_RESOURCE_KINDS[kind].label,
        grantedBy: whoGrants(options.access),
        ...(kind === 'organization'
          ? offeredOrganizations(options.connect, granted)
          : { names: granted }),
      };
      res.json(body);
    } catch (e) {
      next(e);
    }
  });
  return router;
}
