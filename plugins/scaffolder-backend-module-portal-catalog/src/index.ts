/**
 * Scaffolder action `portal:catalog:register`: a template registers the repository it published,
 * as the portal, only under the configured registerable locations.
 *
 * @packageDocumentation
 */
export { scaffolderModulePortalCatalog as default } from './module';
export {
  createPortalCatalogRegisterAction,
  PORTAL_CATALOG_REGISTER_ID,
} from './actions/register';
