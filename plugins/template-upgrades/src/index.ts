/**
 * Template upgrades: which services are behind the template they were made from, and their
 * upgrade pull requests, on a page for the fleet and on each entity.
 *
 * @packageDocumentation
 */
export {
  templateUpgradesPlugin,
  TemplateUpgradesPage,
  EntityTemplateUpgradeCard,
} from './plugin';
export {
  templateUpgradesPredicate,
  isTemplateUpgradeAvailable,
} from './lib/filter';
export { templateUpgradesApiRef } from './api/TemplateUpgradesApi';
export type { TemplateUpgradesApi } from './api/TemplateUpgradesApi';
export { TemplateUpgradesClient } from './api/TemplateUpgradesClient';
