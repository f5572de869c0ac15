import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { API_VERSIONS, AzureDevOpsClient } from '../lib/client';
import type { ClientFactory } from '../lib/connect';
import { NotAllowedError } from '@backstage/errors';
import {
  entityRefInput,
  locationInput,
  ownerInput,
  pipelineIdInput,
} from '../lib/inputs';
import { checkPipelineMark, normaliseEntityRef } from '../lib/pipelineMark';
import { checkMember, ownerGroup, userClaims } from '../lib/teamAccess';
import { endIfNotConfigured } from '../lib/unconfigured';
import type { UnconfiguredServices } from '@internal/plugin-scaffolder-portal-node';
import { examples } from './buildValidation.examples';

/** The action's id. */
export const BUILD_VALIDATION_ACTION_ID = 'azure:repo:build-validation';

// Defaults of optional inputs; the handler applies them, as the scaffolder does not.
const DEFAULT_BRANCH = 'main';
const DEFAULT_DISPLAY_NAME = 'Build and test';

/** The policy type id of "Build" (build validation), the same in every organization. */
export const BUILD_VALIDATION_POLICY_TYPE =
  '0609b952-1397-4640-95ec-e00a01b2c241';

/** A policy configuration as Policy Configurations - List answers. */
interface PolicyConfiguration {
  id: number;
  isEnabled?: boolean;
  isBlocking?: boolean;
  type: { id: string };
  settings?: { buildDefinitionId?: number };
}

async function repositoryId(client: AzureDevOpsClient, name: string) {
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/repositories/get-repository?view=azure-devops-rest-7.1
  const repo = await client.request<{ id: string }>({
    method: 'GET',
    path: `git/repositories/${encodeURIComponent(name)}`,
    apiVersion: API_VERSIONS.git,
    context: { operation: `find the repository '${name}'`, scope: 'code' },
  });
  return repo.id;
}

/**
 * Creates `azure:repo:build-validation`: a branch policy on an Azure Repos branch that runs the
 * pipeline on every pull request into it and blocks completion until the run passes. Azure Repos
 * ignores a YAML `pr:` trigger; this policy is what validates pull requests there. For a GitHub
 * repository it does nothing. Always runs with the portal's token.
 * @public
 */
export function createAzureBuildValidationAction(options: {
  connect: ClientFactory;
  /** `goldenPath.unconfiguredServices`: how the step ends without Azure DevOps; `fail` by default. */
  unconfigured?: UnconfiguredServices;
}) {
  return createTemplateAction({
    id: BUILD_VALIDATION_ACTION_ID,
    description:
      'Adds a build-validation branch policy to an Azure Repos branch, so pull requests into it run the pipeline (a GitHub repository needs none: its pull requests trigger the pipeline). Runs with the portal’s token. Running it again finds the policy and adds none.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...locationInput,
        pipelineId: pipelineIdInput,
        entityRef: entityRefInput,
        owner: ownerInput,
        branch: z =>
          z
            .string()
            .min(1)
            .default(DEFAULT_BRANCH)
            .describe('The protected branch.'),
        displayName: z =>
          z
            .string()
            .max(100)
            .default(DEFAULT_DISPLAY_NAME)
            .describe('The name pull requests show for the check.'),
      },
      output: {
        policyId: z => z.number().describe('The policy configuration id.'),
        created: z =>
          z.boolean().describe('False when the policy existed already.'),
      },
    },
    async handler(ctx) {
      // The scaffolder checks input against the JSON schema but does not apply its defaults.
      const { pipelineId } = ctx.input;
      if (
        endIfNotConfigured(
          ctx,
          options.connect,
          options.unconfigured ?? 'fail',
          { portalTokenOnly: true },
        )
      ) {
        ctx.output('policyId', 0);
        ctx.output('created', false);
        return;
      }
      const where = options.connect.locate(ctx.input);
      const branch = ctx.input.branch ?? DEFAULT_BRANCH;
      const displayName = ctx.input.displayName ?? DEFAULT_DISPLAY_NAME;
      const refName = `refs/heads/${branch}`;
      const owner = ownerGroup(ctx.input.owner);
      const entityRef = normaliseEntityRef(ctx.input.entityRef);
      if (ctx.user?.entity || !ctx.isDryRun) {
        checkMember(
          owner,
          userClaims(ctx.user),
          'require its pipelines on pull requests',
        );
      }

      if (where.repository.type === 'gitHub') {
        // Azure Repos ignores a YAML `pr:` trigger; GitHub honours it, so there is no policy to add.
        ctx.logger.info(
          `GitHub repository '${where.repository.name}' runs the pipeline on pull requests from its pr: trigger; no branch policy needed`,
        );
        ctx.output('policyId', 0);
        ctx.output('created', false);
        return;
      }
      const repository = where.repository.name;

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would require pipeline ${pipelineId} to pass on pull requests into ${refName} of '${repository}'`,
        );
        ctx.output('policyId', 0);
        ctx.output('created', false);
        return;
      }

      // The portal's token: "Edit policies" is a Project Administrators' permission, not a member's.
      const client = await options.connect.client(where);

      const result = await ctx.checkpoint({
        key: `azure-build-validation-${client.organization}-${client.project}-${repository}-${branch}-${pipelineId}`,
        fn: async () => {
          // Only the owner's own pipeline, on the repository it builds: the portal's token may edit
          // the policies of every repository, another team's included.
          await checkPipelineMark(
            client,
            pipelineId,
            { entityRef, owner },
            'require it on pull requests',
          );
          await checkBuildsRepository(client, pipelineId, repository);
          const repoId = await repositoryId(client, repository);
          // https://learn.microsoft.com/en-us/rest/api/azure/devops/git/policy-configurations/get?view=azure-devops-rest-7.1
          const existing = await client.requestAll<PolicyConfiguration>({
            method: 'GET',
            path: 'git/policy/configurations',
            apiVersion: API_VERSIONS.gitPolicy,
            query: {
              repositoryId: repoId,
              refName,
              policyType: BUILD_VALIDATION_POLICY_TYPE,
            },
            context: {
              operation: `list the branch policies of ${refName} in '${repository}'`,
              scope: 'policy',
            },
          });
          const same = existing.value.find(
            p => p.settings?.buildDefinitionId === pipelineId,
          );
          if (same) {
            if (same.isEnabled === false || same.isBlocking === false) {
              // Someone made it optional or turned it off; the portal leaves policies it finds alone.
              ctx.logger.warn(
                `The build-validation policy ${
                  same.id
                } on ${refName} of '${repository}' is ${
                  same.isEnabled === false ? 'disabled' : 'optional'
                }: pull requests can complete without a passing run. Make it required in the branch policies of ${branch} if that was not intended.`,
              );
            }
            return { policyId: same.id, created: false };
          }
          // https://learn.microsoft.com/en-us/rest/api/azure/devops/policy/configurations/create?view=azure-devops-rest-7.1
          const policy = await client.request<PolicyConfiguration>({
            method: 'POST',
            path: 'policy/configurations',
            apiVersion: API_VERSIONS.policy,
            body: {
              isEnabled: true,
              isBlocking: true,
              type: { id: BUILD_VALIDATION_POLICY_TYPE },
              settings: {
                buildDefinitionId: pipelineId,
                displayName,
                manualQueueOnly: false,
                queueOnSourceUpdateOnly: true,
                // Minutes a passing run stays valid after main moves on (the portal's default).
                validDuration: 720,
                scope: [{ repositoryId: repoId, refName, matchKind: 'exact' }],
              },
            },
            context: {
              operation: `add the build-validation policy on ${refName} of '${repository}'`,
              scope: 'policy',
              role: `the "Edit policies" permission on the repository '${repository}' (Project settings > Repositories > ${repository} > Security)`,
            },
          });
          return { policyId: policy.id, created: true };
        },
      });

      ctx.logger.info(
        result.created
          ? `Pull requests into ${branch} of '${repository}' now run pipeline ${pipelineId} (policy ${result.policyId})`
          : `The build-validation policy ${result.policyId} on ${branch} of '${repository}' exists already; left as it is`,
      );
      ctx.output('policyId', result.policyId);
      ctx.output('created', result.created);
    },
  });
}

/** Refuses a pipeline that does not build this Azure Repos repository. */
async function checkBuildsRepository(
  client: AzureDevOpsClient,
  pipelineId: number,
  repository: string,
): Promise<void> {
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/build/definitions/get?view=azure-devops-rest-7.1
  const definition = await client.request<{
    repository?: { name?: string; type?: string };
  }>({
    method: 'GET',
    path: `build/definitions/${pipelineId}`,
    apiVersion: API_VERSIONS.build,
    context: { operation: `read pipeline ${pipelineId}`, scope: 'build' },
  });
  const built = definition?.repository;
  if (
    built?.type !== 'TfsGit' ||
    built.name?.toLocaleLowerCase('en-US') !==
      repository.toLocaleLowerCase('en-US')
  ) {
    throw new NotAllowedError(
      `Pipeline ${pipelineId} builds ${built?.type ?? 'no'} repository '${
        built?.name ?? ''
      }', not '${repository}': a repository's pull requests are validated only by its own pipeline. Give the step the pipeline the template created for '${repository}'`,
    );
  }
}
