/**
 * Scaffolder actions that deploy the image Worker to Cloudflare.
 *
 * @packageDocumentation
 */
export { scaffolderModuleCloudflare as default } from './module';
export {
  createCloudflareWorkerDeployAction,
  WORKER_DEPLOY_ACTION_ID,
  type CloudflareWorkerDeployActionOptions,
} from './actions/workerDeploy';
export { routeUrl } from './lib/validation';
