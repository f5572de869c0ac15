import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import {
  BASE_URL,
  calls,
  connectWithPat,
  fakeAzureDevOps,
  ORG,
  PROJECT,
} from '../__testUtils__/msw';
import { expectNoToken } from '../__testUtils__/secrets';
import { createAzurePipelineAuthorizeAction } from './pipelineAuthorize';

const input = {
  organization: ORG,
  project: PROJECT,
  pipelineId: 101,
  serviceConnections: ['acr-contoso', 'aks-production'],
  environment: 'production',
  environmentDescription: 'Created by the portal.',
};

describe('azure:pipeline:authorize', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const action = createAzurePipelineAuthorizeAction({
    connect: connectWithPat(),
  });

  it('creates the missing environment and authorizes the pipeline on both connections and on it', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const run = createTestActionContext({ input });

    await action.handler(run.ctx as any);

    const [acr, aks] = state.serviceConnections;
    const permissions = (type: string, id: string) => [
      {
        method: 'GET',
        path: `pipelines/pipelinepermissions/${type}/${id}`,
        query: { 'api-version': '7.1-preview.1' },
      },
      {
        method: 'PATCH',
        path: `pipelines/pipelinepermissions/${type}/${id}`,
        query: { 'api-version': '7.1-preview.1' },
        body: { pipelines: [{ id: 101, authorized: true }] },
      },
    ];
    expect(calls(state)).toEqual([
      {
        method: 'GET',
        path: 'serviceendpoint/endpoints',
        query: {
          endpointNames: 'acr-contoso,aks-production',
          'api-version': '7.1-preview.4',
        },
      },
      {
        method: 'GET',
        path: 'distributedtask/environments',
        query: { name: 'production', 'api-version': '7.1-preview.1' },
      },
      {
        method: 'POST',
        path: 'distributedtask/environments',
        query: { 'api-version': '7.1-preview.1' },
        body: { name: 'production', description: 'Created by the portal.' },
      },
      ...permissions('endpoint', acr.id),
      ...permissions('endpoint', aks.id),
      ...permissions('environment', '1'),
    ]);
    expect(state.environments).toEqual([
      { id: 1, name: 'production', description: 'Created by the portal.' },
    ]);
    expect(run.outputs).toEqual({
      environmentId: 1,
      environmentUrl: `${BASE_URL}/${ORG}/${PROJECT}/_environments/1`,
      environmentCreated: true,
      authorized: [
        "service connection 'acr-contoso'",
        "service connection 'aks-production'",
        "environment 'production'",
      ],
    });
    expectNoToken(run);
  });

  it('changes nothing when run again: the environment exists and the pipeline is authorized', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    await action.handler(createTestActionContext({ input }).ctx as any);
    state.requests.length = 0;

    const again = createTestActionContext({ input });
    await action.handler(again.ctx as any);

    expect(calls(state).filter(c => c.method !== 'GET')).toEqual([]);
    expect(state.environments).toHaveLength(1);
    expect(again.outputs).toMatchObject({
      environmentId: 1,
      environmentCreated: false,
      authorized: [],
    });
    expect(again.logLines.join('\n')).toContain('was already authorized');
  });

  it('leaves a resource open to all pipelines alone and uses an existing environment', async () => {
    const { state, handler } = fakeAzureDevOps({
      environments: ['production'],
    });
    const acr = state.serviceConnections[0];
    state.permissions.set(`endpoint/${acr.id}`, {
      resource: { type: 'endpoint', id: acr.id },
      pipelines: [],
      allPipelines: { authorized: true },
    });
    server.use(handler);
    const run = createTestActionContext({ input });

    await action.handler(run.ctx as any);

    expect(
      calls(state)
        .filter(c => c.method !== 'GET')
        .map(c => `${c.method} ${c.path}`),
    ).toEqual([
      `PATCH pipelines/pipelinepermissions/endpoint/${state.serviceConnections[1].id}`,
      'PATCH pipelines/pipelinepermissions/environment/1',
    ]);
    expect(run.outputs.environmentCreated).toBe(false);
  });

  it('lists the service connections the project does not have and how to add them', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);

    await expect(
      action.handler(
        createTestActionContext({
          input: {
            ...input,
            serviceConnections: ['acr-contoso', 'aks-staging'],
          },
        }).ctx as any,
      ),
    ).rejects.toThrow(
      "Project 'dashboards' of organization 'contoso' has no service connection named 'aks-staging'. " +
        'A project administrator creates it once (Project settings > Service connections; see docs/azure-devops.md), or correct the name in the form.',
    );
    expect(state.environments).toEqual([]);
  });

  it('names the resource and the scope when authorizing is forbidden (403)', async () => {
    const { state, handler } = fakeAzureDevOps({
      environments: ['production'],
    });
    state.failures.push({
      method: 'PATCH',
      path: /^pipelines\/pipelinepermissions\/environment\//,
      status: 403,
      message:
        'Access denied. The user needs Administer permissions on environment production.',
    });
    server.use(handler);

    await expect(
      action.handler(createTestActionContext({ input }).ctx as any),
    ).rejects.toThrow(
      "The Azure DevOps token may not authorize pipeline 101 on the environment 'production' (403) in project 'dashboards' of organization 'contoso': " +
        'it needs the scope "Pipeline Resources: Use & manage", and its user needs that permission in the project. ' +
        'Azure DevOps said: Access denied. The user needs Administer permissions on environment production.',
    );
  });

  it('reports a conflict creating the environment (409) with Azure DevOps’ message', async () => {
    const { state, handler } = fakeAzureDevOps();
    state.failures.push({
      method: 'POST',
      path: /^distributedtask\/environments$/,
      status: 409,
      message: 'Environment production already exists in current project.',
    });
    server.use(handler);

    await expect(
      action.handler(createTestActionContext({ input }).ctx as any),
    ).rejects.toThrow(
      /create the environment 'production' because of a conflict \(409\).*Azure DevOps said: Environment production already exists in current project\./,
    );
  });
});
