export interface Config {
  /**
   * Settings for the Cloudflare scaffolder actions (`cloudflare:worker:deploy`): which token each
   * owner group deploys with, and who may take over a script or route the portal did not deploy.
   */
  cloudflare?: {
    /**
     * The portal's own API token, used only for the owner groups in `portalTokenGroups`.
     * Permissions: Account > Workers Scripts > Edit, and Zone > Workers Routes > Edit for
     * routes. An empty value means "no token configured".
     * @visibility secret
     */
    apiToken?: string;
    /**
     * Owner groups that deploy with the portal's token (`apiToken`), e.g.
     * `group:default/platform-team`. Every other group needs its own entry in `teamTokens`.
     */
    portalTokenGroups?: string[];
    /** Each owner group's own token, usually substituted from an environment variable. */
    teamTokens?: Array<{
      /** The owner group, e.g. `group:default/web-team`. */
      group: string;
      /**
       * The group's token, e.g. `${CLOUDFLARE_TOKEN_WEB_TEAM}`, with the permissions listed
       * under `apiToken` on the group's own account and zones only.
       * @visibility secret
       */
      apiToken: string;
    }>;
    /**
     * Groups whose members may set `takeover` (replace a script or route the portal did not
     * deploy for the same entity) and deploy for any owner group.
     */
    takeoverGroups?: string[];
  };
}
