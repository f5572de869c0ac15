/**
 * The delegated permission of the Azure DevOps resource in Microsoft Entra ID: its application id
 * (`499b84ac-1321-427f-aa17-267ca6975798`, the same in every tenant) and `user_impersonation`
 * ("Have full access to Azure DevOps REST APIs" as the signed-in user). An access token for this
 * scope is what the Azure DevOps REST API accepts as `Bearer`.
 * See https://learn.microsoft.com/azure/devops/integrate/get-started/authentication/entra-oauth
 */
export const AZURE_DEVOPS_SCOPE =
  '499b84ac-1321-427f-aa17-267ca6975798/user_impersonation';

/**
 * The template secret the token is stored under. The template passes
 * `${{ secrets.azureDevOpsUserToken }}` to the `token` input of the `azure:*` steps that take one
 * (creating and starting the pipeline; docs/azure-devops.md).
 */
export const AZURE_DEVOPS_USER_TOKEN_SECRET = 'azureDevOpsUserToken';

/** The config key (frontend-visible, see config.d.ts) that names the token's sign-in provider. */
export const PROVIDER_CONFIG_KEY = 'scaffolder.azureDevOpsUserToken.provider';
