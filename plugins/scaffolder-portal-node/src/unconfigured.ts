import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** Where the mode is configured. */
export const UNCONFIGURED_SERVICES_KEY = 'goldenPath.unconfiguredServices';

/** What a step does when its outside service is not configured here. */
export type UnconfiguredServices = 'skip' | 'fail';

/** The words a skipped step ends with; the browser and template tests look for them. */
export const SKIPPED = 'not configured here: skipped';

/** An outside service a step needs, what is missing and how to connect it. */
export interface NotConfigured {
  /** As people name it, e.g. `Azure DevOps`, `Grafana`, `Cloudflare`. */
  service: string;
  /** What is missing, e.g. `the portal has no Azure DevOps token for organization 'contoso'`. */
  missing: string;
  /** How to connect it, e.g. `set AZURE_DEVOPS_TOKEN … (docs/azure-devops.md)`. */
  connect: string;
}

/**
 * Reads `goldenPath.unconfiguredServices`; `fail` when unset, so that a configuration that does
 * not choose (production) fails loudly.
 */
export function readUnconfiguredServices(config: Config): UnconfiguredServices {
  const value = config.getOptionalString(UNCONFIGURED_SERVICES_KEY) ?? 'fail';
  if (value !== 'skip' && value !== 'fail') {
    throw new InputError(
      `${UNCONFIGURED_SERVICES_KEY} is '${value}': set it to 'skip' (steps whose service is not configured are skipped) or 'fail' (they fail).`,
    );
  }
  return value;
}

/** The one line a skipped step logs. */
export function skippedMessage(nc: NotConfigured): string {
  return `${nc.service} ${SKIPPED}, as ${nc.missing}. To connect it, ${nc.connect}.`;
}

/** The error a step fails with where skipping is not allowed. */
export function failedMessage(nc: NotConfigured): string {
  return `${nc.service} is not configured: ${nc.missing}. To connect it, ${nc.connect}.`;
}

/**
 * Ends a step whose service is not configured: with `skip` logs {@link skippedMessage} as a
 * warning and returns, so the caller returns too; with `fail` throws an `InputError` with
 * {@link failedMessage}. Never says anything about a credential but its setting's name.
 */
export function endUnconfigured(
  mode: UnconfiguredServices,
  logger: Pick<LoggerService, 'warn'>,
  nc: NotConfigured,
): void {
  if (mode === 'fail') {
    throw new InputError(failedMessage(nc));
  }
  logger.warn(skippedMessage(nc));
}
