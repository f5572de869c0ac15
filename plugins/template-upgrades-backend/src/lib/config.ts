import type { Config } from '@backstage/config';
import type { TemplateLocation } from './templateSource';

/** `templateUpgrades` of app-config (config.d.ts). */
export function readTemplateUpgradesConfig(config: Config): {
  templates: TemplateLocation[];
  adminGroups: string[];
} {
  const root = config.getOptionalConfig('templateUpgrades');
  return {
    templates: (root?.getOptionalConfigArray('templates') ?? []).map(t => ({
      name: t.getString('name'),
      repository: t.getString('repository'),
      path: t.getString('path'),
      ref: t.getOptionalString('ref'),
    })),
    adminGroups: root?.getOptionalStringArray('adminGroups') ?? [],
  };
}
