/**
 * A scaffolder form field that hands the signed-in user's Azure DevOps token to a template's
 * steps as the secret `azureDevOpsUserToken`. The field is exported for the new frontend system
 * from `./alpha`.
 *
 * @packageDocumentation
 */
export {
  AZURE_DEVOPS_SCOPE,
  AZURE_DEVOPS_USER_TOKEN_SECRET,
} from './lib/azureDevOpsToken';
