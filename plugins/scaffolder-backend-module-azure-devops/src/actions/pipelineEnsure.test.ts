import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import {
  BASE_URL,
  calls,
  connectWithPat,
  ENTITY,
  fakeAzureDevOps,
  MARK,
  MEMBER,
  OTHER_MEMBER,
  OTHER_TEAM,
  ORG,
  PAT,
  PROJECT,
  readTags,
  TEAM,
  TEAM_MEMBER,
  USER_TOKEN,
} from '../__testUtils__/msw';
import { markTags } from '../lib/pipelineMark';
import { expectNoToken } from '../__testUtils__/secrets';
import { createAzurePipelineEnsureAction } from './pipelineEnsure';

const azureInput = {
  repoUrl: `dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=sales-dashboard`,
  entityRef: ENTITY,
  owner: TEAM,
  name: 'sales-dashboard',
  folder: '\\',
  yamlPath: 'azure-pipelines.yml',
};

const user = TEAM_MEMBER;

/** The call that writes the portal's mark on a new pipeline. */
const writeMark = (id: number) => ({
  method: 'POST',
  path: `build/definitions/${id}/tags`,
  query: { 'api-version': '7.1-preview.3' },
  body: MARK,
});

const githubInput = {
  ...azureInput,
  repoUrl: 'github.com?owner=contoso&repo=sales-dashboard',
  organization: ORG,
  project: PROJECT,
  folder: '/dashboards/',
  githubServiceConnection: 'github-contoso',
};

describe('azure:pipeline:ensure', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const action = createAzurePipelineEnsureAction({ connect: connectWithPat() });

  it('creates the YAML pipeline of an Azure Repos repository with the requests of the REST reference', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const run = createTestActionContext({ user, input: azureInput });

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
      writeMark(state.definitions[0].id),
    ]);
    const id = state.definitions[0].id;
    expect(state.definitions[0].tags).toEqual(MARK);
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
    const run = createTestActionContext({ user, input: githubInput });

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
          'api-version': '7.1',
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
      writeMark(state.definitions[0].id),
    ]);
    expect(state.definitions).toHaveLength(1);
    expect(run.outputs.created).toBe(true);
  });

  it('finds the pipeline a first run created and creates no second one', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const first = createTestActionContext({ user, input: azureInput });
    await action.handler(first.ctx as any);
    state.requests.length = 0;

    const again = createTestActionContext({ user, input: azureInput });
    await action.handler(again.ctx as any);

    expect(calls(state).map(c => `${c.method} ${c.path}`)).toEqual([
      'GET build/definitions',
      `GET build/definitions/${state.definitions[0].id}/tags`,
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
        user,
        input: {
          ...azureInput,
          repoUrl: azureInput.repoUrl.replace(
            'sales-dashboard',
            'legacy-sales',
          ),
        },
      }).ctx as any,
    );

    await expect(
      action.handler(
        createTestActionContext({ user, input: azureInput }).ctx as any,
      ),
    ).rejects.toThrow(
      /A pipeline named 'sales-dashboard' exists in \\ of project 'dashboards' but builds TfsGit repository 'legacy-sales', not 'sales-dashboard'\. Rename or delete/,
    );
  });

  it("says the portal's token was refused (401), which scope the call needs and what to set", async () => {
    const { handler } = fakeAzureDevOps();
    server.use(handler);
    const wrong = createAzurePipelineEnsureAction({
      connect: connectWithPat('pat-expired-000000000000000000000'),
    });
    const run = createTestActionContext({ user, input: azureInput });

    await expect(wrong.handler(run.ctx as any)).rejects.toThrow(
      "Azure DevOps did not accept the portal's Azure DevOps token (AZURE_DEVOPS_TOKEN) (401) when trying to look up the pipeline 'sales-dashboard' " +
        "in project 'dashboards' of organization 'contoso'. AZURE_DEVOPS_TOKEN is missing this call's scope \"Build: Read & execute\", has expired or was revoked: " +
        'give the portal a personal access token of its service account with the scopes listed in docs/azure-devops.md. ' +
        'Azure DevOps said: TF400813: The user is not authorized to access this resource.',
    );
  });

  it("says the signed-in user's token was refused (401) and tells the user to sign in again, not to set AZURE_DEVOPS_TOKEN", async () => {
    const { handler } = fakeAzureDevOps();
    server.use(handler);
    const run = createTestActionContext({
      user,
      input: {
        ...azureInput,
        token: 'eyJhbGciOiJub25lIn0.eyJleHAiOjF9.ZXhwaXJlZA',
      },
    });

    const failure = action.handler(run.ctx as any);
    await expect(failure).rejects.toThrow(
      /^Azure DevOps did not accept the signed-in user's Azure DevOps token \(401\) when trying to look up the pipeline 'sales-dashboard'.*Sign in to Microsoft again/,
    );
    await expect(failure).rejects.not.toThrow(/set AZURE_DEVOPS_TOKEN/);
  });

  it('names the identity, the scope and who grants the permission when creating is forbidden (403)', async () => {
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
      action.handler(
        createTestActionContext({ user, input: azureInput }).ctx as any,
      ),
    ).rejects.toThrow(
      "Azure DevOps refused the portal's Azure DevOps token (AZURE_DEVOPS_TOKEN) permission to create the pipeline 'sales-dashboard' (403) in project 'dashboards' " +
        "of organization 'contoso'. The token needs the scope \"Build: Read & execute\". Ask a project administrator of 'dashboards' to give the portal's service account " +
        '(the user of AZURE_DEVOPS_TOKEN) that permission, then run the template again. ' +
        'Azure DevOps said: TF215106: Access denied. The user needs Edit build pipeline permissions for pipeline sales-dashboard.',
    );
  });

  it('says which project was not found (404)', async () => {
    const { handler } = fakeAzureDevOps();
    server.use(handler);

    await expect(
      action.handler(
        createTestActionContext({
          user,
          input: {
            ...azureInput,
            repoUrl: azureInput.repoUrl.replace('dashboards', 'dashbords'),
          },
        }).ctx as any,
      ),
    ).rejects.toThrow(
      "Azure DevOps found nothing when trying to look up the pipeline 'sales-dashboard' (404) with the portal's Azure DevOps token (AZURE_DEVOPS_TOKEN): " +
        "check that project 'dashbords' of organization 'contoso' exists and that the token's user can see it. " +
        'Azure DevOps said: TF200016: The following project does not exist: dashbords.',
    );
  });

  it('finds a pipeline whose name and folder differ only in letter case, as Azure DevOps does, and creates none', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    await action.handler(
      createTestActionContext({
        user,
        input: { ...azureInput, name: 'Sales-Dashboard' },
      }).ctx as any,
    );

    const again = createTestActionContext({ user, input: azureInput });
    await action.handler(again.ctx as any);

    expect(state.definitions).toHaveLength(1);
    expect(again.outputs.created).toBe(false);
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
      action.handler(
        createTestActionContext({ user, input: azureInput }).ctx as any,
      ),
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
          user,
          input: {
            ...githubInput,
            githubServiceConnection: 'github-fabrikam',
          },
        }).ctx as any,
      ),
    ).rejects.toThrow(
      "Project 'dashboards' of organization 'contoso' has no service connection named 'github-fabrikam'",
    );
  });

  it('refuses a GitHub connection name that is a connection of another type, naming the type', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);

    await expect(
      action.handler(
        createTestActionContext({
          user,
          input: { ...githubInput, githubServiceConnection: 'ACR-contoso' },
        }).ctx as any,
      ),
    ).rejects.toThrow(
      "'acr-contoso' is a service connection of type 'dockerregistry', not GitHub. Name a connection of the right type in the form",
    );
    expect(state.definitions).toEqual([]);
  });

  it('asks for the Azure DevOps project of a GitHub repository when it is not given', async () => {
    const { organization: _o, project: _p, ...input } = githubInput;
    await expect(
      action.handler(createTestActionContext({ user, input }).ctx as any),
    ).rejects.toThrow(
      "The pipeline of GitHub repository 'contoso/sales-dashboard' lives in an Azure DevOps project the repository URL does not name: give the step the inputs organization and project.",
    );
  });

  it('creates the pipeline as the signed-in user, a plain project member, when the template passes their token', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const run = createTestActionContext({
      user,
      input: { ...githubInput, token: USER_TOKEN },
    });

    await action.handler(run.ctx as any);

    expect(state.definitions.map(d => d.createdBy)).toEqual([MEMBER]);
    expect(new Set(state.requests.map(r => r.identity))).toEqual(
      new Set([MEMBER]),
    );
    expectNoToken(run, [USER_TOKEN, PAT]);
  });

  it('makes no request in a dry run', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const run = createTestActionContext({
      user,
      input: azureInput,
      isDryRun: true,
    });

    await action.handler(run.ctx as any);

    expect(state.requests).toEqual([]);
    expect(run.outputs).toEqual({
      pipelineId: 0,
      pipelineUrl: `${BASE_URL}/${ORG}/${PROJECT}/_build`,
      created: false,
    });
  });

  it('refuses to take over a pipeline of the same repository that runs another YAML file', async () => {
    const { handler } = fakeAzureDevOps();
    server.use(handler);
    await action.handler(
      createTestActionContext({
        user,
        input: { ...azureInput, yamlPath: 'ci/build.yml' },
      }).ctx as any,
    );

    await expect(
      action.handler(
        createTestActionContext({ user, input: azureInput }).ctx as any,
      ),
    ).rejects.toThrow(
      "The pipeline 'sales-dashboard' in \\ of project 'dashboards' runs 'ci/build.yml', not 'azure-pipelines.yml'.",
    );
  });

  it('marks a pipeline an earlier run created but could not mark, and creates no second one', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    await action.handler(
      createTestActionContext({ user, input: azureInput }).ctx as any,
    );
    state.definitions[0].tags = [];

    const again = createTestActionContext({ user, input: azureInput });
    await action.handler(again.ctx as any);

    expect(state.definitions).toHaveLength(1);
    expect(state.definitions[0].tags).toEqual(MARK);
    expect(again.logLines.join('\n')).toContain(
      `marked it as the portal's for ${ENTITY} of ${TEAM}`,
    );
  });

  it('refuses a pipeline of the same name that the portal marked for another entity, and leaves its tags alone', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    await action.handler(
      createTestActionContext({ user, input: azureInput }).ctx as any,
    );
    const theirs = markTags({
      entityRef: 'component:default/payments',
      owner: OTHER_TEAM,
    });
    state.definitions[0].tags = [...theirs];

    await expect(
      action.handler(
        createTestActionContext({ user, input: azureInput }).ctx as any,
      ),
    ).rejects.toThrow(
      `is marked as the portal's pipeline for component:default/payments (owner ${OTHER_TEAM}), not ${ENTITY} of ${TEAM}: the portal does not take it over.`,
    );
    expect(state.definitions[0].tags).toEqual(theirs);
    expect(readTags(state.definitions[0].id)).toEqual(calls(state).at(-1));
  });

  it('refuses a member of another team before calling Azure DevOps', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);

    await expect(
      action.handler(
        createTestActionContext({ user: OTHER_MEMBER, input: azureInput })
          .ctx as any,
      ),
    ).rejects.toThrow(
      `Only members of ${TEAM} may create its pipelines; you are signed in as user:default/omar, a member of ${OTHER_TEAM}.`,
    );
    expect(state.requests).toEqual([]);
  });
});
