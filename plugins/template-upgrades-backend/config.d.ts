export interface Config {
  /** Template upgrades as pull requests (docs/template-upgrades.md). */
  templateUpgrades?: {
    /** The templates whose services are upgraded, and where their versions are found. */
    templates?: Array<{
      /** The Template entity's name. */
      name: string;
      /** Git URL or local path of the repository the template is maintained in; its tags `<name>@<version>` hold released versions. */
      repository: string;
      /** The template's folder in that repository. */
      path: string;
      /** Branch of the current version; default the repository's HEAD. */
      ref?: string;
    }>;
    /** Groups whose members may upgrade any service, e.g. group:default/platform-team. */
    adminGroups?: string[];
    /**
     * Subjects of the static external-access tokens (backend.auth.externalAccess) the fleet
     * command `upgrade-all` may call with: they list every service and upgrade any of them, as
     * the portal. No other service principal is accepted.
     */
    fleetSubjects?: string[];
  };
}
