import { createApiRef } from '@backstage/frontend-plugin-api';

/** The checks, in the golden path's order. @public */
export type GoldenPathCheckId =
  | 'built'
  | 'deployed'
  | 'scraped'
  | 'logging'
  | 'dashboard'
  | 'alerts';

/** One check as the golden-path backend answers it. @public */
export interface GoldenPathCheck {
  id: GoldenPathCheckId;
  /** `unavailable`: the portal cannot perform this check; `summary` says why. */
  state: 'pass' | 'fail' | 'unavailable';
  summary: string;
  evidence?: { title: string; url?: string }[];
  cause?: string;
  fix?: string;
  /** When the check entered its current state (ISO 8601), as far as the portal has seen. */
  since: string;
}

/** The answer of `GET /api/golden-path/entities/:kind/:namespace/:name/checks`. @public */
export interface GoldenPathReport {
  entityRef: string;
  checkedAt: string;
  checks: GoldenPathCheck[];
  firstFailing?: GoldenPathCheckId;
  /** True when the portal has none of the checks' sources configured. */
  noSourceConfigured?: boolean;
}

/** @public */
export interface GoldenPathApi {
  /** The entity's checks; the backend may answer with a result of the last minute. */
  getChecks(entityRef: string): Promise<GoldenPathReport>;
  /** Runs the entity's checks now. */
  checkNow(entityRef: string): Promise<GoldenPathReport>;
}

/** @public */
export const goldenPathApiRef = createApiRef<GoldenPathApi>({
  id: 'plugin.golden-path.service',
});
