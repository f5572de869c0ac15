/**
 * Scaffolder actions that make a new repository's Azure pipeline exist, able to deploy, and run.
 *
 * @packageDocumentation
 */
export { scaffolderModuleAzureDevOps as default } from './module';
export {
  createAzurePipelineEnsureAction,
  PIPELINE_ENSURE_ACTION_ID,
} from './actions/pipelineEnsure';
export {
  createAzurePipelineAuthorizeAction,
  PIPELINE_AUTHORIZE_ACTION_ID,
} from './actions/pipelineAuthorize';
export {
  createAzureBuildValidationAction,
  BUILD_VALIDATION_ACTION_ID,
  BUILD_VALIDATION_POLICY_TYPE,
} from './actions/buildValidation';
export {
  createAzurePipelineStartAction,
  PIPELINE_START_ACTION_ID,
} from './actions/pipelineStart';
export {
  createClientFactory,
  type ClientFactory,
  type ConnectInput,
  type PipelineLocation,
  type PipelinesNotConfigured,
} from './lib/connect';
export {
  BRANCH_CONTROL,
  MAIN_REF,
  PORTAL_CHECK_NAME,
} from './lib/branchControl';
export { API_VERSIONS } from './lib/client';
export {
  readTeamAccess,
  TEAM_RESOURCE_KINDS,
  type TeamAccess,
  type TeamResourceKind,
} from './lib/teamAccess';
export { MARK_PREFIX, markTags, type PipelineMark } from './lib/pipelineMark';
export {
  TEAM_RESOURCES_PATH,
  type TeamResourcesResponse,
} from './service/teamResourcesRouter';
