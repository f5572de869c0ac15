import { InputError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { normaliseGroupRef } from './access';
import type { Placement } from './plan';
import {
  checkScriptName,
  CLOUDFLARE_ID_PATTERN,
  ROUTE_PATTERN,
} from './validation';

/** The parts of the action's input that need more checks than its JSON schema can make. */
export interface DeployInput {
  scriptName: string;
  entityRef: string;
  owner?: string;
  placement: {
    type: 'route' | 'workersDev';
    zoneId?: string;
    pattern?: string;
  };
}

/** The input's entity, owner and placement, checked and normalised. */
export interface CheckedInput {
  /** `component:default/shop-images`, lower case. */
  entityRef: string;
  /** `group:default/web-team`, lower case, when the input names one. */
  owner?: string;
  placement: Placement;
}

/** Checks what the schema cannot; each problem becomes an `InputError` saying how to fix it. */
export function checkInput(input: DeployInput): CheckedInput {
  const nameProblem = checkScriptName(input.scriptName);
  if (nameProblem) {
    throw new InputError(nameProblem);
  }
  let entityRef: string;
  try {
    entityRef = stringifyEntityRef(
      parseEntityRef(input.entityRef),
    ).toLocaleLowerCase('en-US');
  } catch {
    throw new InputError(
      `entityRef '${input.entityRef}' is not an entity ref: write it as component:default/<name>`,
    );
  }
  let owner: string | undefined;
  try {
    owner = input.owner ? normaliseGroupRef(input.owner) : undefined;
  } catch {
    throw new InputError(
      `owner '${input.owner}' is not a group ref: write it as group:default/<name>`,
    );
  }
  if (owner && !owner.startsWith('group:')) {
    throw new InputError(
      `owner '${input.owner}' must be a group (group:default/<name>): tokens are configured per group`,
    );
  }

  const { type, zoneId, pattern } = input.placement;
  let placement: Placement;
  if (type === 'route') {
    if (!zoneId || !CLOUDFLARE_ID_PATTERN.test(zoneId)) {
      throw new InputError(
        `placement.zoneId '${
          zoneId ?? ''
        }' must be the 32 lower-case hex digits of a Cloudflare zone id`,
      );
    }
    if (!pattern || !ROUTE_PATTERN.test(pattern)) {
      throw new InputError(
        `placement.pattern '${
          pattern ?? ''
        }' must be a route with a concrete host and a path, like images.example.com/*`,
      );
    }
    placement = { type, zoneId, pattern };
  } else {
    if (zoneId || pattern) {
      throw new InputError(
        'placement workersDev takes no zoneId or pattern: leave them out, or use placement type route',
      );
    }
    placement = { type };
  }

  return { entityRef, owner, placement };
}
