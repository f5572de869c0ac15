/*
 * The stand-in's own behaviour, where it follows Azure DevOps rather than accepting anything: a
 * test of the actions against it proves only what it refuses.
 */
import {
  createAzureDevOpsState,
  handleAzureDevOpsRequest,
} from '../testing/azureDevOpsStandIn';

const PAT = 'stand-in-pat';
const base = 'https://dev.azure.com/contoso/Dashboards/_apis';
const basic = `Basic ${Buffer.from(`:${PAT}`).toString('base64')}`;

function ask(
  path: string,
  options: {
    method?: string;
    authorization?: string;
    fedAuthRedirect?: string;
    body?: unknown;
  } = {},
) {
  const state = createAzureDevOpsState({
    baseUrl: 'https://dev.azure.com',
    organization: 'contoso',
    project: 'Dashboards',
    token: PAT,
    repositories: ['Sales-Dashboard'],
    serviceConnections: [{ name: 'ACR', type: 'dockerregistry' }],
    environments: ['production'],
  });
  return {
    state,
    response: handleAzureDevOpsRequest(state, {
      method: options.method ?? 'GET',
      url: new URL(`${base}/${path}`),
      authorization: options.authorization ?? basic,
      fedAuthRedirect: options.fedAuthRedirect,
      body: options.body,
    }),
  };
}

describe('the Azure DevOps stand-in', () => {
  it('answers a refused credential with the 203 sign-in page, or a JSON 401 when redirects are suppressed', () => {
    const page = ask('build/definitions?api-version=7.1', {
      authorization: 'Basic bm9wZQ==',
    }).response;
    expect(page).toMatchObject({ status: 203, contentType: 'text/html' });
    expect(String(page.body)).toContain('Sign In');
    expect(
      ask('build/definitions?api-version=7.1', {
        authorization: 'Basic bm9wZQ==',
        fedAuthRedirect: 'Suppress',
      }).response,
    ).toMatchObject({
      status: 401,
      body: { typeKey: 'UnauthorizedRequestException' },
    });
  });

  it.each([
    [
      'a released route called with a deactivated preview',
      'serviceendpoint/endpoints?endpointNames=ACR&api-version=7.1-preview.4',
      'VssInvalidPreviewVersionException',
    ],
    [
      'a preview-only route called without -preview',
      'pipelines/pipelinepermissions/environment/1?api-version=7.1',
      'VssInvalidPreviewVersionException',
    ],
    [
      'a preview-only route called with a resource version it does not have',
      'pipelines/checks/configurations?api-version=7.1-preview.4',
      'VssVersionOutOfRangeException',
    ],
    [
      'a version newer than the service',
      'git/repositories/x?api-version=8.0',
      'VssVersionOutOfRangeException',
    ],
    ['no version', 'build/definitions', 'VssVersionNotSpecifiedException'],
  ])('refuses %s (400)', (_name, path, typeKey) => {
    expect(ask(path).response).toMatchObject({
      status: 400,
      body: { typeKey },
    });
  });

  it('accepts each route at the version the 7.1 specification names for it', () => {
    expect(
      ask('serviceendpoint/endpoints?endpointNames=ACR&api-version=7.1')
        .response.status,
    ).toBe(200);
    expect(
      ask('pipelines/checks/configurations?api-version=7.1-preview.1').response
        .status,
    ).toBe(200);
    expect(
      ask(
        'pipelines/pipelinepermissions/environment/1?api-version=7.1-preview.1',
      ).response.status,
    ).toBe(200);
  });

  it('matches repository, service connection, environment and project names without regard to case', () => {
    const repo = ask(
      'git/repositories/sales-dashboard?api-version=7.1',
    ).response;
    expect(repo).toMatchObject({
      status: 200,
      body: { name: 'Sales-Dashboard' },
    });
    expect(
      ask('serviceendpoint/endpoints?endpointNames=acr&api-version=7.1')
        .response.body,
    ).toMatchObject({ count: 1 });
    expect(
      ask('distributedtask/environments?name=PRODUCTION&api-version=7.1')
        .response.body,
    ).toMatchObject({ count: 1 });
    const state = createAzureDevOpsState({
      baseUrl: 'https://dev.azure.com',
      organization: 'contoso',
      project: 'Dashboards',
      token: PAT,
    });
    expect(
      handleAzureDevOpsRequest(state, {
        method: 'GET',
        url: new URL(
          'https://dev.azure.com/Contoso/dashboards/_apis/build/definitions?api-version=7.1',
        ),
        authorization: basic,
      }).status,
    ).toBe(200);
  });

  it('refuses a duplicate environment in another letter case (409)', () => {
    const { response } = ask('distributedtask/environments?api-version=7.1', {
      method: 'POST',
      body: { name: 'Production' },
    });
    expect(response).toMatchObject({
      status: 409,
      body: { typeKey: 'EnvironmentExistsException' },
    });
  });
});
