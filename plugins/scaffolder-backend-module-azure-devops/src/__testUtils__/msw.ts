import { ConfigReader } from '@backstage/config';
import { http, HttpResponse } from 'msw';
import {
  AzureDevOpsStandInOptions,
  AzureDevOpsStandInState,
  createAzureDevOpsState,
  handleAzureDevOpsRequest,
} from '../../testing/azureDevOpsStandIn';
import { createClientFactory } from '../lib/connect';

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
