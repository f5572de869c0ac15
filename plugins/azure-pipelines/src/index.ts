/**
 * The recent runs of an entity's Azure pipeline on its catalog page. The app uses the new
 * frontend system: the plugin is `@internal/plugin-azure-pipelines/alpha`.
 *
 * @packageDocumentation
 */
export { EntityPipelineRunsCard } from './components/EntityPipelineRunsCard/EntityPipelineRunsCard';
export { azurePipelinesApiRef } from './api/AzurePipelinesApi';
export type {
  AzurePipelinesApi,
  PipelineRun,
  PipelineRuns,
} from './api/AzurePipelinesApi';
export {
  AzurePipelinesClient,
  PROXY_PATH,
  RUNS_ORDER,
  RUNS_SHOWN,
} from './api/AzurePipelinesClient';
export { ANNOTATIONS, pipelineRefOf } from './lib/annotations';
export type { PipelineRef } from './lib/annotations';
