import type { Config } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  parseEntityRef,
  RELATION_MEMBER_OF,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';

/**
 * The kinds of resource a team is granted, the `azurePipelines.teams[]` setting that lists each,
 * and how messages name it. The only place these setting names are spelled.
 */
export const TEAM_RESOURCE_KINDS = {
  registry: {
    setting: 'registryServiceConnections',
    label: 'registry service connection',
  },
  kubernetes: {
    setting: 'kubernetesServiceConnections',
    label: 'Kubernetes service connection',
  },
  environment: { setting: 'environments', label: 'environment' },
  github: {
    setting: 'githubServiceConnections',
    label: 'GitHub service connection',
  },
  // Where a GitHub repository's pipeline is created: offered by the form, checked by Azure DevOps.
  organization: {
    setting: 'organizations',
    label: 'Azure DevOps organization',
  },
  project: { setting: 'projects', label: 'Azure DevOps project' },
  // The Docker Hub users or organisations the team's images are pushed to (`docker.io/<ns>/…`).
  dockerhub: { setting: 'dockerHubNamespaces', label: 'Docker Hub namespace' },
} as const;

/** A kind of resource a team is granted. */
export type TeamResourceKind = keyof typeof TEAM_RESOURCE_KINDS;

/** What one owner group's pipelines may use, by kind. */
export type TeamResources = Record<TeamResourceKind, string[]>;

/** `azurePipelines.teams` and `azurePipelines.grantedBy`, read and normalised. */
export interface TeamAccess {
  /** Owner group ref (lower case) → what its pipelines may use. */
  teams: Map<string, TeamResources>;
  /** Who maintains the mapping: named in every refusal as whom to ask. */
  grantedBy: string[];
}

/** `group:default/Team-A` or `team-a` → `group:default/team-a`. */
export function normaliseGroupRef(ref: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'group', defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');
}

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

/** Every kind, each with the names `read` gives for it. */
function allKinds(read: (kind: TeamResourceKind) => string[]): TeamResources {
  return Object.fromEntries(
    (Object.keys(TEAM_RESOURCE_KINDS) as TeamResourceKind[]).map(kind => [
      kind,
      read(kind),
    ]),
  ) as TeamResources;
}

/**
 * Reads `azurePipelines.teams` and `azurePipelines.grantedBy`. A wrong group ref or a group listed
 * twice stops the backend, naming the setting.
 */
export function readTeamAccess(root: Config): TeamAccess {
  const config = root.getOptionalConfig('azurePipelines');
  const teams = new Map<string, TeamResources>();
  (config?.getOptionalConfigArray('teams') ?? []).forEach((entry, index) => {
    const setting = `azurePipelines.teams[${index}]`;
    const group = configGroupRef(entry.getString('group'), `${setting}.group`);
    if (teams.has(group)) {
      throw new Error(
        `${setting}.group: ${group} is listed twice in azurePipelines.teams; merge its entries into one`,
      );
    }
    const read = (kind: TeamResourceKind) =>
      entry.getOptionalStringArray(TEAM_RESOURCE_KINDS[kind].setting) ?? [];
    teams.set(group, allKinds(read));
  });
  return {
    teams,
    grantedBy: (config?.getOptionalStringArray('grantedBy') ?? []).map(
      (ref, index) => configGroupRef(ref, `azurePipelines.grantedBy[${index}]`),
    ),
  };
}

/** Whom a refusal tells the user to ask. */
export function whoGrants(access: TeamAccess): string {
  return access.grantedBy.length > 0
    ? `${access.grantedBy.join(' or ')}, who maintain azurePipelines.teams`
    : 'the portal administrators, who maintain azurePipelines.teams';
}

/** The user's own ref and the groups the catalog lists them in, lower case. */
export function userClaims(user?: { entity?: Entity; ref?: string }): {
  ref?: string;
  groups: Set<string>;
} {
  const groups = new Set<string>();
  for (const relation of user?.entity?.relations ?? []) {
    if (relation.type === RELATION_MEMBER_OF) {
      groups.add(relation.targetRef.toLocaleLowerCase('en-US'));
    }
  }
  // The catalog derives the relations from spec.memberOf; an entity read without them has the spec.
  const memberOf = user?.entity?.spec?.memberOf;
  for (const group of Array.isArray(memberOf) ? memberOf : []) {
    if (typeof group === 'string') {
      groups.add(normaliseGroupRef(group));
    }
  }
  return { ref: user?.ref?.toLocaleLowerCase('en-US'), groups };
}

/** The owner a template passed, as a group ref; anything else is an input error. */
export function ownerGroup(owner: string): string {
  let normalised: string | undefined;
  try {
    normalised = normaliseGroupRef(owner);
  } catch {
    normalised = undefined;
  }
  if (!normalised?.startsWith('group:')) {
    throw new InputError(
      `The owner '${owner}' is not a group: the pipeline belongs to the group that owns the service, e.g. group:default/dashboards-team`,
    );
  }
  return normalised;
}

/**
 * Refuses a user who is not a member of the owner group: nobody acts with the portal's token for
 * another team. `doing` completes "may …", e.g. `authorize pipelines on its service connections`.
 */
export function checkMember(
  owner: string,
  claims: ReturnType<typeof userClaims>,
  doing: string,
): void {
  if (!claims.ref) {
    throw new NotAllowedError(
      `Only a signed-in member of ${owner} may ${doing}; this task has no signed-in user`,
    );
  }
  if (claims.groups.has(owner)) {
    return;
  }
  throw new NotAllowedError(
    `Only members of ${owner} may ${doing}; you are signed in as ${
      claims.ref
    }, a member of ${
      [...claims.groups].join(', ') || 'no group'
    }. Choose a team you belong to as the owner, or ask a member of ${owner} to add you to the group`,
  );
}

/** What the owner group may use; a group without an entry may use nothing. */
export function resourcesOf(access: TeamAccess, owner: string): TeamResources {
  return access.teams.get(owner) ?? allKinds(() => []);
}

/**
 * Refuses a service connection or environment that `azurePipelines.teams` does not grant the owner
 * group, naming it, the group, what the group may use instead and who may grant it. Names compare
 * without regard to case, as Azure DevOps compares them.
 */
export function checkGranted(
  access: TeamAccess,
  owner: string,
  kind: TeamResourceKind,
  name: string,
): void {
  const granted = resourcesOf(access, owner)[kind];
  if (
    granted.some(
      g => g.toLocaleLowerCase('en-US') === name.toLocaleLowerCase('en-US'),
    )
  ) {
    return;
  }
  const { label, setting } = TEAM_RESOURCE_KINDS[kind];
  const others = [...access.teams.entries()]
    .filter(([, r]) =>
      r[kind].some(
        g => g.toLocaleLowerCase('en-US') === name.toLocaleLowerCase('en-US'),
      ),
    )
    .map(([group]) => group);
  throw new NotAllowedError(
    `The ${label} '${name}' is not granted to ${owner}${
      others.length > 0 ? ` (it is ${others.join(', ')}'s)` : ''
    }: ${owner} may use ${
      granted.length > 0
        ? granted.map(g => `'${g}'`).join(', ')
        : `no ${label} yet`
    } (azurePipelines.teams, ${setting}). Pick one of those, or ask ${whoGrants(
      access,
    )}, to grant it to ${owner}`,
  );
}
