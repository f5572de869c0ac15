/**
 * Template upgrades as pull requests: the backend plugin, and the engine the fleet command uses.
 *
 * @packageDocumentation
 */
export { templateUpgradesPlugin as default } from './plugin';
export { UpgradeService } from './service/UpgradeService';
export type { Caller, UpgradeServiceOptions } from './service/UpgradeService';
export { TemplateSource, versionTag } from './lib/templateSource';
export type { TemplateLocation } from './lib/templateSource';
export { ScaffolderDryRunRenderer } from './lib/render';
export type { TemplateRenderer } from './lib/render';
