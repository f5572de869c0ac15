export interface Config {
  /**
   * Settings for the Cloudflare scaffolder actions (`cloudflare:worker:deploy`): which token each
   * owner group deploys with, and who may take over a script or route the portal did not deploy.
   */
  cloudflare?: {
    /**
     * The portal's own API token, used only for the owner groups in `portalTokenGroups`.
     * Permissions: Account > Workers Scripts > Edit, and Zone > Workers Routes > Edit for
     * routes. To read the plan and the zone's Transformations before deploying: Account >
     * Billing > Read, Zone > Zone > Read and Zone > Zone Settings > Read (without them the
     * deploy uses `accounts`, or refuses an engine it cannot confirm); Account > Workers R2
     * Storage > Read to check a derivative bucket. An empty value means "no token configured".
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
     * What each Cloudflare account's plans are, where the API cannot say: the deploy reads the
     * Workers plan from the account's subscriptions (`GET /accounts/{id}/subscriptions`, which
     * needs Account > Billing > Read) and uses `workersPlan` only when the token may not read them
     * (or they list no Workers Paid, as under some Enterprise contracts). No API call answers the
     * Images plan: without `imagesPlan` the deploy treats it as unknown and refuses the cloudflare
     * engine when more than Images Free's 5,000 unique transformations a month are expected.
     */
    accounts?: Array<{
      /** The account id, 32 hex digits. */
      accountId: string;
      /** `free` (10 ms of CPU per request: no wasm engine) or `paid` (Workers Paid). */
      workersPlan?: 'free' | 'paid';
      /**
       * `free` (stops at 5,000 unique transformations a month with error 9422, nothing billed)
       * or `paid` (Images Paid: $0.50 per 1,000 past 5,000).
       */
      imagesPlan?: 'free' | 'paid';
    }>;
    /**
     * Groups whose members may set `takeover` (replace a script or route the portal did not
     * deploy for the same entity) and deploy for any owner group.
     */
    takeoverGroups?: string[];
  };
}
