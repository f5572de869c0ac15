import type { z as zod } from 'zod/v3';

// Names as Azure DevOps allows them, kept strict so nothing odd reaches a URL path.
const ORGANIZATION = /^[A-Za-z0-9][A-Za-z0-9-]{0,48}[A-Za-z0-9]?$/;

/** Input fields every action of this module takes. */
export const commonInput = {
  organization: (z: typeof zod) =>
    z
      .string()
      .regex(
        ORGANIZATION,
        'must be an Azure DevOps organization name: letters, digits and hyphens',
      )
      .describe(
        'The Azure DevOps organization, as in dev.azure.com/<organization>.',
      ),
  project: (z: typeof zod) =>
    z
      .string()
      .min(1)
      .max(64)
      .describe('The Azure DevOps project the pipeline lives in.'),
  token: (z: typeof zod) =>
    z
      .string()
      .optional()
      .describe(
        "A token to call Azure DevOps with, e.g. the signed-in user's from `secrets`; the PAT of integrations.azure otherwise. Pass it only through `secrets`.",
      ),
};

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
