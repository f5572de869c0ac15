/**
 * The portal's permission policy, as a module of the permission backend.
 *
 * @packageDocumentation
 */
export { permissionModulePortalPolicy as default } from './module';
export { PortalPermissionPolicy } from './policy';
export {
  readPortalPolicyConfig,
  POLICY_CONFIG_KEY,
  type PortalPolicyConfig,
  type RestrictedAction,
  type RestrictedTemplate,
} from './lib/policyConfig';
