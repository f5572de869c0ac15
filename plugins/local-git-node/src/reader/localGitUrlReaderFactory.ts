import { createServiceFactory } from '@backstage/backend-plugin-api';
import { urlReaderFactoriesServiceRef } from '@backstage/backend-defaults/urlReader';
import { LocalGitUrlReader } from './LocalGitUrlReader';

/**
 * Adds the local git server's URL reader to every plugin's URL reader (the catalog reads new
 * services' catalog files with it, TechDocs their docs). It reads nothing unless `localGit` is
 * configured. `backend.add(localGitUrlReaderFactory)`.
 *
 * @public
 */
export const localGitUrlReaderFactory = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: {},
  async factory() {
    return LocalGitUrlReader.factory;
  },
});
