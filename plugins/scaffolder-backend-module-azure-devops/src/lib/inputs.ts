import type { z as zod } from 'zod/v3';

// Names as Azure DevOps allows them, kept strict so nothing odd reaches a URL path.
const ORGANIZATION = /^[A-Za-z0-9][A-Za-z0-9-]{0,48}[A-Za-z0-9]?$/;

/**
 * Where the pipeline is: the repository URL, as `publish:azure` and `publish:github` take it, and,
 * for a GitHub repository only, the Azure DevOps organization and project of its pipeline.
 */
export const locationInput = {
  repoUrl: (z: typeof zod) =>
    z
      .string()
      .min(1)
      .describe(
        "The repository, as the publish actions take it: `dev.azure.com?organization=<org>&project=<project>&repo=<name>` (the pipeline lives in the repository's project) or `github.com?owner=<owner>&repo=<name>`.",
      ),
  organization: (z: typeof zod) =>
    z
      .string()
      .regex(
        ORGANIZATION,
        'must be an Azure DevOps organization name: letters, digits and hyphens',
      )
      .optional()
      .describe(
        'For a GitHub repository: the Azure DevOps organization of its pipeline, as in dev.azure.com/<organization>. An Azure Repos repository uses its own.',
      ),
  project: (z: typeof zod) =>
    z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe(
        'For a GitHub repository: the Azure DevOps project of its pipeline. An Azure Repos repository uses its own.',
      ),
};

/** The signed-in user's token, taken by the steps a plain project member may do. */
export const tokenInput = (z: typeof zod) =>
  z
    .string()
    .optional()
    .describe(
      "The signed-in user's Azure DevOps token, from `secrets` (never a value); the portal's AZURE_DEVOPS_TOKEN when empty.",
    );

/** The pipeline id input of the actions that act on an existing pipeline. */
export const pipelineIdInput = (z: typeof zod) =>
  z.coerce
    .number()
    .int()
    // 0 is what azure:pipeline:ensure outputs in a dry run, where nothing is created.
    .nonnegative()
    .describe(
      'The id of the pipeline (output `pipelineId` of azure:pipeline:ensure; 0 in a dry run).',
    );

/** The catalog entity a pipeline is for: the mark the portal writes on it and checks. */
export const entityRefInput = (z: typeof zod) =>
  z
    .string()
    .min(1)
    .describe(
      'The catalog entity the pipeline is for, e.g. `component:default/sales-dashboard`; the portal marks the pipeline with it and acts only on pipelines marked for it.',
    );

/** The owner group the pipeline acts for: what it may use is `azurePipelines.teams` of this group. */
export const ownerInput = (z: typeof zod) =>
  z
    .string()
    .min(1)
    .describe(
      'The owner group of the entity, e.g. `group:default/dashboards-team`. The signed-in user must be a member, and the pipeline may use only the service connections and environments `azurePipelines.teams` grants this group.',
    );
