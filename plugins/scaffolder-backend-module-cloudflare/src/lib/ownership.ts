import { InputError } from '@backstage/errors';

/**
 * Script tags the action writes with every upload (`metadata.tags` of
 * `PUT /accounts/{account_id}/workers/scripts/{script_name}`) and reads back before the next one
 * (`tags` of `GET .../workers/scripts/{script_name}/script-settings`), per Cloudflare's API reference:
 * https://developers.cloudflare.com/api/node/resources/workers/subresources/scripts/methods/update/
 * https://developers.cloudflare.com/api/node/resources/workers/subresources/scripts/subresources/settings/methods/get/
 */
export const ENTITY_TAG_PREFIX = 'backstage-entity=';
/** Marks the route the portal created for the script: `backstage-route=<zoneId>/<pattern>`. */
export const ROUTE_TAG_PREFIX = 'backstage-route=';

/** The tag naming the catalog entity a script was deployed for. */
export function entityTag(entityRef: string): string {
  return `${ENTITY_TAG_PREFIX}${entityRef}`;
}

/** The tag naming the route the portal attached the script to. */
export function routeTag(zoneId: string, pattern: string): string {
  return `${ROUTE_TAG_PREFIX}${zoneId}/${pattern}`;
}

/** The route a previous deploy attached, read back from its tag. */
export function taggedRoute(
  tags: string[],
): { zoneId: string; pattern: string } | undefined {
  const tag = tags.find(t => t.startsWith(ROUTE_TAG_PREFIX));
  if (!tag) {
    return undefined;
  }
  const value = tag.slice(ROUTE_TAG_PREFIX.length);
  const slash = value.indexOf('/');
  return slash > 0
    ? { zoneId: value.slice(0, slash), pattern: value.slice(slash + 1) }
    : undefined;
}

/** Whether the script may be written: `new` (none yet), `ours`, or `takeover` (allowed). */
export type ScriptClaim = 'new' | 'ours' | 'takeover';

/**
 * Decides from the deployed script's tags whether this deploy may write it: only a script the
 * portal created for the same catalog entity, unless `takeover` is set (checked by the caller).
 */
export function claimScript(options: {
  scriptName: string;
  accountId: string;
  /** Tags of the deployed script; undefined when there is no such script. */
  tags: string[] | undefined;
  entityRef: string;
  takeover: boolean;
}): ScriptClaim {
  const { scriptName, accountId, tags, entityRef, takeover } = options;
  if (tags === undefined) {
    return 'new';
  }
  const owner = tags
    .find(t => t.startsWith(ENTITY_TAG_PREFIX))
    ?.slice(ENTITY_TAG_PREFIX.length);
  if (owner === entityRef) {
    return 'ours';
  }
  if (takeover) {
    return 'takeover';
  }
  const hint =
    'Pick another name, or ask a member of a takeover group to deploy with `takeover: true` after checking that the script may be replaced';
  if (owner) {
    throw new InputError(
      `Worker script '${scriptName}' in account ${accountId} belongs to the catalog entity ${owner}, not ${entityRef}. ${hint}`,
    );
  }
  throw new InputError(
    `Worker script '${scriptName}' already exists in account ${accountId} and was not deployed by the portal. ${hint}`,
  );
}
