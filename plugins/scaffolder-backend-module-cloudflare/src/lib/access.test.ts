import { ConfigReader } from '@backstage/config';
import {
  checkMayDeployFor,
  readAccessConfig,
  resolveApiToken,
  userClaims,
} from './access';

describe('readAccessConfig', () => {
  it('reads group refs in full and lower case, and keeps an unset team token as empty', () => {
    const access = readAccessConfig(
      new ConfigReader({
        cloudflare: {
          apiToken: 'portal',
          portalTokenGroups: ['Platform-Team'],
          teamTokens: [{ group: 'group:default/web-team' }],
          takeoverGroups: ['group:ops/admins'],
        },
      }),
    );
    expect(access.portalTokenGroups).toEqual(['group:default/platform-team']);
    expect([...access.teamTokens]).toEqual([['group:default/web-team', '']]);
    expect(access.takeoverGroups).toEqual(['group:ops/admins']);
  });

  it('names the setting when a group ref is not one', () => {
    expect(() =>
      readAccessConfig(
        new ConfigReader({
          cloudflare: { teamTokens: [{ group: 'user:default/alice' }] },
        }),
      ),
    ).toThrow(
      "cloudflare.teamTokens[0].group: 'user:default/alice' is not a group ref; write it as group:default/<name>",
    );
  });

  it('allows nothing when the section is missing', () => {
    const access = readAccessConfig(new ConfigReader({}));
    expect(() => resolveApiToken(access, 'group:default/x')).toThrow(
      /No Cloudflare token for group:default\/x/,
    );
  });
});

describe('userClaims', () => {
  it('takes the groups from the relations and from spec.memberOf', () => {
    const claims = userClaims({
      ref: 'user:default/Alice',
      entity: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'alice' },
        spec: { memberOf: ['web-team'] },
        relations: [{ type: 'memberOf', targetRef: 'group:default/ops' }],
      },
    });
    expect([...claims].sort()).toEqual([
      'group:default/ops',
      'group:default/web-team',
      'user:default/alice',
    ]);
  });

  it('gives a user without a catalog entity no group, so they may deploy for none', () => {
    expect(() =>
      checkMayDeployFor(
        'group:default/web-team',
        userClaims({}),
        'component:default/shop-images',
      ),
    ).toThrow(
      'Only members of group:default/web-team, which owns component:default/shop-images in the catalog, may deploy its Worker; you are signed in as nobody, a member of no group. Ask a member of group:default/web-team to deploy it, or to add you to the group',
    );
  });
});
