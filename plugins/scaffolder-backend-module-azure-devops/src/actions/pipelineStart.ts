import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { API_VERSIONS } from '../lib/client';
import type { ClientFactory } from '../lib/connect';
import {
  entityRefInput,
  locationInput,
  ownerInput,
  pipelineIdInput,
  tokenInput,
} from '../lib/inputs';
import { checkPipelineMark, normaliseEntityRef } from '../lib/pipelineMark';
import { checkMember, ownerGroup, userClaims } from '../lib/teamAccess';
import { endIfNotConfigured } from '../lib/unconfigured';
import type { UnconfiguredServices } from '@internal/plugin-scaffolder-portal-node';
import { examples } from './pipelineStart.examples';

/** The action's id. */
export const PIPELINE_START_ACTION_ID = 'azure:pipeline:start';

// Applied by the handler, as the scaffolder does not apply schema defaults.
const DEFAULT_BRANCH = 'main';

/** A run as Runs - List and Runs - Run Pipeline answer. */
interface Run {
  id: number;
  name?: string;
  state?: string;
  /** Set once completed: `succeeded`, `failed`, `canceled`. */
  result?: string;
  _links?: { web?: { href?: string } };
}

/**
 * Creates `azure:pipeline:start`: starts the first run of a pipeline on a branch. A pipeline
 * that has run before is not started again; its latest run is reported instead, so running the
 * template twice queues one run, not two. It acts only for a signed-in member of the owner group,
 * and only on a pipeline the portal marked for the same entity and owner.
 * @public
 */
export function createAzurePipelineStartAction(options: {
  connect: ClientFactory;
  /** `goldenPath.unconfiguredServices`: how the step ends without Azure DevOps; `fail` by default. */
  unconfigured?: UnconfiguredServices;
}) {
  return createTemplateAction({
    id: PIPELINE_START_ACTION_ID,
    description:
      "Starts a pipeline's first run on a branch; when the pipeline has runs already, reports the latest one and starts none.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        ...locationInput,
        token: tokenInput,
        pipelineId: pipelineIdInput,
        entityRef: entityRefInput,
        owner: ownerInput,
        branch: z =>
          z
            .string()
            .min(1)
            .default(DEFAULT_BRANCH)
            .describe('The branch to run.'),
      },
      output: {
        runId: z => z.number().describe('The run id.'),
        runUrl: z => z.string().describe("The run's web page."),
        started: z =>
          z.boolean().describe('False when the pipeline had run before.'),
      },
    },
    async handler(ctx) {
      // The scaffolder checks input against the JSON schema but does not apply its defaults.
      const { pipelineId } = ctx.input;
      const branch = ctx.input.branch ?? DEFAULT_BRANCH;
      if (
        endIfNotConfigured(ctx, options.connect, options.unconfigured ?? 'fail')
      ) {
        ctx.output('runId', 0);
        ctx.output('started', false);
        return;
      }
      const where = options.connect.locate(ctx.input);
      const owner = ownerGroup(ctx.input.owner);
      const entityRef = normaliseEntityRef(ctx.input.entityRef);
      if (ctx.user?.entity || !ctx.isDryRun) {
        checkMember(owner, userClaims(ctx.user), `start its pipelines`);
      }

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would start the first run of pipeline ${pipelineId} on ${branch}`,
        );
        ctx.output('runId', 0);
        ctx.output('runUrl', options.connect.webUrl(where, '_build'));
        ctx.output('started', false);
        return;
      }

      // As the user when the form passes their token: the run is theirs ("requested for").
      const client = await options.connect.client({
        ...where,
        token: ctx.input.token,
      });

      const result = await ctx.checkpoint({
        key: `azure-pipeline-run-${client.organization}-${client.project}-${pipelineId}`,
        fn: async () => {
          await checkPipelineMark(
            client,
            pipelineId,
            { entityRef, owner },
            'start it',
          );
          // https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/runs/list?view=azure-devops-rest-7.1
          const runs = await client.request<{ value: Run[] }>({
            method: 'GET',
            path: `pipelines/${pipelineId}/runs`,
            apiVersion: API_VERSIONS.pipelines,
            context: {
              operation: `list the runs of pipeline ${pipelineId}`,
              scope: 'build',
            },
          });
          // The reference documents no order: the latest run is the one with the highest id.
          const latest = runs.value.reduce<Run | undefined>(
            (a, r) => (!a || r.id > a.id ? r : a),
            undefined,
          );
          const run =
            latest ??
            // https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/runs/run-pipeline?view=azure-devops-rest-7.1
            (await client.request<Run>({
              method: 'POST',
              path: `pipelines/${pipelineId}/runs`,
              apiVersion: API_VERSIONS.pipelines,
              body: {
                resources: {
                  repositories: { self: { refName: `refs/heads/${branch}` } },
                },
              },
              context: {
                operation: `start a run of pipeline ${pipelineId} on ${branch}`,
                scope: 'build',
              },
            }));
          return {
            runId: run.id,
            runUrl:
              run._links?.web?.href ??
              client.webUrl(`_build/results?buildId=${run.id}`),
            started: !latest,
            latestState: latest ? latest.result ?? latest.state ?? '' : '',
          };
        },
      });

      ctx.logger.info(
        result.started
          ? `Started run ${result.runId} of pipeline ${pipelineId} on ${branch}: ${result.runUrl}`
          : `Pipeline ${pipelineId} has run before; started none. Latest run ${
              result.runId
            }${result.latestState ? ` (${result.latestState})` : ''}: ${
              result.runUrl
            }${
              result.latestState === 'failed'
                ? ' — fix what failed and run the pipeline again in Azure DevOps'
                : ''
            }`,
      );
      ctx.output('runId', result.runId);
      ctx.output('runUrl', result.runUrl);
      ctx.output('started', result.started);
    },
  });
}
