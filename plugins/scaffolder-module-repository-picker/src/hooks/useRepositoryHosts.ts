import useAsync from 'react-use/esm/useAsync';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import type { RepositoryHostType } from '../lib/repoUrl';

/**
 * One host as the scaffolder backend's `GET repository-hosts` answers it
 * (`@internal/plugin-scaffolder-backend-module-local-git`, `RepositoryHost`).
 */
export interface RepositoryHost {
  host: string;
  type: RepositoryHostType;
  title: string;
  available: boolean;
  missing?: string;
}

/** The repository hosts among `allowed`, asked as the signed-in user. */
export function useRepositoryHosts(allowed: string[]) {
  const discovery = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const key = allowed.join(',');
  return useAsync(async (): Promise<RepositoryHost[]> => {
    const base = await discovery.getBaseUrl('scaffolder');
    const res = await fetchApi.fetch(
      `${base}/repository-hosts?${new URLSearchParams({ allowed: key })}`,
    );
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return ((await res.json()) as { hosts: RepositoryHost[] }).hosts;
  }, [key, discovery, fetchApi]);
}
