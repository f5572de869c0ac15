/**
 * What the observability plugin and the Grafana scaffolder module share: the dashboard's queries
 * and the alerting rules, and the checks and escaping of values taken from entities. The
 * dashboard itself is built by `@internal/plugin-observability-common/dashboard`, kept apart so
 * that the Grafana SDK stays out of the app bundle.
 *
 * @packageDocumentation
 */
export * from './queries';
export * from './escape';
export * from './alertRules';
export * from './workload';
export * from './templateVersions';
