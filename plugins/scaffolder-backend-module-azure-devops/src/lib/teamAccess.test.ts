import { ConfigReader } from '@backstage/config';
import {
  checkGranted,
  readTeamAccess,
  userClaims,
  whoGrants,
} from './teamAccess';

const read = (azurePipelines: object) =>
  readTeamAccess(new ConfigReader({ azurePipelines }));

describe('readTeamAccess', () => {
  it('normalises group refs and keeps each kind of name', () => {
    const access = read({
      grantedBy: ['Platform-Team'],
      teams: [{ group: 'Team-A', environments: ['prod-a'] }],
    });
    expect(access.grantedBy).toEqual(['group:default/platform-team']);
    expect(access.teams.get('group:default/team-a')).toEqual({
      registry: [],
      kubernetes: [],
      environment: ['prod-a'],
      github: [],
      organization: [],
      project: [],
      dockerhub: [],
    });
  });

  it('stops at a value that is not a group ref, naming the setting', () => {
    expect(() =>
      read({ teams: [{ group: 'user:default/ann', environments: [] }] }),
    ).toThrow(
      "azurePipelines.teams[0].group: 'user:default/ann' is not a group ref; write it as group:default/<name>",
    );
  });

  it('stops at a group listed twice', () => {
    expect(() =>
      read({ teams: [{ group: 'team-a' }, { group: 'group:default/Team-A' }] }),
    ).toThrow(
      'azurePipelines.teams[1].group: group:default/team-a is listed twice in azurePipelines.teams; merge its entries into one',
    );
  });

  it('grants nothing to a group without an entry, and says whom to ask without grantedBy', () => {
    const access = read({});
    expect(whoGrants(access)).toBe(
      'the portal administrators, who maintain azurePipelines.teams',
    );
    expect(() =>
      checkGranted(access, 'group:default/team-a', 'registry', 'acr'),
    ).toThrow(
      "The registry service connection 'acr' is not granted to group:default/team-a: group:default/team-a may use no registry service connection yet",
    );
  });
});

describe('userClaims', () => {
  it('takes the groups from the memberOf relations and from spec.memberOf', () => {
    const claims = userClaims({
      ref: 'user:default/Ann',
      entity: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'ann' },
        spec: { memberOf: ['team-b'] },
        relations: [{ type: 'memberOf', targetRef: 'group:default/Team-A' }],
      },
    });
    expect(claims).toEqual({
      ref: 'user:default/ann',
      groups: new Set(['group:default/team-a', 'group:default/team-b']),
    });
  });
});
