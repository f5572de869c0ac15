import { InputError, NotAllowedError } from '@backstage/errors';
import type { Config } from '@backstage/config';
import {
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
  type UserEntity,
} from '@backstage/catalog-model';
import type { NotConfigured } from '@internal/plugin-scaffolder-portal-node';

/**
 * Who may deploy with which Cloudflare token, and who may take over a Worker the portal did not
 * create, read from `cloudflare.*` in app-config.
 */
export interface CloudflareAccessConfig {
  /** The portal's own token (`cloudflare.apiToken`), or undefined when empty. */
  portalToken?: string;
  /** Owner groups that may deploy with the portal's token (`cloudflare.portalTokenGroups`). */
  portalTokenGroups: string[];
  /** Owner group → its own token (`cloudflare.teamTokens`); an empty token is kept as ''. */
  teamTokens: Map<string, string>;
  /** Groups whose members may use `takeover` (`cloudflare.takeoverGroups`). */
  takeoverGroups: string[];
}

/** `group:default/Platform-Team` or `platform-team` → `group:default/platform-team`. */
export function normaliseGroupRef(ref: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'group', defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');
}

/** A group ref from configuration; anything else stops the backend naming the setting. */
function configGroupRef(ref: string, setting: string): string {
  let normalised: string | undefined;
  try {
    normalised = normaliseGroupRef(ref);
  } catch {
    normalised = undefined;
  }
  if (!normalised?.startsWith('group:')) {
    throw new Error(
      `${setting}: '${ref}' is not a group ref; write it as group:default/<name>`,
    );
  }
  return normalised;
}

function groupRefs(config: Config, key: string): string[] {
  return (config.getOptionalStringArray(key) ?? []).map((ref, index) =>
    configGroupRef(ref, `cloudflare.${key}[${index}]`),
  );
}

/** Reads the `cloudflare` section; throws naming the setting when a value is wrong. */
export function readAccessConfig(root: Config): CloudflareAccessConfig {
  const config = root.getOptionalConfig('cloudflare');
  const teamTokens = new Map<string, string>();
  (config?.getOptionalConfigArray('teamTokens') ?? []).forEach(
    (entry, index) => {
      const ref = configGroupRef(
        entry.getString('group'),
        `cloudflare.teamTokens[${index}].group`,
      );
      // An unset environment variable leaves the key out (or empty): kept as '' so that a deploy
      // for the group says which token is missing instead of falling back to another one.
      const token = entry.getOptional('apiToken');
      teamTokens.set(ref, typeof token === 'string' ? token : '');
    },
  );
  return {
    portalToken: config?.getOptionalString('apiToken') || undefined,
    portalTokenGroups: config ? groupRefs(config, 'portalTokenGroups') : [],
    teamTokens,
    takeoverGroups: config ? groupRefs(config, 'takeoverGroups') : [],
  };
}

/** The user's own ref and the refs of the groups the catalog lists them in, lower case. */
export function userClaims(user?: {
  entity?: UserEntity;
  ref?: string;
}): Set<string> {
  const claims = new Set<string>();
  if (user?.ref) {
    claims.add(user.ref.toLocaleLowerCase('en-US'));
  }
  for (const relation of user?.entity?.relations ?? []) {
    if (relation.type === RELATION_MEMBER_OF) {
      claims.add(relation.targetRef.toLocaleLowerCase('en-US'));
    }
  }
  // The catalog derives the relations from spec.memberOf; an entity read without its relations
  // still has the spec.
  for (const group of user?.entity?.spec?.memberOf ?? []) {
    claims.add(normaliseGroupRef(group));
  }
  return claims;
}

/** Which token a deploy uses, and why: never the token itself in logs, only this description. */
export interface ResolvedToken {
  token: string;
  /** `the token of group:default/x (cloudflare.teamTokens)` or `the portal's token`. */
  source: string;
}

/**
 * What is missing when the portal has no Cloudflare token for Workers owned by `owner`, or
 * undefined when it has one; {@link resolveApiToken} fails with the same cause.
 */
export function missingToken(
  access: CloudflareAccessConfig,
  owner: string,
): NotConfigured | undefined {
  const team = access.teamTokens.get(owner);
  if (team !== undefined) {
    return team
      ? undefined
      : {
          service: 'Cloudflare',
          missing: `the Cloudflare token of ${owner} (cloudflare.teamTokens) is empty`,
          connect:
            'set the environment variable that cloudflare.teamTokens names for it and restart the portal',
        };
  }
  if (access.portalTokenGroups.includes(owner)) {
    return access.portalToken
      ? undefined
      : {
          service: 'Cloudflare',
          missing: `${owner} deploys with the portal's Cloudflare token, and cloudflare.apiToken is empty`,
          connect:
            'set CLOUDFLARE_API_TOKEN (Workers Scripts: Edit, and Zone: Workers Routes: Edit for routes) and restart the portal',
        };
  }
  return {
    service: 'Cloudflare',
    missing: `the portal has no Cloudflare token for ${owner}`,
    connect:
      "add the group with its token to cloudflare.teamTokens, or to cloudflare.portalTokenGroups to let it use the portal's token",
  };
}

/**
 * The token for Workers owned by `owner`: the group's own token from `cloudflare.teamTokens`, or
 * the portal's token when `cloudflare.portalTokenGroups` lists the group. Anything else is refused
 * with the setting to add.
 */
export function resolveApiToken(
  access: CloudflareAccessConfig,
  owner: string,
): ResolvedToken {
  const team = access.teamTokens.get(owner);
  if (team !== undefined) {
    if (!team) {
      throw new InputError(
        `The Cloudflare token of ${owner} is empty: set the environment variable that cloudflare.teamTokens names for it, then restart the portal`,
      );
    }
    return {
      token: team,
      source: `the token of ${owner} (cloudflare.teamTokens)`,
    };
  }
  if (access.portalTokenGroups.includes(owner)) {
    if (!access.portalToken) {
      throw new InputError(
        `${owner} deploys with the portal's Cloudflare token, but cloudflare.apiToken is empty: set CLOUDFLARE_API_TOKEN`,
      );
    }
    return { token: access.portalToken, source: "the portal's token" };
  }
  throw new InputError(
    `No Cloudflare token for ${owner}: add the group with its token to cloudflare.teamTokens, or to cloudflare.portalTokenGroups to let it use the portal's token`,
  );
}

/**
 * Refuses a user who is not a member of the owner group, so that nobody deploys with another
 * team's token or changes another team's Worker. Members of takeover groups are no exception:
 * a takeover, too, is only for members of the group that owns the entity now.
 */
export function checkMayDeployFor(
  owner: string,
  claims: Set<string>,
  entityRef: string,
): void {
  if (claims.has(owner)) {
    return;
  }
  throw new NotAllowedError(
    `Only members of ${owner}, which owns ${entityRef} in the catalog, may deploy its Worker; you are signed in as ${
      [...claims][0] ?? 'nobody'
    }, a member of ${
      [...claims].slice(1).join(', ') || 'no group'
    }. Ask a member of ${owner} to deploy it, or to add you to the group`,
  );
}

/** Refuses `takeover` to anyone outside `cloudflare.takeoverGroups`. */
export function checkMayTakeOver(
  access: CloudflareAccessConfig,
  claims: Set<string>,
): void {
  if (access.takeoverGroups.some(g => claims.has(g))) {
    return;
  }
  throw new NotAllowedError(
    `takeover may only be used by members of ${
      access.takeoverGroups.join(', ') ||
      'the groups in cloudflare.takeoverGroups (none configured)'
    }`,
  );
}
