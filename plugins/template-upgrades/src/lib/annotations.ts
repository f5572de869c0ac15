/**
 * The template an entity was made from, as an entity ref (`template:default/<name>`): the
 * annotation Backstage's own `catalog:write` action sets and its About card links to.
 *
 * @public
 */
export const SOURCE_TEMPLATE_ANNOTATION = 'backstage.io/source-template';
