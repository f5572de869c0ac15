import { catalogTitleLink } from './index';

describe('catalogTitleLink', () => {
  it("sends an entity page's Catalog link to the catalog list, not to the entity itself", () => {
    expect(
      catalogTitleLink(
        '/catalog/default/component/sales-dashboard',
        '/catalog',
        '/catalog/default/component/sales-dashboard/kubernetes',
      ),
    ).toBe('/catalog');
  });

  it('gives the entity page the catalog list as its title link where the page resolved none', () => {
    expect(
      catalogTitleLink(
        undefined,
        '/catalog',
        '/catalog/default/component/sales-dashboard',
      ),
    ).toBe('/catalog');
  });

  it("leaves the catalog list's own link and other plugins' links alone", () => {
    expect(catalogTitleLink('/catalog', '/catalog', '/catalog')).toBe(
      '/catalog',
    );
    expect(catalogTitleLink('/create', '/catalog', '/create/tasks/1')).toBe(
      '/create',
    );
    expect(catalogTitleLink(undefined, '/catalog', '/settings')).toBe(
      undefined,
    );
  });
});
