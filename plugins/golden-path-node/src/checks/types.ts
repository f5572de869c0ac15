import type { CheckId } from '../lib/config';

/**
 * What a check found now: `pass` (it holds), `fail` (it does not, with the cause and the fix),
 * or `unavailable` (the portal cannot check it: `summary` says what is not configured).
 *
 * @public
 */
export type CheckState = 'pass' | 'fail' | 'unavailable';

/** A link to what the check looked at. @public */
export interface Evidence {
  title: string;
  url?: string;
}

/** @public */
export interface CheckResult {
  id: CheckId;
  state: CheckState;
  /** One sentence: what was seen. */
  summary: string;
  evidence?: Evidence[];
  /** Why it does not hold, when it fails. */
  cause?: string;
  /** What to change, when it fails. */
  fix?: string;
}

/** What the checks look for, built from the entity (or the create task's inputs) only. @public */
export interface GoldenPathTarget {
  /** `component:default/sales-dashboard`. */
  entityRef: string;
  /** The Deployment and `app` label: the entity's `backstage.io/kubernetes-id`. */
  app: string;
  namespace: string;
  /** The `cluster` label of its series, where several clusters feed one Prometheus. */
  cluster?: string;
  pipeline?: {
    organization: string;
    project: string;
    /** The pipeline's name (`dev.azure.com/build-definition`) or id. */
    definition: string | number;
    /** The run to judge; the pipeline's latest run otherwise. */
    runId?: number;
  };
  /** The labels the template gave the PodMonitor, for the scrape check's advice. */
  podMonitorLabels?: Record<string, string>;
}

export const unavailable = (id: CheckId, summary: string): CheckResult => ({
  id,
  state: 'unavailable',
  summary: `Cannot check: ${summary}`,
});
