import { ConfigReader } from '@backstage/config';
import {
  allowingPrefix,
  readRegisterableLocations,
} from './registerableLocations';

const read = (registerableLocations: string[]) =>
  readRegisterableLocations(
    new ConfigReader({
      permission: { portalPolicy: { registerableLocations } },
    }),
  );

describe('readRegisterableLocations', () => {
  it('reads URL prefixes and none when the setting is missing', () => {
    expect(read(['https://dev.azure.com/acme/'])).toEqual([
      'https://dev.azure.com/acme/',
    ]);
    expect(readRegisterableLocations(new ConfigReader({}))).toEqual([]);
  });

  it('refuses a prefix without a trailing slash, naming the entry', () => {
    expect(() => read(['https://github.com/acme'])).toThrow(
      "permission.portalPolicy.registerableLocations[0]: 'https://github.com/acme' must be a plain http(s) URL prefix ending in '/'",
    );
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => read(['github.com/acme/'])).toThrow(/is not an absolute URL/);
    expect(() => read(['file:///etc/'])).toThrow(/plain http\(s\) URL prefix/);
  });
});

describe('allowingPrefix', () => {
  const prefixes = ['https://github.com/acme/', 'https://dev.azure.com/acme/'];

  it('finds the prefix a repository file is under', () => {
    expect(
      allowingPrefix(
        'https://github.com/acme/shop/blob/main/catalog-info.yaml',
        prefixes,
      ),
    ).toBe('https://github.com/acme/');
  });

  it('allows an Azure Repos file URL, whose path is an encoded query parameter', () => {
    expect(
      allowingPrefix(
        'https://dev.azure.com/acme/shop/_git/shop?path=%2Fcatalog-info.yaml&version=GBmain',
        prefixes,
      ),
    ).toBe('https://dev.azure.com/acme/');
  });

  it('does not let a longer organisation name match a shorter prefix', () => {
    expect(
      allowingPrefix(
        'https://github.com/acme-evil/x/blob/main/catalog-info.yaml',
        prefixes,
      ),
    ).toBeUndefined();
  });

  it('compares the URL after resolving dot segments', () => {
    expect(
      allowingPrefix(
        'https://github.com/acme/../other/x/blob/main/catalog-info.yaml',
        prefixes,
      ),
    ).toBeUndefined();
  });

  it('refuses encoded dots, slashes and backslashes, and credentials in the URL', () => {
    for (const target of [
      'https://github.com/acme/%2e%2e/other/catalog-info.yaml',
      'https://github.com/acme/x%2F..%2F../catalog-info.yaml',
      'https://github.com/acme/x/..\\..\\other/catalog-info.yaml',
      'https://user:pw@github.com/acme/x/catalog-info.yaml',
    ]) {
      expect(allowingPrefix(target, prefixes)).toBeUndefined();
    }
  });
});
