import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { Config } from '@backstage/config';

/** Where the policy's settings live in app-config. */
export const POLICY_CONFIG_KEY = 'permission.portalPolicy';

/** A template that only some may see and run. */
export interface RestrictedTemplate {
  name: string;
  namespace: string;
  /** Entity refs (lower case) of the users and groups allowed, besides the admins. */
  allowed: string[];
}

/** An action that only some may run. */
export interface RestrictedAction {
  id: string;
  /** Entity refs (lower case) of the users and groups allowed, besides the admins. */
  allowed: string[];
}

/** The policy's settings, checked and normalised. */
export interface PortalPolicyConfig {
  /** Entity refs (lower case) of the users and groups that may do everything. */
  admins: string[];
  templates: RestrictedTemplate[];
  actions: RestrictedAction[];
}

/**
 * `group:default/Platform-Team` → `group:default/platform-team`. Refs in configuration must be
 * complete (kind, and a Group or User), so that a typo cannot silently match nothing.
 */
function normaliseRef(ref: string, key: string): string {
  let parsed;
  try {
    parsed = parseEntityRef(ref);
  } catch (error) {
    throw new Error(
      `${key}: '${ref}' is not an entity ref; write it as group:default/<name> or user:default/<name>`,
    );
  }
  const kind = parsed.kind.toLocaleLowerCase('en-US');
  if (kind !== 'group' && kind !== 'user') {
    throw new Error(
      `${key}: '${ref}' is a ${parsed.kind}; only groups and users can be given permissions (group:default/<name> or user:default/<name>)`,
    );
  }
  return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
}

function refs(config: Config, key: string, path: string): string[] {
  return (config.getOptionalStringArray(key) ?? []).map((ref, index) =>
    normaliseRef(ref, `${path}.${key}[${index}]`),
  );
}

/** Reads `permission.portalPolicy`; throws naming the setting when a value is wrong. */
export function readPortalPolicyConfig(root: Config): PortalPolicyConfig {
  const config = root.getOptionalConfig(POLICY_CONFIG_KEY);
  if (!config) {
    return { admins: [], templates: [], actions: [] };
  }
  const templates = (config.getOptionalConfigArray('templates') ?? []).map(
    (entry, index) => {
      const path = `${POLICY_CONFIG_KEY}.templates[${index}]`;
      return {
        name: entry.getString('name'),
        namespace: entry.getOptionalString('namespace') ?? 'default',
        allowed: refs(entry, 'allowed', path),
      };
    },
  );
  const actions = (config.getOptionalConfigArray('actions') ?? []).map(
    (entry, index) => ({
      id: entry.getString('id'),
      allowed: refs(entry, 'allowed', `${POLICY_CONFIG_KEY}.actions[${index}]`),
    }),
  );
  return {
    admins: refs(config, 'admins', POLICY_CONFIG_KEY),
    templates,
    actions,
  };
}
