// The types of the template-upgrades backend's routes, as agreed with it. They move to
// @internal/plugin-template-upgrades-common, which both sides import, once that package exists.

/** A pull request the portal opened for a service's upgrade. @public */
export interface UpgradePullRequest {
  url: string;
  number: number;
}

/**
 * One service made from a template, as `GET /api/template-upgrades/services` lists it.
 *
 * @public
 */
export interface ServiceUpgradeStatus {
  /** For example `component:default/sales-dashboard`. */
  entityRef: string;
  title?: string;
  /** The owner as an entity ref. */
  owner?: string;
  template: { name: string; version: string | null; latest: string | null };
  /** `unknown`: no record in the repository, or the template was not found (`problem` says which). */
  state: 'current' | 'behind' | 'unknown';
  /** The open upgrade pull request, when there is one. */
  pullRequest?: UpgradePullRequest & { state: 'open' };
  /** Whether the caller is a member of the owning group (or an admin). */
  canUpgrade: boolean;
  /** One sentence: why the state is unknown, or why the caller cannot upgrade it. */
  problem?: string;
}

/** A file the upgrade changes. @public */
export interface UpgradeChange {
  path: string;
  change: 'added' | 'modified' | 'removed' | 'renamed';
  /** The file's former path, for `renamed`. */
  from?: string;
  /** The three-way merge left conflict markers in the file. */
  conflict: boolean;
}

/**
 * The answer of `POST /api/template-upgrades/services/:namespace/:kind/:name/upgrade`.
 *
 * @public
 */
export interface UpgradeResult {
  entityRef: string;
  /** `none`: the service is at the template's latest version; no pull request. */
  result: 'opened' | 'updated' | 'none' | 'dry-run';
  pullRequest?: UpgradePullRequest;
  changes: UpgradeChange[];
  /** Markdown: what changed in the template between the two versions. */
  summary: string;
}
