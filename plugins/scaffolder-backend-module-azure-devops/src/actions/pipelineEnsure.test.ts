import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import {
  BASE_URL,
  calls,
  connectWithPat,
  fakeAzureDevOps,
  ORG,
  PAT,
  PROJECT,
} from '../__testUtils__/msw';
import { expectNoToken } from '../__testUtils__/secrets';
import { createAzurePipelineEnsureAction } from './pipelineEnsure';

const azureInput = {
  organization: ORG,
  project: PROJECT,
  name: 'sales-dashboard',
  folder: '\\',
  yamlPath: 'azure-pipelines.yml',
  repository: { type: 'azureReposGit' as const, name: 'sales-dashboard' },
};

const githubInput = {
  ...azureInput,
  folder: '/dashboards/',
  repository: {
    type: 'gitHub' as const,
    name: 'contoso/sales-dashboard',
    serviceConnection: 'github-contoso',
  },
};

describe('azure:pipeline:ensure', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const action = createAzurePipelineEnsureAction({ connect: connectWithPat() });

  it('creates the YAML pipeline of an Azure Repos repository with the requests of the REST reference', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const run = createTestActionContext({ input: azureInput });

    await action.handler(run.ctx as any);

    const repoId = state.repositories[0].id;
    expect(calls(state)).toEqual([
      {
        method: 'GET',
        path: 'build/definitions',
        query: {
          name: 'sales-dashboard',
          path: '\\',
          includeAllProperties: 'true',
          'api-version': '7.1',
        },
      },
      {
        method: 'GET',
        path: 'git/repositories/sales-dashboard',
        query: { 'api-version': '7.1' },
      },
      {
        method: 'POST',
        path: 'pipelines',
        query: { 'api-version': '7.1' },
        body: {
          name: 'sales-dashboard',
          folder: '\\',
          configuration: {
            type: 'yaml',
            path: 'azure-pipelines.yml',
            repository: {
              id: repoId,
              name: 'sales-dashboard',
              type: 'azureReposGit',
            },
          },
        },
      },
    ]);
    const id = state.definitions[0].id;
    expect(run.outputs).toEqual({
      pipelineId: id,
      pipelineUrl: `${BASE_URL}/${ORG}/${PROJECT}/_build/definition?definitionId=${id}`,
      created: true,
    });
    expectNoToken(run);
  });

  it('creates the pipeline of a GitHub repository through the named GitHub service connection', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const run = createTestActionContext({ input: githubInput });

    await action.handler(run.ctx as any);

    const connection = state.serviceConnections.find(
      c => c.name === 'github-contoso',
    )!;
    expect(calls(state)).toEqual([
      {
        method: 'GET',
        path: 'build/definitions',
        query: {
          name: 'sales-dashboard',
          path: '\\dashboards',
          includeAllProperties: 'true',
          'api-version': '7.1',
        },
      },
      {
        method: 'GET',
        path: 'serviceendpoint/endpoints',
        query: {
          endpointNames: 'github-contoso',
          'api-version': '7.1-preview.4',
        },
      },
      {
        method: 'POST',
        path: 'pipelines',
        query: { 'api-version': '7.1' },
        body: {
          name: 'sales-dashboard',
          folder: '\\dashboards',
          configuration: {
            type: 'yaml',
            path: 'azure-pipelines.yml',
            repository: {
              fullName: 'contoso/sales-dashboard',
              connection: { id: connection.id },
              type: 'gitHub',
            },
          },
        },
      },
    ]);
    expect(state.definitions).toHaveLength(1);
    expect(run.outputs.created).toBe(true);
  });

  it('finds the pipeline a first run created and creates no second one', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const first = createTestActionContext({ input: azureInput });
    await action.handler(first.ctx as any);
    state.requests.length = 0;

    const again = createTestActionContext({ input: azureInput });
    await action.handler(again.ctx as any);

    expect(calls(state).map(c => `${c.method} ${c.path}`)).toEqual([
      'GET build/definitions',
    ]);
    expect(state.definitions).toHaveLength(1);
    expect(again.outputs).toEqual({ ...first.outputs, created: false });
    expect(again.logLines.join('\n')).toContain('exists already');
  });

  it('refuses to take over a pipeline of the same name that builds another repository', async () => {
    const { handler } = fakeAzureDevOps({
      repositories: ['sales-dashboard', 'legacy-sales'],
    });
    server.use(handler);
    await action.handler(
      createTestActionContext({
        input: {
          ...azureInput,
          repository: { type: 'azureReposGit', name: 'legacy-sales' },
        },
      }).ctx as any,
    );

    await expect(
      action.handler(createTestActionContext({ input: azureInput }).ctx as any),
    ).rejects.toThrow(
      /A pipeline named 'sales-dashboard' exists in \\ of project 'dashboards' but builds TfsGit repository 'legacy-sales', not 'sales-dashboard'\. Rename or delete/,
    );
  });

  it('says the token was refused (401) with Azure DevOps’ message and what to set', async () => {
    const { handler } = fakeAzureDevOps();
    server.use(handler);
    const wrong = createAzurePipelineEnsureAction({
      connect: connectWithPat('pat-expired-000000000000000000000'),
    });
    const run = createTestActionContext({ input: azureInput });

    await expect(wrong.handler(run.ctx as any)).rejects.toThrow(
      "Azure DevOps did not accept the token (401) when trying to look up the pipeline 'sales-dashboard': it is missing, expired or revoked. " +
        "Set AZURE_DEVOPS_TOKEN to a personal access token of project 'dashboards' of organization 'contoso' with the scopes listed in docs/azure-devops.md. " +
        'Azure DevOps said: TF400813: The user is not authorized to access this resource.',
    );
  });

  it('names the missing scope when creating is forbidden (403)', async () => {
    const { state, handler } = fakeAzureDevOps();
    state.failures.push({
      method: 'POST',
      path: /^pipelines$/,
      status: 403,
      message:
        'TF215106: Access denied. The user needs Edit build pipeline permissions for pipeline sales-dashboard.',
    });
    server.use(handler);

    await expect(
      action.handler(createTestActionContext({ input: azureInput }).ctx as any),
    ).rejects.toThrow(
      "The Azure DevOps token may not create the pipeline 'sales-dashboard' (403) in project 'dashboards' of organization 'contoso': " +
        'it needs the scope "Build: Read & execute", and its user needs that permission in the project. ' +
        'Azure DevOps said: TF215106: Access denied. The user needs Edit build pipeline permissions for pipeline sales-dashboard.',
    );
  });

  it('says which project was not found (404)', async () => {
    const { handler } = fakeAzureDevOps();
    server.use(handler);

    await expect(
      action.handler(
        createTestActionContext({
          input: { ...azureInput, project: 'dashbords' },
        }).ctx as any,
      ),
    ).rejects.toThrow(
      "Azure DevOps found nothing when trying to look up the pipeline 'sales-dashboard' (404): check that project 'dashbords' of organization 'contoso' exists " +
        "and that the token's user can see it. Azure DevOps said: TF200016: The following project does not exist: dashbords.",
    );
  });

  it('explains a conflict (409) and how to resolve it', async () => {
    const { state, handler } = fakeAzureDevOps();
    state.failures.push({
      method: 'POST',
      path: /^pipelines$/,
      status: 409,
      message:
        'The pipeline name sales-dashboard is already in use in folder \\.',
      typeKey: 'DefinitionExistsException',
    });
    server.use(handler);

    await expect(
      action.handler(createTestActionContext({ input: azureInput }).ctx as any),
    ).rejects.toThrow(
      /create the pipeline 'sales-dashboard' because of a conflict \(409\).*Rename or remove it in Azure DevOps, then run the template again\. Azure DevOps said: The pipeline name sales-dashboard is already in use in folder \\\./,
    );
  });

  it('names a GitHub service connection the project does not have', async () => {
    const { handler } = fakeAzureDevOps();
    server.use(handler);

    await expect(
      action.handler(
        createTestActionContext({
          input: {
            ...githubInput,
            repository: {
              ...githubInput.repository,
              serviceConnection: 'github-fabrikam',
            },
          },
        }).ctx as any,
      ),
    ).rejects.toThrow(
      "Project 'dashboards' of organization 'contoso' has no service connection named 'github-fabrikam'.",
    );
  });

  it("calls with the signed-in user's token, as Bearer, when the template passes one", async () => {
    const userToken = 'eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
    const { state, handler } = fakeAzureDevOps({ token: userToken });
    server.use(handler);
    const run = createTestActionContext({
      input: { ...azureInput, token: userToken },
    });

    await action.handler(run.ctx as any);

    expect(state.definitions).toHaveLength(1);
    expectNoToken(run, [userToken, PAT]);
  });

  it('makes no request in a dry run', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const run = createTestActionContext({ input: azureInput, isDryRun: true });

    await action.handler(run.ctx as any);

    expect(state.requests).toEqual([]);
    expect(run.outputs).toEqual({
      pipelineId: 0,
      pipelineUrl: `${BASE_URL}/${ORG}/${PROJECT}/_build`,
      created: false,
    });
  });
});
