import { InputError } from '@backstage/errors';

/*
 * The portal's marks on a Worker script are script tags: written with the create-only claim
 * (`tags` of `POST /accounts/{account_id}/workers/workers`), with every upload (`metadata.tags` of
 * `PUT /accounts/{account_id}/workers/scripts/{script_name}`) and on their own
 * (`PATCH .../workers/scripts/{script_name}/script-settings`), and read back from
 * `GET .../script-settings`, per Cloudflare's API reference:
 * https://developers.cloudflare.com/api/resources/workers/subresources/beta/subresources/workers/methods/create/
 * https://developers.cloudflare.com/api/resources/workers/subresources/scripts/methods/update/
 * https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/settings/methods/edit/
 *
 * Tags are not a security boundary (any token with Workers Scripts Edit can rewrite them); who may
 * deploy is decided from the catalog, the tags only say which entity and owner the portal last
 * deployed the script for, so that a different one is noticed.
 */

/** The catalog entity the script was deployed for: `backstage-entity=component:default/x`. */
export const ENTITY_TAG_PREFIX = 'backstage-entity=';
/** The uid of that entity, so that a later entity of the same name is told apart. */
export const UID_TAG_PREFIX = 'backstage-uid=';
/** The owner group the script was deployed for: `backstage-owner=group:default/x`. */
export const OWNER_TAG_PREFIX = 'backstage-owner=';
/** A route the portal created and that exists: `backstage-route=<zoneId>/<routeId>`. */
export const ROUTE_TAG_PREFIX = 'backstage-route=';

/**
 * At most 8 tags per script (Workers for Platforms limits,
 * https://developers.cloudflare.com/cloudflare-for-platforms/workers-for-platforms/reference/limits/,
 * and https://developers.cloudflare.com/cloudflare-for-platforms/workers-for-platforms/configuration/tags/).
 */
export const MAX_TAGS = 8;
/** "Avoid special characters like `,` and `&`" (the tags page above). */
export const FORBIDDEN_TAG_CHARACTERS = [',', '&'];

/** Tags the portal wrote before owners were recorded: a content hash `deploy-<32 hex>`. */
const LEGACY_DEPLOY_TAG = /^deploy-[0-9a-f]{32}$/;

/** Who a deploy is for, as the catalog says now. */
export interface WorkerIdentity {
  /** `component:default/shop-images`, lower case. */
  entityRef: string;
  /** `metadata.uid` of that entity in the catalog. */
  uid: string;
  /** `group:default/web-team`, lower case: `spec.owner` of that entity. */
  owner: string;
}

/** A route mark read back from the tags. */
export interface RouteMark {
  zoneId: string;
  routeId: string;
}

/** What the tags say, and the tags set by others. */
export interface ScriptMarks {
  entityRef?: string;
  uid?: string;
  owner?: string;
  routes: RouteMark[];
  /** Tags that are not the portal's, kept as they are. */
  foreign: string[];
}

const valueOf = (tags: string[], prefix: string) =>
  tags.find(t => t.startsWith(prefix))?.slice(prefix.length);

/** Splits a script's tags into the portal's marks and everyone else's tags. */
export function readMarks(tags: string[]): ScriptMarks {
  const routes: RouteMark[] = [];
  for (const tag of tags.filter(t => t.startsWith(ROUTE_TAG_PREFIX))) {
    const [zoneId, routeId] = tag.slice(ROUTE_TAG_PREFIX.length).split('/');
    if (zoneId && routeId && /^[0-9a-f]{32}$/i.test(zoneId)) {
      routes.push({ zoneId, routeId });
    }
  }
  const own = [ENTITY_TAG_PREFIX, UID_TAG_PREFIX, OWNER_TAG_PREFIX];
  return {
    entityRef: valueOf(tags, ENTITY_TAG_PREFIX),
    uid: valueOf(tags, UID_TAG_PREFIX),
    owner: valueOf(tags, OWNER_TAG_PREFIX),
    routes,
    foreign: tags.filter(
      t =>
        !own.some(p => t.startsWith(p)) &&
        !t.startsWith(ROUTE_TAG_PREFIX) &&
        !LEGACY_DEPLOY_TAG.test(t),
    ),
  };
}

/** The identity tags of a deploy: entity, uid, owner. */
export function identityTags(identity: WorkerIdentity): string[] {
  return [
    `${ENTITY_TAG_PREFIX}${identity.entityRef}`,
    `${UID_TAG_PREFIX}${identity.uid}`,
    `${OWNER_TAG_PREFIX}${identity.owner}`,
  ];
}

/** The tag marking a route that exists. */
export function routeTag(mark: RouteMark): string {
  return `${ROUTE_TAG_PREFIX}${mark.zoneId}/${mark.routeId}`;
}

/** The full tag list: others' tags first, then the identity and the route marks. */
export function composeTags(
  foreign: string[],
  identity: WorkerIdentity,
  routes: RouteMark[],
): string[] {
  return [...foreign, ...identityTags(identity), ...routes.map(routeTag)];
}

/**
 * Refuses, before anything is sent, a tag list Cloudflare's documented limits do not allow:
 * more than {@link MAX_TAGS} tags, or a tag with a character the docs say to avoid.
 */
export function checkTags(tags: string[], scriptName: string): void {
  const bad = tags.filter(t =>
    FORBIDDEN_TAG_CHARACTERS.some(c => t.includes(c)),
  );
  if (bad.length > 0) {
    throw new InputError(
      `Worker script '${scriptName}' would get tags with ${FORBIDDEN_TAG_CHARACTERS.map(
        c => `'${c}'`,
      ).join(' or ')}, which Cloudflare's tags may not contain: ${bad.join(
        '; ',
      )}. Remove those tags from the script (dashboard → the Worker → Settings → Tags)`,
    );
  }
  if (tags.length > MAX_TAGS) {
    throw new InputError(
      `Worker script '${scriptName}' would have ${
        tags.length
      } tags, over Cloudflare's limit of ${MAX_TAGS}: the portal needs ${
        tags.length - readMarks(tags).foreign.length
      } of them. Remove ${
        tags.length - MAX_TAGS
      } of the other tags (${readMarks(tags).foreign.join(
        ', ',
      )}) from the script`,
    );
  }
}

/** Whether the script may be written: `ours`, or `takeover` (allowed by the caller). */
export type ScriptClaim = 'ours' | 'takeover';

/**
 * Decides from an existing script's tags whether this deploy may write it: only when the portal
 * deployed it for the same catalog entity (same ref and uid) and the same owner group as the
 * catalog names now. Anything else is refused naming what differs, unless `takeover`.
 */
export function claimScript(options: {
  scriptName: string;
  accountId: string;
  tags: string[];
  identity: WorkerIdentity;
  takeover: boolean;
}): ScriptClaim {
  const { scriptName, accountId, tags, identity, takeover } = options;
  const marks = readMarks(tags);
  const where = `Worker script '${scriptName}' in account ${accountId}`;
  let problem: string | undefined;
  if (!marks.entityRef) {
    problem = `${where} already exists and was not deployed by the portal`;
  } else if (marks.entityRef !== identity.entityRef) {
    problem = `${where} belongs to the catalog entity ${marks.entityRef}, not ${identity.entityRef}`;
  } else if (marks.uid !== identity.uid) {
    problem = `${where} was deployed for an earlier catalog entity named ${
      identity.entityRef
    }${
      marks.owner ? ` (owner ${marks.owner})` : ''
    }, not for the one the catalog has now: the name was reused after that entity was deleted`;
  } else if (marks.owner !== identity.owner) {
    problem = `${where} was deployed for the owner ${
      marks.owner ?? '(none recorded)'
    }, but the catalog now names ${identity.owner} as the owner of ${
      identity.entityRef
    }`;
  }
  if (!problem) {
    return 'ours';
  }
  if (takeover) {
    return 'takeover';
  }
  throw new InputError(
    `${problem}. Pick another name, or ask a member of a takeover group who is also a member of ${identity.owner} to deploy with \`takeover: true\` after checking that the script may be replaced`,
  );
}
