import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  ServiceUpgradeStatus,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';

/** @public */
export interface TemplateUpgradesApi {
  /** Every service made from a template (or from the one named), with its version and state. */
  listServices(options?: {
    template?: string;
  }): Promise<ServiceUpgradeStatus[]>;
  /** One service's template version, the latest, and its open upgrade pull request. */
  getService(entityRef: string): Promise<ServiceUpgradeStatus>;
  /**
   * Opens or updates the service's upgrade pull request; with `dryRun`, only says what it
   * would change. Rejects with the backend's message when the caller may not upgrade it.
   */
  upgrade(
    entityRef: string,
    options: { dryRun: boolean },
  ): Promise<UpgradeResult>;
}

/** @public */
export const templateUpgradesApiRef = createApiRef<TemplateUpgradesApi>({
  id: 'plugin.template-upgrades.service',
});
