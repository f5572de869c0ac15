/**
 * On a Template entity: the version of the template (`template.yaml`). On a Component made from
 * it: the version it was generated from, or last upgraded to on its main branch.
 *
 * @public
 */
export const TEMPLATE_VERSION_ANNOTATION =
  'portal.golden-path/template-version';

/**
 * On a Component: the name of the Template entity it was generated from.
 *
 * @public
 */
export const TEMPLATE_NAME_ANNOTATION = 'portal.golden-path/template-name';

/**
 * The branch an upgrade pull request comes from, one per template and service: a re-run
 * force-pushes it and updates the same pull request.
 *
 * @public
 */
export function upgradeBranchName(templateName: string): string {
  return `template-upgrade/${templateName}`;
}
