import { InputError } from '@backstage/errors';
import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { normaliseGroupRef } from './access';
import type { WorkerIdentity } from './ownership';

/** The annotations the image optimizer template writes on the Worker's entity. */
export const WORKER_NAME_ANNOTATION = 'cloudflare.com/worker-name';
export const ACCOUNT_ID_ANNOTATION = 'cloudflare.com/account-id';

/** How long to wait for an entity the template has just registered, and how often to look. */
export interface EntityWait {
  timeoutMs: number;
  intervalMs: number;
  sleep: (ms: number) => Promise<void>;
}

export const defaultEntityWait: EntityWait = {
  timeoutMs: 60_000,
  intervalMs: 2_000,
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
};

/**
 * The entity as the catalog serves it to the task's user, waiting up to `wait.timeoutMs` for it:
 * `catalog:register` only adds a location, whose entities the catalog reads a moment later.
 */
export async function findEntity(options: {
  catalog: CatalogService;
  entityRef: string;
  credentials: BackstageCredentials;
  wait: EntityWait;
}): Promise<Entity | undefined> {
  const { catalog, entityRef, credentials, wait } = options;
  for (let waited = 0; ; waited += wait.intervalMs) {
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (entity || waited >= wait.timeoutMs) {
      return entity;
    }
    await wait.sleep(wait.intervalMs);
  }
}

/**
 * Who the Worker belongs to, from its catalog entity: the entity's ref and uid and its owner now.
 * Refuses an entity that does not describe this script in this account, and an `owner` input that
 * is not the entity's owner.
 */
export function identityOf(options: {
  entity: Entity;
  scriptName: string;
  accountId: string;
  inputOwner?: string;
}): WorkerIdentity {
  const { entity, scriptName, accountId, inputOwner } = options;
  const entityRef = stringifyEntityRef(entity).toLocaleLowerCase('en-US');
  const annotations = entity.metadata.annotations ?? {};
  if (
    annotations[WORKER_NAME_ANNOTATION] !== scriptName ||
    annotations[ACCOUNT_ID_ANNOTATION] !== accountId
  ) {
    throw new InputError(
      `The catalog entity ${entityRef} describes the Worker '${
        annotations[WORKER_NAME_ANNOTATION] ?? '(none)'
      }' in account ${
        annotations[ACCOUNT_ID_ANNOTATION] ?? '(none)'
      } (annotations ${WORKER_NAME_ANNOTATION}, ${ACCOUNT_ID_ANNOTATION}), not '${scriptName}' in account ${accountId}: deploy the Worker its entity names`,
    );
  }
  const specOwner = entity.spec?.owner;
  let owner: string | undefined;
  try {
    owner =
      typeof specOwner === 'string' ? normaliseGroupRef(specOwner) : undefined;
  } catch {
    owner = undefined;
  }
  if (!owner?.startsWith('group:')) {
    throw new InputError(
      `The catalog entity ${entityRef} has the owner '${String(
        specOwner,
      )}', which is not a group: Workers are deployed with their owner group's token, so set spec.owner to group:default/<team>`,
    );
  }
  if (inputOwner && inputOwner !== owner) {
    throw new InputError(
      `owner ${inputOwner} is not the owner of ${entityRef}: the catalog names ${owner}. Leave owner out, or give the entity's owner`,
    );
  }
  const uid = entity.metadata.uid;
  if (!uid) {
    throw new Error(`The catalog returned ${entityRef} without a uid`);
  }
  return { entityRef, uid, owner };
}
