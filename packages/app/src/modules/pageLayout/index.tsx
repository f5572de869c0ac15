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
 * The header's title link of a page, fixed for the catalog's entity page: the catalog plugin
 * declares no root route, so the page's own route (the entity's, which needs parameters) is its
 * title route; that resolves to nothing, and the header falls back to the page's mount path, so
 * "Catalog" linked to the entity itself instead of the catalog list. Any page outside the
 * catalog's entity pages keeps its link.
 */
export function catalogTitleLink(
  titleLink: string | undefined,
  catalogIndex: string | undefined,
  pathname: string,
): string | undefined {
  if (!catalogIndex) {
    return titleLink;
  }
  const entityPages = `${catalogIndex.replace(/\/$/, '')}/`;
  const onEntityPage = pathname.startsWith(entityPages);
  const linksToItself =
    !titleLink ||
    (titleLink.startsWith(entityPages) && pathname.startsWith(titleLink));
  return onEntityPage && linksToItself ? catalogIndex : titleLink;
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
