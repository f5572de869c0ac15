import { createApiRef } from '@backstage/frontend-plugin-api';
import type { PipelineRef } from '../lib/annotations';

/** One run, as the card shows it. @public */
export interface PipelineRun {
  id: number;
  /** The run's number, e.g. `20260412.3`. */
  name: string;
  /** `inProgress`, `completed`, `canceling` or `unknown`. */
  state: string;
  /** `succeeded`, `failed`, `canceled` or `unknown`; absent while running. */
  result?: string;
  createdDate?: string;
  /** The run's page in Azure DevOps. */
  url: string;
}

/** The pipeline and its recent runs. @public */
export interface PipelineRuns {
  pipelineId: number;
  /** The pipeline's page in Azure DevOps. */
  pipelineUrl: string;
  /** Newest first. */
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
