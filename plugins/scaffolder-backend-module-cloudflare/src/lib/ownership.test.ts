import {
  checkTags,
  claimScript,
  composeTags,
  identityTags,
  readMarks,
} from './ownership';

const identity = {
  entityRef: 'component:default/shop-images',
  uid: '6f1b2c3d-0000-4000-8000-000000000001',
  owner: 'group:default/web-team',
};
const ZONE = 'fedcba9876543210fedcba9876543210';
const base = {
  scriptName: 'shop-images',
  accountId: 'acc',
  identity,
  takeover: false,
};

describe('claimScript', () => {
  it('accepts a script the portal deployed for the same entity, uid and owner', () => {
    expect(
      claimScript({ ...base, tags: ['team:x', ...identityTags(identity)] }),
    ).toBe('ours');
  });

  it.each([
    [
      'a script without the portal tags',
      ['team:x'],
      'was not deployed by the portal',
    ],
    [
      "another entity's script",
      identityTags({ ...identity, entityRef: 'component:default/blog-images' }),
      'belongs to the catalog entity component:default/blog-images, not component:default/shop-images',
    ],
    [
      "a deleted entity's script, reused by its successor",
      identityTags({ ...identity, uid: 'the-deleted-one' }),
      'was deployed for an earlier catalog entity named component:default/shop-images (owner group:default/web-team)',
    ],
    [
      'a script of another owner than the catalog names now',
      identityTags({ ...identity, owner: 'group:default/other-team' }),
      'was deployed for the owner group:default/other-team, but the catalog now names group:default/web-team',
    ],
  ])('refuses %s, saying what differs', (_what, tags, message) => {
    expect(() => claimScript({ ...base, tags })).toThrow(message);
    expect(claimScript({ ...base, tags, takeover: true })).toBe('takeover');
  });
});

describe('tags', () => {
  it('reads the marks back and keeps the tags of others, dropping the old deploy hash tags', () => {
    const mark = { zoneId: ZONE, routeId: 'a'.repeat(32) };
    const tags = [
      'team:x',
      `deploy-${'0'.repeat(32)}`,
      'deploy-notes',
      ...composeTags([], identity, [mark]),
    ];
    expect(readMarks(tags)).toEqual({
      ...identity,
      routes: [mark],
      foreign: ['team:x', 'deploy-notes'],
    });
  });

  it('refuses more than 8 tags, naming the others to remove', () => {
    const foreign = ['a', 'b', 'c', 'd', 'e', 'f'];
    expect(() =>
      checkTags(composeTags(foreign, identity, []), 'shop-images'),
    ).toThrow(
      "Worker script 'shop-images' would have 9 tags, over Cloudflare's limit of 8: the portal needs 3 of them. Remove 1 of the other tags (a, b, c, d, e, f) from the script",
    );
    expect(() =>
      checkTags(composeTags(foreign.slice(1), identity, []), 'shop-images'),
    ).not.toThrow();
  });

  it("refuses a tag with ',' or '&'", () => {
    expect(() => checkTags(['a,b', 'c&d', 'ok'], 'shop-images')).toThrow(
      "would get tags with ',' or '&', which Cloudflare's tags may not contain: a,b; c&d",
    );
  });
});
