/**
 * Where the portal's own TechDocs (the catalog entity golden-path-portal, built from docs/) say
 * which settings give the Golden path card its sources: docs/observability.md, "Golden path card
 * sources".
 */
export const GOLDEN_PATH_SOURCES_DOCS =
  '/docs/default/component/golden-path-portal/observability/#golden-path-card-sources';
