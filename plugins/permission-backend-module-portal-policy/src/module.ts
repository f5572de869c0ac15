import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { readPortalPolicyConfig } from './lib/policyConfig';
import { PortalPermissionPolicy } from './policy';

/**
 * Installs {@link PortalPermissionPolicy} in the permission backend, configured from
 * `permission.portalPolicy`.
 * @public
 */
export const permissionModulePortalPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'portal-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        logger: coreServices.logger,
      },
      async init({ policy, config, userInfo, logger }) {
        const settings = readPortalPolicyConfig(config);
        logger.info(
          `Portal permission policy: ${settings.admins.length} admin ref(s), ${settings.templates.length} restricted template(s), ${settings.actions.length} restricted action(s)`,
        );
        policy.setPolicy(
          new PortalPermissionPolicy({ config: settings, userInfo }),
        );
      },
    });
  },
});
