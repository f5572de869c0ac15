export interface Config {
  scaffolder?: {
    /**
     * Where the `AzureDevOpsUserToken` form field gets the signed-in user's Azure DevOps token.
     * Unset: the field stores nothing and the template's Azure DevOps steps use the portal's
     * token (`AZURE_DEVOPS_TOKEN`).
     *
     * @visibility frontend
     */
    azureDevOpsUserToken?: {
      /**
       * `microsoft`: an Entra access token from Microsoft sign-in (`auth.providers.microsoft`).
       *
       * @visibility frontend
       */
      provider?: 'microsoft';
    };
  };
}
