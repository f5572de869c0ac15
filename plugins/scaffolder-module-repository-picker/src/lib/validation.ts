import type { ApiHolder } from '@backstage/frontend-plugin-api';
import { discoveryApiRef, fetchApiRef } from '@backstage/frontend-plugin-api';
import type { RepositoryHost } from '../hooks/useRepositoryHosts';
import { missingParts, parseRepoUrl } from './repoUrl';

/** Whether the backend knows a repository of that name on the local git server. */
async function localRepositoryExists(
  apiHolder: ApiHolder,
  name: string,
): Promise<boolean | undefined> {
  const discovery = apiHolder.get(discoveryApiRef);
  const fetchApi = apiHolder.get(fetchApiRef);
  if (!discovery || !fetchApi) return undefined;
  const base = await discovery.getBaseUrl('scaffolder');
  const res = await fetchApi.fetch(
    `${base}/local-git/repositories/${encodeURIComponent(name)}`,
  );
  if (!res.ok) return undefined;
  return ((await res.json()) as { exists: boolean }).exists;
}

async function hostsOf(apiHolder: ApiHolder): Promise<RepositoryHost[]> {
  const discovery = apiHolder.get(discoveryApiRef);
  const fetchApi = apiHolder.get(fetchApiRef);
  if (!discovery || !fetchApi) return [];
  const base = await discovery.getBaseUrl('scaffolder');
  const res = await fetchApi.fetch(`${base}/repository-hosts`);
  return res.ok
    ? ((await res.json()) as { hosts: RepositoryHost[] }).hosts
    : [];
}

/**
 * The field's check when the page is submitted: every part the chosen host needs, and, on the
 * local git server, a name that is not taken (the publish step refuses it too; here it is said
 * before anything is created).
 */
export async function validateRepositoryLocation(
  value: string | undefined,
  addError: (message: string) => void,
  apiHolder: ApiHolder,
): Promise<void> {
  const location = parseRepoUrl(value);
  const host = (await hostsOf(apiHolder)).find(h => h.host === location.host);
  for (const missing of missingParts(host?.type, location)) {
    addError(missing);
  }
  if (host?.type === 'local-git' && location.repo) {
    if (await localRepositoryExists(apiHolder, location.repo)) {
      addError(
        `a repository named '${location.repo}' already exists on this machine's git server: choose another name`,
      );
    }
  }
}
