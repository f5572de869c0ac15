/**
 * Grafana panels with each catalog entity's Prometheus metrics and Loki logs.
 *
 * @packageDocumentation
 */
export {
  observabilityPlugin,
  EntityObservabilityContent,
  EntityObservabilityCard,
  EntityAlertsCard,
} from './plugin';
export { observabilityApiRef } from './api/ObservabilityApi';
export type {
  ObservabilityApi,
  GrafanaHealth,
  GrafanaDashboardSummary,
} from './api/ObservabilityApi';
export { GrafanaClient } from './api/GrafanaClient';
export { ANNOTATIONS, isObservabilityAvailable } from './lib/annotations';
export type { ObservabilityTarget } from './lib/annotations';
export type { GrafanaInstance, GrafanaSettings } from './lib/config';
export type { ActiveAlert } from './lib/alerts';
