import { useLocation } from 'react-router-dom';
import {
  createFrontendModule,
  type PageLayoutProps,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import appPlugin from '@backstage/plugin-app';
import { SwappableComponentBlueprint } from '@backstage/plugin-app-react';
import catalogPlugin from '@backstage/plugin-catalog/alpha';

/**
 * The header's title link of a page, fixed for the catalog: the catalog plugin declares no root
 * route, so the entity page's header links "Catalog" to the entity itself (the page's own route)
 * instead of the catalog list. Any other title link is left as it is.
 */
export function catalogTitleLink(
  titleLink: string | undefined,
  catalogIndex: string | undefined,
  pathname: string,
): string | undefined {
  if (
    titleLink &&
    catalogIndex &&
    titleLink.startsWith(`${catalogIndex.replace(/\/$/, '')}/`) &&
    pathname.startsWith(titleLink)
  ) {
    return catalogIndex;
  }
  return titleLink;
}

type Layout = (props: PageLayoutProps) => JSX.Element | null;

function withCatalogTitleLink(Inner: Layout): Layout {
  return function PageLayoutWithCatalogLink(props: PageLayoutProps) {
    const catalogIndex = useRouteRef(catalogPlugin.routes.catalogIndex)?.();
    const { pathname } = useLocation();
    return (
      <Inner
        {...props}
        titleLink={catalogTitleLink(props.titleLink, catalogIndex, pathname)}
      />
    );
  };
}

const pageLayout = appPlugin
  .getExtension('component:app/core-page-layout')
  .override({
    *factory(originalFactory) {
      const original = originalFactory().get(
        SwappableComponentBlueprint.dataRefs.component,
      );
      yield SwappableComponentBlueprint.dataRefs.component({
        ref: original.ref,
        loader: async () =>
          withCatalogTitleLink((await original.loader()) as Layout) as Awaited<
            ReturnType<typeof original.loader>
          >,
      });
    },
  });

/** The app's page layout: the plugin's own, with the catalog's title link fixed. */
export const pageLayoutModule = createFrontendModule({
  pluginId: 'app',
  extensions: [pageLayout],
});
