/*
 * Observability follows the service's code: each dashboard panel and alert rule names the first
 * version of the service template whose code provides what it reads (`since`), and the portal
 * provisions for a service only what its recorded template version has. The version is the
 * catalog entity's `portal.golden-path/template-version`, read from the repository's main
 * branch, so a template upgrade changes a service's dashboard and rules only once its pull
 * request is merged and the portal provisions again (docs/template-upgrades.md).
 */
import { compareVersions } from '@internal/plugin-template-upgrades-common';

/**
 * What is provisioned for a service that records no template version (made before versions
 * were recorded, or not from the template): the panels and rules of the first recorded version.
 *
 * @public
 */
export const BASELINE_TEMPLATE_VERSION = '1.0.0';

/**
 * The definitions a service at `templateVersion` has the code for: those whose `since` is that
 * version or older.
 *
 * @public
 */
export function forTemplateVersion<T extends { since: string }>(
  definitions: readonly T[],
  templateVersion: string,
): T[] {
  return definitions.filter(
    d => compareVersions(d.since, templateVersion) <= 0,
  );
}
