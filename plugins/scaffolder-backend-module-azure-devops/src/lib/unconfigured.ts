import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  endUnconfigured,
  type UnconfiguredServices,
} from '@internal/plugin-scaffolder-portal-node';
import type { ClientFactory, LocationInput } from './connect';

/**
 * Ends a pipeline step whose repository Azure Pipelines cannot build here, or whose organization
 * the portal has no token for (goldenPath.unconfiguredServices: skipped with one line, or failed).
 * True when the step has ended; the caller then sets its outputs and returns. A dry run needs no
 * token, so only the repository's host ends it.
 */
export function endIfNotConfigured(
  ctx: {
    input: LocationInput & { token?: string };
    isDryRun?: boolean;
    logger: Pick<LoggerService, 'warn'>;
  },
  connect: ClientFactory,
  mode: UnconfiguredServices,
  how?: { portalTokenOnly?: boolean },
): boolean {
  const missing = connect.notConfigured(ctx.input, how);
  if (!missing || (ctx.isDryRun && missing.reason === 'token')) {
    return false;
  }
  endUnconfigured(mode, ctx.logger, missing);
  return true;
}
