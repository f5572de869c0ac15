import useAsync from 'react-use/esm/useAsync';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';

/**
 * What the scaffolder backend's `GET azure-pipelines/team-resources` answers
 * (`@internal/plugin-scaffolder-backend-module-azure-devops`, `TeamResourcesResponse`).
 */
export interface TeamResources {
  owner: string;
  kind: string;
  /** How the kind is called, e.g. `registry service connection`. */
  label: string;
  names: string[];
  /** Whom to ask for more. */
  grantedBy: string;
  /**
   * For organizations: those granted to the owner that the portal has no credential for (left out
   * of `names`), and one sentence saying what to configure.
   */
  notOffered?: { names: string[]; message: string };
}

/**
 * The names of one kind (`registry`, `kubernetes`, `environment`) that the portal grants the owner
 * group, asked as the signed-in user (fetchApi adds their token; the backend checks that they are a
 * member of the group). Nothing is asked before an owner is chosen.
 */
export function useTeamResources(owner: string | undefined, kind: string) {
  const discovery = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  return useAsync(async (): Promise<TeamResources | undefined> => {
    if (!owner) {
      return undefined;
    }
    const base = await discovery.getBaseUrl('scaffolder');
    const query = new URLSearchParams({ owner, kind });
    const res = await fetchApi.fetch(
      `${base}/azure-pipelines/team-resources?${query}`,
    );
    if (!res.ok) {
      throw await ResponseError.fromResponse(res);
    }
    return (await res.json()) as TeamResources;
  }, [owner, kind, discovery, fetchApi]);
}
