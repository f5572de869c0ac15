import { ConfigReader } from '@backstage/config';
import { http, HttpResponse } from 'msw';
import {
  AzureDevOpsStandInOptions,
  AzureDevOpsStandInState,
  createAzureDevOpsState,
  handleAzureDevOpsRequest,
  PORTAL_SERVICE_ACCOUNT,
} from '../../testing/azureDevOpsStandIn';
import { createClientFactory } from '../lib/connect';
import { markTags } from '../lib/pipelineMark';
import { readTeamAccess } from '../lib/teamAccess';

export const BASE_URL = 'https://dev.azure.com';
export const ORG = 'contoso';
export const PROJECT = 'dashboards';
/** The PAT in config, the portal's service account's; tests assert it never shows up anywhere. */
export const PAT = 'pat-4f7Qz9LmN2vR8sT1wYx6Kc3Hb5Jd0Pa';
/** A signed-in user's Microsoft Entra token: a plain project member (Contributors). */
export const USER_TOKEN =
  'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJtZW1iZXIifQ.c2lnbmF0dXJl';
export const MEMBER = 'Mia Member';

/**
 * A fresh Azure DevOps of one project, and the msw handler that answers for it. The portal's PAT
 * belongs to a Project Administrator (`Portal service account`), the user token to a plain member.
 */
export function fakeAzureDevOps(
  options: Partial<AzureDevOpsStandInOptions> = {},
): { state: AzureDevOpsStandInState; handler: ReturnType<typeof http.all> } {
  const state = createAzureDevOpsState({
    baseUrl: BASE_URL,
    organization: ORG,
    project: PROJECT,
    token: PAT,
    identities: [{ name: MEMBER, token: USER_TOKEN }],
    repositories: ['sales-dashboard'],
    serviceConnections: [
      { name: 'acr-contoso', type: 'dockerregistry' },
      { name: 'aks-production', type: 'kubernetes' },
      { name: 'github-contoso', type: 'github', users: ['Contributors'] },
    ],
    ...options,
  });
  const handler = http.all(`${BASE_URL}/*`, async ({ request }) => {
    const text = await request.text();
    const response = handleAzureDevOpsRequest(state, {
      method: request.method,
      url: new URL(request.url),
      authorization: request.headers.get('authorization'),
      fedAuthRedirect: request.headers.get('x-tfs-fedauthredirect'),
      body: text ? JSON.parse(text) : undefined,
    });
    if (typeof response.body === 'string') {
      return new HttpResponse(response.body, {
        status: response.status,
        headers: {
          'Content-Type': response.contentType ?? 'text/plain',
          ...response.headers,
        },
      });
    }
    return HttpResponse.json(response.body as any, {
      status: response.status,
      headers: response.headers,
    });
  });
  return { state, handler };
}

/** The integrations config holding a PAT for dev.azure.com. */
export function integrationsWithPat(pat: string = PAT) {
  return {
    integrations: {
      azure: [
        { host: 'dev.azure.com', credentials: [{ personalAccessToken: pat }] },
      ],
    },
  };
}

/** The client factory the module builds from a config holding {@link PAT}; no waiting on retries. */
export function connectWithPat(pat: string = PAT) {
  return createClientFactory({
    config: new ConfigReader(integrationsWithPat(pat)),
    sleep: async () => {},
  });
}

/** The requests as method, path below the project's `_apis/`, query and body. */
export function calls(state: AzureDevOpsStandInState) {
  const prefix = `/${ORG}/${PROJECT}/_apis/`;
  return state.requests.map(r => ({
    method: r.method,
    path: r.path.startsWith(prefix) ? r.path.slice(prefix.length) : r.path,
    query: r.query,
    ...(r.body === undefined ? {} : { body: r.body }),
  }));
}

/** The owner group of the tests' entity, and the entity. */
export const TEAM = 'group:default/dashboards-team';
export const OTHER_TEAM = 'group:default/payments-team';
export const ENTITY = 'component:default/sales-dashboard';
/** The signed-in user of the tests' tasks: a member of {@link TEAM}, as the catalog lists them. */
export const TEAM_MEMBER = { ref: 'user:default/mia', memberOf: [TEAM] };
/** A member of the other team only. */
export const OTHER_MEMBER = {
  ref: 'user:default/omar',
  memberOf: [OTHER_TEAM],
};

/** What each team may use in the tests (`azurePipelines.teams`). */
export const TEAMS_CONFIG = {
  azurePipelines: {
    grantedBy: ['group:default/platform-team'],
    teams: [
      {
        group: TEAM,
        registryServiceConnections: ['acr-contoso'],
        // aks-staging is granted but not created in the stand-in's project.
        kubernetesServiceConnections: ['aks-production', 'aks-staging'],
        environments: ['production', 'staging'],
        // github-fabrikam is granted but not created in the stand-in's project; acr-contoso is
        // granted as a GitHub connection too, to show the type check behind the grant.
        githubServiceConnections: [
          'github-contoso',
          'github-fabrikam',
          'acr-contoso',
        ],
        dockerHubNamespaces: ['contoso'],
      },
      {
        group: OTHER_TEAM,
        registryServiceConnections: ['acr-payments'],
        kubernetesServiceConnections: ['aks-payments'],
        environments: ['payments'],
        githubServiceConnections: ['github-payments'],
        dockerHubNamespaces: ['payments'],
      },
    ],
  },
};

/** {@link TEAMS_CONFIG}, read as the module reads it. */
export const ACCESS = readTeamAccess(new ConfigReader(TEAMS_CONFIG));

/** The mark the portal writes on the tests' pipeline. */
export const MARK = markTags({ entityRef: ENTITY, owner: TEAM });

/**
 * A pipeline that exists in the stand-in already (as `azure:pipeline:ensure` leaves it), with the
 * tags given (the portal's mark for {@link ENTITY} unless told otherwise) and no runs.
 */
export function addPipeline(
  state: AzureDevOpsStandInState,
  options: { id?: number; name?: string; tags?: string[] } = {},
) {
  const id = options.id ?? 101;
  const repository = state.repositories[0];
  state.definitions.push({
    id,
    name: options.name ?? 'sales-dashboard',
    path: '\\',
    repository: { id: repository.id, name: repository.name, type: 'TfsGit' },
    process: { yamlFilename: 'azure-pipelines.yml', type: 2 },
    createdBy: PORTAL_SERVICE_ACCOUNT,
    tags: options.tags ?? [...MARK],
  });
  state.runs.set(id, []);
  return id;
}

/** The call that reads a pipeline's mark, as `calls` lists it. */
export const readTags = (id = 101) => ({
  method: 'GET',
  path: `build/definitions/${id}/tags`,
  query: { 'api-version': '7.1-preview.3' },
});
