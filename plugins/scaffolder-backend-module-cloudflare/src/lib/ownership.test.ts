import { claimScript, entityTag, routeTag, taggedRoute } from './ownership';

const base = {
  scriptName: 'shop-images',
  accountId: 'acc',
  entityRef: 'component:default/shop-images',
  takeover: false,
};

describe('claimScript', () => {
  it('claims a new script, and one tagged for the same entity', () => {
    expect(claimScript({ ...base, tags: undefined })).toBe('new');
    expect(
      claimScript({
        ...base,
        tags: ['x', entityTag('component:default/shop-images')],
      }),
    ).toBe('ours');
  });

  it('refuses a script of another entity unless taken over', () => {
    const tags = [entityTag('component:default/blog-images')];
    expect(() => claimScript({ ...base, tags })).toThrow(
      "Worker script 'shop-images' in account acc belongs to the catalog entity component:default/blog-images, not component:default/shop-images",
    );
    expect(claimScript({ ...base, tags, takeover: true })).toBe('takeover');
  });

  it('refuses a script without the portal tag', () => {
    expect(() => claimScript({ ...base, tags: [] })).toThrow(
      /already exists in account acc and was not deployed by the portal/,
    );
  });
});

describe('taggedRoute', () => {
  it('reads back the route it tagged, the pattern keeping its slashes', () => {
    const tag = routeTag(
      'fedcba9876543210fedcba9876543210',
      'example.com/img/*',
    );
    expect(taggedRoute(['other', tag])).toEqual({
      zoneId: 'fedcba9876543210fedcba9876543210',
      pattern: 'example.com/img/*',
    });
    expect(taggedRoute(['other'])).toBeUndefined();
  });
});
