export interface Config {
  /** Settings for the Cloudflare scaffolder actions (`cloudflare:worker:deploy`). */
  cloudflare?: {
    /**
     * API token used when a template does not pass its own through a `Secret` field.
     * Permissions: Account > Workers Scripts > Edit, and Zone > Workers Routes > Edit for
     * templates that attach the Worker to a route. An empty value means "no token configured".
     * @visibility secret
     */
    apiToken?: string;
  };
}
