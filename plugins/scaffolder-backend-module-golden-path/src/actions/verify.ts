import { parseEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  AzureDevOpsReader,
  CHECK_IDS,
  CheckSources,
  Clock,
  StageOutcome,
  verifyGoldenPath,
  VerifyOutcome,
  WaitSettings,
} from '@internal/plugin-golden-path-node';
import type { ClientFactory } from '@internal/plugin-scaffolder-backend-module-azure-devops';
import {
  endUnconfigured,
  type UnconfiguredServices,
} from '@internal/plugin-scaffolder-portal-node';
import { examples } from './verify.examples';

/** The action's id. */
export const VERIFY_ACTION_ID = 'golden-path:verify';

/** What the action reads from; a source left out makes its stages say "cannot check". */
export interface VerifyActionOptions {
  /** The Azure pipeline module's client factory: the portal's token, or the step's. */
  connect: ClientFactory;
  /** Everything but Azure DevOps, which the action connects per step. */
  sources: Omit<CheckSources, 'azure'>;
  settings: WaitSettings;
  clock?: Clock;
  /**
   * `goldenPath.unconfiguredServices`: how the step ends when Azure DevOps is not configured for
   * the repository, so no run was started to follow; `fail` by default.
   */
  unconfigured?: UnconfiguredServices;
}

const minutes = (ms: number) =>
  ms >= 60_000
    ? `${Math.round(ms / 6_000) / 10} min`
    : `${Math.round(ms / 1000)} s`;

/** The task's failure: the stage, its evidence, cause and fix, and links to what exists. */
export function describeFailure(
  outcome: VerifyOutcome,
  created: { title: string; url?: string; entityRef?: string }[],
): string {
  const failed = outcome.failed!;
  const r = failed.result;
  const before = outcome.stages.filter(
    s => s.state === 'pass' || s.state === 'unavailable',
  );
  const lines = [
    `The golden path stopped at "${failed.id}"${
      failed.timeoutMs
        ? `, which did not pass within ${minutes(failed.timeoutMs)}`
        : ''
    }: ${r.summary}`,
    ...(r.cause ? [`Cause: ${r.cause}`] : []),
    ...(r.fix ? [`Fix: ${r.fix}`] : []),
    ...(r.evidence ?? [])
      .filter(e => e.url)
      .map(e => `Evidence: ${e.title}: ${e.url}`),
    ...(before.length
      ? [
          `Before it: ${before
            .map(
              s => `${s.id} ${s.state === 'pass' ? 'passed' : 'not checked'}`,
            )
            .join(', ')}.`,
        ]
      : []),
    `Nothing was undone${
      created.length
        ? `; what exists: ${created
            .map(c => `${c.title}: ${c.url ?? c.entityRef}`)
            .join('; ')}`
        : ''
    }. Fix the cause and retry the task: the stages that passed are not checked again.`,
  ];
  return lines.join('\n');
}

/**
 * Creates `golden-path:verify`: after the template started the new service's first pipeline run,
 * follows it through the golden path (the run's result, the rollout at its image, the first
 * scrape, log lines in Loki, the dashboard's main panels, the alert rules), each stage waiting up
 * to its `goldenPath.timeouts.<stage>` through checkpoints, so that a task recovered on another
 * replica resumes where it was and a retry does not repeat a stage that passed. The first stage
 * that fails fails the step, naming its cause and fix and linking what exists. It only reads.
 * @public
 */
export function createGoldenPathVerifyAction(options: VerifyActionOptions) {
  return createTemplateAction({
    id: VERIFY_ACTION_ID,
    description:
      "Follows a new service's first pipeline run through to running and observed: run result, rollout, scrape, logs, dashboard data, alert rules; fails naming the first stage that does not pass in time, with its cause and fix.",
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoUrl: z =>
          z
            .string()
            .min(1)
            .describe(
              "The repository, as the publish actions take it: `dev.azure.com?organization=<org>&project=<project>&repo=<name>` (its pipeline lives in the repository's project) or `github.com?owner=<owner>&repo=<name>`.",
            ),
        organization: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              'For a GitHub repository: the Azure DevOps organization of its pipeline.',
            ),
        project: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(
              'For a GitHub repository: the Azure DevOps project of its pipeline.',
            ),
        token: z =>
          z
            .string()
            .optional()
            .describe(
              "The signed-in user's Azure DevOps token, from `secrets`; the portal's AZURE_DEVOPS_TOKEN when empty. Only read with.",
            ),
        pipelineId: z =>
          z.coerce
            .number()
            .int()
            .nonnegative()
            .describe(
              'The pipeline (output `pipelineId` of azure:pipeline:ensure).',
            ),
        runId: z =>
          z.coerce
            .number()
            .int()
            .nonnegative()
            .describe(
              'The run to follow (output `runId` of azure:pipeline:start).',
            ),
        entityRef: z =>
          z
            .string()
            .min(1)
            .describe(
              'The catalog entity of the service, e.g. `component:default/sales-dashboard`; its workloads are read through the kubernetes backend as the Kubernetes tab reads them.',
            ),
        namespace: z =>
          z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
            .describe('The Kubernetes namespace the pipeline deploys to.'),
        app: z =>
          z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
            .optional()
            .describe(
              "The Deployment and `app` label (the entity's backstage.io/kubernetes-id); the entity's name when unset.",
            ),
        cluster: z =>
          z
            .string()
            .optional()
            .describe(
              'The `cluster` label of its series, where several clusters feed one Prometheus.',
            ),
        imageTag: z =>
          z
            .string()
            .optional()
            .describe(
              "The image tag the rollout must reach; the run's id when unset (the service pipeline tags with $(Build.BuildId)).",
            ),
        podMonitorLabels: z =>
          z
            .record(z.string(), z.string())
            .optional()
            .describe(
              "The PodMonitor's labels, named in the scrape stage's advice.",
            ),
        created: z =>
          z
            .array(
              z.object({
                title: z.string(),
                url: z.string().optional(),
                entityRef: z.string().optional(),
              }),
            )
            .optional()
            .describe(
              'What the template created so far; a failure links each, since a failed task shows no output links.',
            ),
      },
      output: {
        stages: z =>
          z
            .array(
              z.object({
                id: z.string(),
                state: z.string(),
                summary: z.string(),
              }),
            )
            .describe(
              'Each stage: pass, or unavailable (the portal cannot check it), with what was seen.',
            ),
      },
    },
    async handler(ctx) {
      const input = ctx.input;
      let ref;
      try {
        ref = parseEntityRef(input.entityRef);
      } catch (e) {
        throw new InputError(
          `entityRef '${
            input.entityRef
          }' is not an entity reference; give kind:namespace/name, e.g. component:default/${
            input.app ?? 'my-service'
          }.`,
        );
      }
      // The pipeline steps before it were skipped (or failed) for the same reason: no run to follow.
      const missing = options.connect.notConfigured(input);
      if (missing && (missing.reason === 'host' || !ctx.isDryRun)) {
        endUnconfigured(options.unconfigured ?? 'fail', ctx.logger, {
          ...missing,
          missing: `${missing.missing}, so no pipeline run was started to follow`,
        });
        ctx.output('stages', []);
        return;
      }
      const where = options.connect.locate(input);
      const target = {
        entityRef: `${ref.kind}:${ref.namespace}/${ref.name}`.toLowerCase(),
        app: input.app ?? ref.name,
        namespace: input.namespace,
        cluster: input.cluster,
        podMonitorLabels: input.podMonitorLabels,
        pipeline: {
          organization: where.organization,
          project: where.project,
          definition: input.pipelineId,
          runId: input.runId,
        },
      };
      const { timeoutsMs, intervalMs } = options.settings;

      if (ctx.isDryRun) {
        ctx.logger.info(
          `Would follow run ${input.runId} of pipeline ${
            input.pipelineId
          } through ${CHECK_IDS.map(
            id => `${id} (up to ${minutes(timeoutsMs[id])})`,
          ).join(', ')}, looking every ${Math.round(
            intervalMs / 1000,
          )} s, for ${target.entityRef} in namespace ${target.namespace}`,
        );
        ctx.output('stages', []);
        return;
      }

      const azure: AzureDevOpsReader = {
        client: w => options.connect.client({ ...w, token: input.token }),
      };

      for (const c of input.created ?? []) {
        ctx.logger.info(`Created: ${c.title}: ${c.url ?? c.entityRef}`);
      }
      const outcome = await verifyGoldenPath({
        target,
        sources: { ...options.sources, azure },
        settings: options.settings,
        checkpoint: ctx.checkpoint,
        clock: options.clock,
        imageTag: input.imageTag,
        log: line => ctx.logger.info(line),
      });
      if (!outcome.passed) {
        throw new Error(describeFailure(outcome, input.created ?? []));
      }
      ctx.output(
        'stages',
        outcome.stages.map((s: StageOutcome) => ({
          id: s.id,
          state: s.state,
          summary: s.result?.summary ?? '',
        })),
      );
    },
  });
}
