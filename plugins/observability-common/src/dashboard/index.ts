/**
 * The service overview Grafana dashboard as code (`@grafana/grafana-foundation-sdk`); Node only.
 *
 * @packageDocumentation
 */
export {
  SERVICE_OVERVIEW_UID,
  buildServiceOverviewDashboard,
  serializeDashboard,
} from './serviceOverview';
