/**
 * The scaffolder action that puts a service's dashboard and alert rules into Grafana, and the
 * function behind the command that does it for every catalog entity.
 *
 * @packageDocumentation
 */
export { scaffolderModuleGrafana as default } from './module';
export {
  createGrafanaDashboardApplyAction,
  DASHBOARD_APPLY_ACTION_ID,
  type GrafanaDashboardApplyActionOptions,
} from './actions/dashboardApply';
export { provisionCatalog } from './commands/provisionCatalog';
