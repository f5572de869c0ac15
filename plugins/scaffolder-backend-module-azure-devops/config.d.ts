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
    /**
     * Which service connections and environments each owner group's pipelines may use. The form
     * offers only these for the owner the user picks, and `azure:pipeline:authorize` refuses any
     * other, whatever a template passes. A group without an entry may use none. Names as in Azure
     * DevOps (letter case ignored); they are names within the pipeline's project.
     */
    teams?: Array<{
      /** The owner group, e.g. `group:default/dashboards-team`. */
      group: string;
      /** Docker Registry service connections its pipelines may push with. */
      registryServiceConnections?: string[];
      /** Kubernetes service connections its pipelines may deploy with. */
      kubernetesServiceConnections?: string[];
      /** Environments its pipelines' deployment jobs may deploy to (created when missing). */
      environments?: string[];
      /**
       * GitHub service connections its pipelines may read their repository through (a GitHub
       * service's pipeline); each reaches every repository its GitHub App installation or OAuth
       * user can.
       */
      githubServiceConnections?: string[];
      /**
       * The Azure DevOps organizations and projects the form offers for the pipeline of the
       * team's GitHub repositories (an Azure Repos repository's pipeline lives in its own
       * project); one of each is picked for the user.
       */
      organizations?: string[];
      projects?: string[];
      /**
       * The Docker Hub users or organisations its images may be pushed to
       * (`docker.io/<namespace>/<service>`); the form offers these, one is picked for the user.
       */
      dockerHubNamespaces?: string[];
    }>;
    /**
     * The groups that maintain `teams`, e.g. `group:default/platform-team`: a refusal tells the user
     * to ask them to grant a connection or environment.
     */
    grantedBy?: string[];
  };
}
