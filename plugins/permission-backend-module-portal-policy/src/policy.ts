import type { UserInfoService } from '@backstage/backend-plugin-api';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationCreatePermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import type {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  createScaffolderActionConditionalDecision,
  createScaffolderTaskConditionalDecision,
  scaffolderActionConditions,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import type { PortalPolicyConfig } from './lib/policyConfig';

/** `anyOf` needs at least one entry; callers return early when there is none. */
function nonEmpty<T>(items: T[]): [T, ...T[]] {
  return items as [T, ...T[]];
}

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };

/**
 * The portal's permission policy. Everything not named here is allowed to every signed-in user:
 *
 * - admins may do everything;
 * - a restricted template is visible (and so runnable) only for those it allows: to everyone else
 *   the catalog does not return it, and the scaffolder cannot find it;
 * - a restricted action runs only for those it allows, whatever template calls it;
 * - an entity can be unregistered (deleted) only by its owners;
 * - catalog locations can be registered and deleted only by admins (a location has no owner to
 *   check, and whatever it registers, a template among them, would act with the portal's
 *   credentials); the templates register new services through `portal:catalog:register`;
 * - a scaffolder task (its parameters, log and events) can be read and cancelled only by the user
 *   who started it.
 *
 * @public
 */
export class PortalPermissionPolicy implements PermissionPolicy {
  private readonly config: PortalPolicyConfig;
  private readonly userInfo: UserInfoService;

  constructor(options: {
    config: PortalPolicyConfig;
    userInfo: UserInfoService;
  }) {
    this.config = options.config;
    this.userInfo = options.userInfo;
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { userEntityRef, claims } = await this.claimsOf(user);
    const has = (allowed: string[]) => allowed.some(ref => claims.has(ref));
    if (has(this.config.admins)) {
      return ALLOW;
    }
    const { permission } = request;

    if (isPermission(permission, catalogEntityReadPermission)) {
      const hidden = this.config.templates.filter(t => !has(t.allowed));
      if (hidden.length === 0) {
        return ALLOW;
      }
      return createCatalogConditionalDecision(permission, {
        not: {
          anyOf: nonEmpty(
            hidden.map(t => ({
              allOf: [
                catalogConditions.isEntityKind({ kinds: ['Template'] }),
                catalogConditions.hasMetadata({ key: 'name', value: t.name }),
                catalogConditions.hasMetadata({
                  key: 'namespace',
                  value: t.namespace,
                }),
              ],
            })),
          ),
        },
      });
    }

    if (isPermission(permission, actionExecutePermission)) {
      const refused = this.config.actions.filter(a => !has(a.allowed));
      if (refused.length === 0) {
        return ALLOW;
      }
      return createScaffolderActionConditionalDecision(permission, {
        not: {
          anyOf: nonEmpty(
            refused.map(a =>
              scaffolderActionConditions.hasActionId({ actionId: a.id }),
            ),
          ),
        },
      });
    }

    if (isPermission(permission, catalogEntityDeletePermission)) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: [...claims] }),
      );
    }

    if (
      isPermission(permission, catalogLocationDeletePermission) ||
      isPermission(permission, catalogLocationCreatePermission)
    ) {
      return DENY;
    }

    if (
      isPermission(permission, taskReadPermission) ||
      isPermission(permission, taskCancelPermission)
    ) {
      // `createdBy` is the user entity ref the scaffolder stored from the token that started it.
      return userEntityRef
        ? createScaffolderTaskConditionalDecision(
            permission,
            scaffolderTaskConditions.isTaskOwner({
              createdBy: [userEntityRef],
            }),
          )
        : DENY;
    }

    return ALLOW;
  }

  /** The user's ref, and their own ref and the groups the catalog lists them in, lower case. */
  private async claimsOf(
    user?: PolicyQueryUser,
  ): Promise<{ userEntityRef?: string; claims: Set<string> }> {
    if (!user) {
      return { claims: new Set() };
    }
    const info = await this.userInfo.getUserInfo(user.credentials);
    return {
      userEntityRef: info.userEntityRef,
      claims: new Set(
        info.ownershipEntityRefs.map(ref => ref.toLocaleLowerCase('en-US')),
      ),
    };
  }
}
