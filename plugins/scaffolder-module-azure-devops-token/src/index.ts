/**
 * A scaffolder form field that hands the signed-in user's Azure DevOps token to a template's
 * steps as the secret `azureDevOpsUserToken`, and the select of what `azurePipelines.teams` grants
 * an owner group (TeamResourceSelect, also used by the repository picker). The fields and the
 * select are exported from `./alpha`.
 *
 * @packageDocumentation
 */
export {
  AZURE_DEVOPS_SCOPE,
  AZURE_DEVOPS_USER_TOKEN_SECRET,
} from './lib/azureDevOpsToken';
