/**
 * What the portal's scaffolder modules share: how a step whose outside service is not configured
 * ends (`goldenPath.unconfiguredServices`).
 *
 * @packageDocumentation
 */
export {
  endUnconfigured,
  failedMessage,
  readUnconfiguredServices,
  SKIPPED,
  skippedMessage,
  UNCONFIGURED_SERVICES_KEY,
  type NotConfigured,
  type UnconfiguredServices,
} from './unconfigured';
