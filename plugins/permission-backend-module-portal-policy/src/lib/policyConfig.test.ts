import { ConfigReader } from '@backstage/config';
import { readPortalPolicyConfig } from './policyConfig';

const read = (portalPolicy: object) =>
  readPortalPolicyConfig(new ConfigReader({ permission: { portalPolicy } }));

describe('readPortalPolicyConfig', () => {
  it('reads admins, templates and actions with refs in lower case and the default namespace', () => {
    expect(
      read({
        admins: ['group:default/Platform-Team', 'user:default/root'],
        templates: [
          { name: 'cloudflare-image-optimizer', allowed: ['group:ops'] },
        ],
        actions: [{ id: 'cloudflare:worker:deploy', allowed: ['group:ops'] }],
      }),
    ).toEqual({
      admins: ['group:default/platform-team', 'user:default/root'],
      templates: [
        {
          name: 'cloudflare-image-optimizer',
          namespace: 'default',
          allowed: ['group:default/ops'],
        },
      ],
      actions: [
        { id: 'cloudflare:worker:deploy', allowed: ['group:default/ops'] },
      ],
    });
  });

  it('restricts nothing when the section is missing', () => {
    expect(readPortalPolicyConfig(new ConfigReader({}))).toEqual({
      admins: [],
      templates: [],
      actions: [],
    });
  });

  it('names the setting when a ref has no kind', () => {
    expect(() => read({ admins: ['platform-team'] })).toThrow(
      "permission.portalPolicy.admins[0]: 'platform-team' is not an entity ref; write it as group:default/<name> or user:default/<name>",
    );
  });

  it('refuses refs to entities that are neither groups nor users', () => {
    expect(() =>
      read({ actions: [{ id: 'x:y', allowed: ['component:default/web'] }] }),
    ).toThrow(
      "permission.portalPolicy.actions[0].allowed[0]: 'component:default/web' is a component; only groups and users can be given permissions",
    );
  });
});
