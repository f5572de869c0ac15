export interface Config {
  /**
   * Settings of the Azure pipeline scaffolder actions (`azure:pipeline:ensure` and the others of
   * `@internal/plugin-scaffolder-backend-module-azure-devops`). Their token is the one of
   * `integrations.azure` for dev.azure.com (`AZURE_DEVOPS_TOKEN`), unless a template passes the
   * signed-in user's own.
   */
  azurePipelines?: {
    /**
     * Base URL of the REST API; `https://dev.azure.com` unless set. Set only to point the actions
     * at a stand-in (the browser tests do).
     */
    apiBaseUrl?: string;
  };
}
