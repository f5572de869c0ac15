import { InputError, NotAllowedError } from '@backstage/errors';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { API_VERSIONS, AzureDevOpsClient } from './client';

/**
 * The portal's mark on a pipeline it created: two build definition tags naming the catalog entity
 * the pipeline was created for and its owner group, e.g.
 * `backstage-entity=component:default/sales-dashboard` and
 * `backstage-owner=group:default/dashboards-team`. Written when the pipeline is created and read
 * back before the portal authorizes or starts it.
 */
export const MARK_PREFIX = {
  entity: 'backstage-entity=',
  owner: 'backstage-owner=',
} as const;

/** Whose pipeline it is, as the mark records it (refs in lower case). */
export interface PipelineMark {
  entityRef: string;
  owner: string;
}

/** `component:default/Sales` or `sales` → `component:default/sales`; else an input error. */
export function normaliseEntityRef(ref: string): string {
  let normalised: string | undefined;
  try {
    normalised = stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    normalised = undefined;
  }
  if (!normalised) {
    throw new InputError(
      `The entity '${ref}' is not an entity ref: give the catalog entity the pipeline is for, e.g. component:default/sales-dashboard`,
    );
  }
  return normalised;
}

/** The tags that mark a pipeline as the portal's for this entity and owner. */
export function markTags(mark: PipelineMark): string[] {
  return [
    `${MARK_PREFIX.entity}${mark.entityRef}`,
    `${MARK_PREFIX.owner}${mark.owner}`,
  ];
}

/** The mark in a pipeline's tags; a part not there is undefined. */
export function parseMark(tags: string[]): Partial<PipelineMark> {
  const find = (prefix: string) =>
    tags
      .find(t => t.toLocaleLowerCase('en-US').startsWith(prefix))
      ?.slice(prefix.length)
      .toLocaleLowerCase('en-US');
  return {
    entityRef: find(MARK_PREFIX.entity),
    owner: find(MARK_PREFIX.owner),
  };
}

/** Reads a pipeline's tags (the `id` is the build definition id, as `pipelineId` is). */
export async function readPipelineTags(
  client: AzureDevOpsClient,
  pipelineId: number,
): Promise<string[]> {
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/build/tags/get-definition-tags?view=azure-devops-rest-7.1
  const found = await client.request<{ value?: string[] }>({
    method: 'GET',
    path: `build/definitions/${pipelineId}/tags`,
    apiVersion: API_VERSIONS.definitionTags,
    context: {
      operation: `read the tags of pipeline ${pipelineId}`,
      scope: 'build',
    },
  });
  return found?.value ?? [];
}

/**
 * Writes the portal's mark on a pipeline. Through Tags - Add Definition Tags (a JSON list in the
 * body) rather than one tag per URL path, as the marks hold `:` and `/`.
 */
export async function writePipelineMark(
  client: AzureDevOpsClient,
  pipelineId: number,
  mark: PipelineMark,
): Promise<void> {
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/build/tags/add-definition-tags?view=azure-devops-rest-7.1
  await client.request({
    method: 'POST',
    path: `build/definitions/${pipelineId}/tags`,
    apiVersion: API_VERSIONS.definitionTags,
    body: markTags(mark),
    context: {
      operation: `mark pipeline ${pipelineId} as the portal's for ${mark.entityRef}`,
      scope: 'build',
      role: `the "Edit build pipeline" permission on pipeline ${pipelineId} (the pipeline's menu > Manage security)`,
    },
  });
}

/**
 * Refuses to act on a pipeline the portal did not create for this entity and owner: the pipeline's
 * mark must name both. `doing` completes "The portal does not …", e.g. `authorize it`.
 */
export async function checkPipelineMark(
  client: AzureDevOpsClient,
  pipelineId: number,
  expected: PipelineMark,
  doing: string,
): Promise<void> {
  const found = parseMark(await readPipelineTags(client, pipelineId));
  if (
    found.entityRef !== expected.entityRef ||
    found.owner !== expected.owner
  ) {
    throw refusal(client, pipelineId, found, expected, doing);
  }
}

/**
 * Marks a pipeline found by name on the entity's own repository: one without any mark of the
 * portal (e.g. created by an earlier run whose marking failed) gets the mark; one marked for another
 * entity or owner is refused. Returns whether it wrote the mark.
 */
export async function adoptPipeline(
  client: AzureDevOpsClient,
  pipelineId: number,
  expected: PipelineMark,
): Promise<boolean> {
  const found = parseMark(await readPipelineTags(client, pipelineId));
  if (!found.entityRef && !found.owner) {
    await writePipelineMark(client, pipelineId, expected);
    return true;
  }
  if (
    found.entityRef !== expected.entityRef ||
    found.owner !== expected.owner
  ) {
    throw refusal(client, pipelineId, found, expected, 'take it over');
  }
  return false;
}

function refusal(
  client: AzureDevOpsClient,
  pipelineId: number,
  found: Partial<PipelineMark>,
  expected: PipelineMark,
  doing: string,
): Error {
  const carries = found.entityRef
    ? `is marked as the portal's pipeline for ${found.entityRef} (owner ${
        found.owner ?? 'none recorded'
      })`
    : 'carries no mark of the portal (its tags name no catalog entity)';
  return new NotAllowedError(
    `Pipeline ${pipelineId} in project '${client.project}' of organization '${client.organization}' ${carries}, ` +
      `not ${expected.entityRef} of ${expected.owner}: the portal does not ${doing}. ` +
      `Give the id that azure:pipeline:ensure returned for ${expected.entityRef}; a pipeline made outside the portal is authorized and started by its own administrators in Azure DevOps`,
  );
}
