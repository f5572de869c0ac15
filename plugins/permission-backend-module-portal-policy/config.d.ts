export interface Config {
  permission?: {
    /**
     * The portal's permission policy (`@internal/plugin-permission-backend-module-portal-policy`).
     * Every value that names who may do something is an entity ref of a Group or a User, as in
     * `group:default/platform-team`; a user matches a group when the catalog lists them as a member.
     */
    portalPolicy?: {
      /**
       * Users and groups that may do everything: run every template and action, unregister any
       * entity and delete any catalog location.
       */
      admins?: string[];
      /**
       * Templates that only some users and groups may see and run. Templates not listed here are
       * open to everyone who is signed in.
       */
      templates?: Array<{
        /** `metadata.name` of the Template entity. */
        name: string;
        /** Its namespace; `default` when left out. */
        namespace?: string;
        /** Who may see and run it, besides the admins. */
        allowed: string[];
      }>;
      /**
       * Scaffolder actions that only some users and groups may run, whatever template calls them
       * (so a template registered by someone else cannot call them either).
       */
      actions?: Array<{
        /** The action id, e.g. `cloudflare:worker:deploy`. */
        id: string;
        /** Who may run it, besides the admins. */
        allowed: string[];
      }>;
    };
  };
}
