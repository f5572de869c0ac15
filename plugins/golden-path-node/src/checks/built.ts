import type { CheckResult, GoldenPathTarget } from './types';
import { unavailable } from './types';

/**
 * The part of the Azure DevOps module's client factory (`createClientFactory` in
 * `@internal/plugin-scaffolder-backend-module-azure-devops`) the check reads with: a client
 * signed with the portal's token for the pipeline's project.
 *
 * @public
 */
export interface AzureDevOpsReader {
  client(where: { organization: string; project: string }): Promise<{
    request<T>(req: {
      method: 'GET';
      path: string;
      apiVersion: string;
      query?: Record<string, string | undefined>;
      context: { operation: string; scope: 'build' };
    }): Promise<T>;
    webUrl(path: string): string;
  }>;
}

/** A run as Runs - List answers (pipelines/runs/list, 7.1). */
interface Run {
  id: number;
  name?: string;
  state?: string;
  result?: string;
  finishedDate?: string;
  _links?: { web?: { href?: string } };
}

/** A record of Timeline - Get (build/timeline/get, 7.1). */
export interface TimelineRecord {
  id: string;
  parentId?: string | null;
  type: string;
  name: string;
  state?: string;
  result?: string | null;
  order?: number;
  log?: { id: number; url: string } | null;
  issues?: { type: string; message: string }[] | null;
}

const VERSION = '7.1';

/**
 * The stage that failed a run, the failing task in it and the task's error, from the run's
 * timeline: stages and their jobs' tasks are records linked by `parentId`.
 *
 * @public
 */
export function failingStage(records: TimelineRecord[]):
  | {
      stage: string;
      task?: string;
      message?: string;
      logUrl?: string;
      jobId?: string;
      taskId?: string;
    }
  | undefined {
  const failed = (r: TimelineRecord) =>
    r.result === 'failed' || r.result === 'canceled';
  const stage = records
    .filter(r => r.type === 'Stage' && failed(r))
    .sort((a, b) => (a.order ?? 0) - (b.order ?? 0))[0];
  if (!stage) {
    return undefined;
  }
  const below = (parent: string): TimelineRecord[] =>
    records
      .filter(r => r.parentId === parent)
      .flatMap(r => [r, ...below(r.id)]);
  const inside = below(stage.id);
  const task = inside.find(r => r.type === 'Task' && failed(r));
  const job = task && records.find(r => r.id === task.parentId);
  const issue = [...(task?.issues ?? []), ...(stage.issues ?? [])].find(
    i => i.type === 'error',
  );
  return {
    stage: stage.name,
    task: task?.name,
    message: issue?.message,
    logUrl: task?.log?.url,
    jobId: job?.id,
    taskId: task?.id,
  };
}

/**
 * Built: the pipeline's run (the one the task started, or the latest) succeeded. A run in
 * progress fails the check as "not yet", which the poller waits on.
 *
 * @public
 */
export async function checkBuilt(
  target: GoldenPathTarget,
  azure: AzureDevOpsReader | undefined,
): Promise<CheckResult & { runId?: number; finished?: boolean }> {
  const id = 'built' as const;
  if (!target.pipeline) {
    return unavailable(
      id,
      'the entity has no dev.azure.com/host-org, dev.azure.com/project and dev.azure.com/build-definition annotations.',
    );
  }
  if (!azure) {
    return unavailable(
      id,
      'the portal has no Azure DevOps credential (integrations.azure for dev.azure.com).',
    );
  }
  const { organization, project, definition } = target.pipeline;
  const client = await azure.client({ organization, project });
  let pipelineId = typeof definition === 'number' ? definition : undefined;
  if (pipelineId === undefined) {
    // https://learn.microsoft.com/en-us/rest/api/azure/devops/build/definitions/list?view=azure-devops-rest-7.1
    const found = await client.request<{ value: { id: number }[] }>({
      method: 'GET',
      path: 'build/definitions',
      apiVersion: VERSION,
      query: { name: String(definition) },
      context: { operation: `find pipeline ${definition}`, scope: 'build' },
    });
    pipelineId = found.value[0]?.id;
    if (pipelineId === undefined) {
      return {
        id,
        state: 'fail',
        summary: `There is no pipeline named ${definition} in ${organization}/${project}.`,
        cause: 'The pipeline was not created, or was renamed.',
        fix: 'Run the create template again (it creates what is missing), or correct dev.azure.com/build-definition.',
        evidence: [{ title: 'Pipelines', url: client.webUrl('_build') }],
      };
    }
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/pipelines/runs/list?view=azure-devops-rest-7.1
  const runs = await client.request<{ value: Run[] }>({
    method: 'GET',
    path: `pipelines/${pipelineId}/runs`,
    apiVersion: VERSION,
    context: {
      operation: `list the runs of pipeline ${pipelineId}`,
      scope: 'build',
    },
  });
  // The reference documents no order: the latest run is the one with the highest id.
  const run =
    target.pipeline.runId !== undefined
      ? runs.value.find(r => r.id === target.pipeline!.runId)
      : runs.value.reduce<Run | undefined>(
          (a, r) => (!a || r.id > a.id ? r : a),
          undefined,
        );
  const pipelineLink = {
    title: 'Pipeline',
    url: client.webUrl(`_build?definitionId=${pipelineId}`),
  };
  if (!run) {
    return {
      id,
      state: 'fail',
      summary:
        target.pipeline.runId !== undefined
          ? `Run ${target.pipeline.runId} of the pipeline was not found.`
          : 'The pipeline has not run yet.',
      cause: 'No run of the pipeline exists.',
      fix: 'Start a run of the pipeline on main.',
      evidence: [pipelineLink],
    };
  }
  const runUrl =
    run._links?.web?.href ?? client.webUrl(`_build/results?buildId=${run.id}`);
  const runLink = { title: `Run ${run.name ?? run.id}`, url: runUrl };
  if (run.state !== 'completed') {
    return {
      id,
      state: 'fail',
      runId: run.id,
      finished: false,
      summary: `Run ${run.name ?? run.id} is ${run.state ?? 'queued'}.`,
      cause: 'The run has not finished yet.',
      fix: 'Wait for it; a run that stays queued needs an agent (check the agent pool and parallel jobs).',
      evidence: [runLink],
    };
  }
  if (run.result === 'succeeded') {
    return {
      id,
      state: 'pass',
      runId: run.id,
      finished: true,
      summary: `Run ${run.name ?? run.id} succeeded.`,
      evidence: [runLink],
    };
  }
  // https://learn.microsoft.com/en-us/rest/api/azure/devops/build/timeline/get?view=azure-devops-rest-7.1
  const timeline = await client.request<{ records?: TimelineRecord[] }>({
    method: 'GET',
    path: `build/builds/${run.id}/timeline`,
    apiVersion: VERSION,
    context: {
      operation: `read the timeline of run ${run.id}`,
      scope: 'build',
    },
  });
  const failing = failingStage(timeline?.records ?? []);
  const logsUrl =
    failing?.jobId && failing.taskId
      ? `${runUrl}&view=logs&j=${failing.jobId}&t=${failing.taskId}`
      : runUrl;
  return {
    id,
    state: 'fail',
    runId: run.id,
    finished: true,
    summary: failing
      ? `Run ${run.name ?? run.id} ${run.result}: stage ${failing.stage}${
          failing.task ? `, step ${failing.task}` : ''
        }.`
      : `Run ${run.name ?? run.id} ${run.result}.`,
    cause: failing?.message ?? `The run ${run.result}.`,
    fix: failing
      ? `Read the log of ${
          failing.task ?? `stage ${failing.stage}`
        }, fix the cause in the repository and push to main (a new run starts).`
      : 'Open the run, fix the cause in the repository and push to main.',
    evidence: [
      {
        title: failing ? `Log of ${failing.task ?? failing.stage}` : 'Run',
        url: logsUrl,
      },
      runLink,
    ],
  };
}
