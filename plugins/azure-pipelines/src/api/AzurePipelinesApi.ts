import { createApiRef } from '@backstage/frontend-plugin-api';
import type { PipelineRef } from '../lib/annotations';

/**
 * One run, as the card shows it: a Build of the pipeline (REST 7.1, Builds - List), whose ids
 * are the runs' ids.
 *
 * @public
 */
export interface PipelineRun {
  id: number;
  /** The run's number (`buildNumber`), e.g. `20260412.3`. */
  name: string;
  /** `notStarted`, `postponed`, `inProgress`, `cancelling` or `completed`. */
  status: string;
  /** `succeeded`, `partiallySucceeded`, `failed` or `canceled`; absent until completed. */
  result?: string;
  /** When the run was queued (ISO 8601). */
  queueTime?: string;
  /** The run's page in Azure DevOps. */
  url: string;
}

/** The pipeline and its recent runs. @public */
export interface PipelineRuns {
  pipelineId: number;
  /** The pipeline's page in Azure DevOps. */
  pipelineUrl: string;
  /** The latest `RUNS_SHOWN`, most recently queued first. */
  runs: PipelineRun[];
}

/**
 * Reads an entity's pipeline runs from Azure DevOps.
 *
 * @public
 */
export interface AzurePipelinesApi {
  /** The pipeline's recent runs, or `undefined` when the project has no pipeline of that name. */
  getRuns(ref: PipelineRef): Promise<PipelineRuns | undefined>;
}

/** @public */
export const azurePipelinesApiRef = createApiRef<AzurePipelinesApi>({
  id: 'plugin.azure-pipelines.service',
});
