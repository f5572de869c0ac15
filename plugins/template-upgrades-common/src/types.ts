/** @public */
export type ServiceUpgradeStatus = {
  /** e.g. `component:default/sales-dashboard` */
  entityRef: string;
  title?: string;
  /** The owner as an entity ref. */
  owner?: string;
  template: { name: string; version: string | null; latest: string | null };
  /** `unknown`: no record, or the template or its version cannot be found (see `problem`). */
  state: 'current' | 'behind' | 'unknown';
  pullRequest?: { url: string; number: number; state: 'open' };
  /** The caller is a member of the owning group, or an admin. */
  canUpgrade: boolean;
  /** One sentence: why the state is unknown, or why it cannot be upgraded. */
  problem?: string;
};

/** @public */
export type UpgradeChange = {
  path: string;
  change: 'added' | 'modified' | 'removed' | 'renamed';
  /** The old path of a renamed file. */
  from?: string;
  /** The merge left conflict markers in the file. */
  conflict: boolean;
};

/** @public */
export type UpgradeResult = {
  entityRef: string;
  result: 'opened' | 'updated' | 'none' | 'dry-run';
  pullRequest?: { url: string; number: number };
  changes: UpgradeChange[];
  /** Markdown: what changed in the template between the two versions. */
  summary: string;
};
