import path from 'node:path';
import type { Config } from '@backstage/config';
import type { TemplateLocation } from './templateSource';

/** `templateUpgrades` of app-config (config.d.ts). */
export function readTemplateUpgradesConfig(config: Config): {
  templates: TemplateLocation[];
  adminGroups: string[];
  fleetSubjects: string[];
} {
  const root = config.getOptionalConfig('templateUpgrades');
  return {
    templates: (root?.getOptionalConfigArray('templates') ?? []).map(t => ({
      name: t.getString('name'),
      repository: localOrUrl(t.getString('repository')),
      path: t.getString('path'),
      ref: t.getOptionalString('ref'),
    })),
    adminGroups: root?.getOptionalStringArray('adminGroups') ?? [],
    fleetSubjects: root?.getOptionalStringArray('fleetSubjects') ?? [],
  };
}

/**
 * A git URL as it is; a local path made absolute against the working directory, since git runs
 * in a temporary folder.
 */
export function localOrUrl(repository: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repository) ||
    /^[^/]+@[^/]+:/.test(repository)
    ? repository
    : path.resolve(repository);
}
