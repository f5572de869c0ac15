/**
 * Where the portal's own TechDocs (the catalog entity golden-path-portal, built from docs/) say
 * how to connect a Grafana: docs/observability.md, "Portal configuration".
 */
export const CONNECT_GRAFANA_DOCS =
  '/docs/default/component/golden-path-portal/observability/#portal-configuration';
