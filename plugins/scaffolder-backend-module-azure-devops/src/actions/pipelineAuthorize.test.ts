import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  ACCESS,
  addPipeline,
  BASE_URL,
  calls,
  connectWithPat,
  ENTITY,
  fakeAzureDevOps,
  OTHER_MEMBER,
  OTHER_TEAM,
  ORG,
  PROJECT,
  readTags,
  TEAM,
  TEAM_MEMBER,
  TEAMS_CONFIG,
} from '../__testUtils__/msw';
import { markTags } from '../lib/pipelineMark';
import { readTeamAccess } from '../lib/teamAccess';
import { expectNoToken } from '../__testUtils__/secrets';
import { simulateRun } from '../../testing/azureDevOpsStandIn';
import {
  BRANCH_CONTROL,
  MAIN_REF,
  PORTAL_CHECK_NAME,
} from '../lib/branchControl';
import { createAzurePipelineAuthorizeAction } from './pipelineAuthorize';

const input = {
  repoUrl: `dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=sales-dashboard`,
  pipelineId: 101,
  entityRef: ENTITY,
  owner: TEAM,
  registryServiceConnection: 'acr-contoso',
  kubernetesServiceConnection: 'aks-production',
  environment: 'production',
  environmentDescription: 'Created by the portal.',
};

const branchCheckBody = (type: string, id: string, name: string) => ({
  type: BRANCH_CONTROL.type,
  settings: {
    definitionRef: BRANCH_CONTROL.definitionRef,
    displayName: PORTAL_CHECK_NAME,
    inputs: {
      allowedBranches: MAIN_REF,
      ensureProtectionOfBranch: 'false',
      allowUnknownStatusBranch: 'false',
    },
    retryInterval: 5,
  },
  resource: { type, id, name },
  timeout: 1440,
});

describe('azure:pipeline:authorize', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const action = createAzurePipelineAuthorizeAction({
    connect: connectWithPat(),
    access: ACCESS,
  });
  const user = TEAM_MEMBER;
  /** The stand-in with the pipeline `azure:pipeline:ensure` made and marked for the entity. */
  const fake = (...args: Parameters<typeof fakeAzureDevOps>) => {
    const azure = fakeAzureDevOps(...args);
    addPipeline(azure.state, {
      tags: markTags({ entityRef: ENTITY, owner: TEAM }),
    });
    return azure;
  };

  it('creates the missing environment, allows only main to use the connections and the environment, then authorizes the pipeline on them', async () => {
    const { state, handler } = fake();
    server.use(handler);
    const run = createTestActionContext({ user, input });

    await action.handler(run.ctx as any);

    const [acr, aks] = state.serviceConnections;
    const protect = (type: string, id: string, name: string) => [
      {
        method: 'GET',
        path: 'pipelines/checks/configurations',
        query: {
          resourceType: type,
          resourceId: id,
          $expand: 'settings',
          'api-version': '7.1-preview.1',
        },
      },
      {
        method: 'POST',
        path: 'pipelines/checks/configurations',
        query: { 'api-version': '7.1-preview.1' },
        body: branchCheckBody(type, id, name),
      },
    ];
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
      readTags(101),
      {
        method: 'GET',
        path: 'serviceendpoint/endpoints',
        query: {
          endpointNames: 'acr-contoso,aks-production',
          'api-version': '7.1',
        },
      },
      {
        method: 'GET',
        path: 'distributedtask/environments',
        query: { name: 'production', 'api-version': '7.1' },
      },
      {
        method: 'POST',
        path: 'distributedtask/environments',
        query: { 'api-version': '7.1' },
        body: { name: 'production', description: 'Created by the portal.' },
      },
      ...protect('endpoint', acr.id, 'acr-contoso'),
      ...protect('endpoint', aks.id, 'aks-production'),
      ...protect('environment', '1', 'production'),
      ...permissions('endpoint', acr.id),
      ...permissions('endpoint', aks.id),
      ...permissions('environment', '1'),
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
      protected: [
        "service connection 'acr-contoso'",
        "service connection 'aks-production'",
        "environment 'production'",
      ],
    });
    expectNoToken(run);
  });

  it('lets a run of main use what it deploys with and refuses a pull-request run, whatever its YAML', async () => {
    const { state, handler } = fake();
    server.use(handler);
    await action.handler(createTestActionContext({ user, input }).ctx as any);
    const stages = [
      {
        name: 'Deploy',
        resources: [
          { type: 'endpoint' as const, name: 'acr-contoso' },
          { type: 'endpoint' as const, name: 'aks-production' },
          { type: 'environment' as const, name: 'production' },
        ],
      },
    ];

    expect(
      simulateRun(state, { pipelineId: 101, sourceBranch: MAIN_REF, stages })
        .result,
    ).toBe('succeeded');
    const pr = simulateRun(state, {
      pipelineId: 101,
      sourceBranch: 'refs/pull/7/merge',
      stages,
    });
    expect(pr.result).toBe('failed');
    expect(pr.stages[0].messages).toEqual(
      [
        "service connection 'acr-contoso'",
        "service connection 'aks-production'",
        "environment 'production'",
      ].map(
        label =>
          `Check '${PORTAL_CHECK_NAME}' on the ${label} failed: refs/pull/7/merge is not one of the allowed branches (refs/heads/main).`,
      ),
    );
  });

  it('changes nothing when run again: the environment, the checks and the permissions are there', async () => {
    const { state, handler } = fake();
    server.use(handler);
    await action.handler(createTestActionContext({ user, input }).ctx as any);
    state.requests.length = 0;

    const again = createTestActionContext({ user, input });
    await action.handler(again.ctx as any);

    expect(calls(state).filter(c => c.method !== 'GET')).toEqual([]);
    expect(state.environments).toHaveLength(1);
    expect(state.checks).toHaveLength(3);
    expect(again.outputs).toMatchObject({
      environmentId: 1,
      environmentCreated: false,
      authorized: [],
      protected: [],
    });
    expect(again.logLines.join('\n')).toContain('was already authorized');
  });

  it("adds its check next to another team's checks and leaves those as they are", async () => {
    const { state, handler } = fake();
    const aks = state.serviceConnections[1];
    const theirs = {
      id: 7,
      type: BRANCH_CONTROL.type,
      settings: {
        displayName: 'Release branches',
        definitionRef: BRANCH_CONTROL.definitionRef,
        inputs: { allowedBranches: 'refs/heads/release/*' },
      },
      resource: { type: 'endpoint', id: aks.id, name: aks.name },
      createdBy: 'Cluster team',
    };
    state.checks.push(structuredClone(theirs));
    server.use(handler);

    await action.handler(createTestActionContext({ user, input }).ctx as any);

    expect(state.checks.filter(c => c.resource.id === aks.id)).toEqual([
      theirs,
      expect.objectContaining({
        settings: expect.objectContaining({ displayName: PORTAL_CHECK_NAME }),
      }),
    ]);
    expect(
      calls(state).filter(
        c => c.method === 'PATCH' && c.path.startsWith('pipelines/checks'),
      ),
    ).toEqual([]);
  });

  it("stops, naming the resource and what to ask, when the portal's check was changed to allow other branches", async () => {
    const { state, handler } = fake({
      environments: [
        { name: 'production', administrators: ['Portal service account'] },
      ],
    });
    server.use(handler);
    await action.handler(createTestActionContext({ user, input }).ctx as any);
    const environmentCheck = state.checks.find(
      c => c.resource.type === 'environment',
    )!;
    environmentCheck.settings.inputs!.allowedBranches = 'refs/heads/*';

    await expect(
      action.handler(createTestActionContext({ user, input }).ctx as any),
    ).rejects.toThrow(
      `The check '${PORTAL_CHECK_NAME}' on the environment 'production' was changed to allow 'refs/heads/*', so pull-request runs could push or deploy with it. ` +
        "The portal does not change checks: ask an administrator of the environment 'production' to set its allowed branches back to refs/heads/main",
    );
  });

  it('says what to ask an administrator when the portal may not add the check to an environment it does not administer (403)', async () => {
    // Project Administrators hold only the Creator role on environments someone else created.
    const { state, handler } = fake({
      environments: [{ name: 'production', administrators: ['Ops lead'] }],
    });
    server.use(handler);

    await expect(
      action.handler(createTestActionContext({ user, input }).ctx as any),
    ).rejects.toThrow(
      "Azure DevOps refused the portal's Azure DevOps token (AZURE_DEVOPS_TOKEN) permission to add the branch-control check allowing only refs/heads/main " +
        "to the environment 'production' (403) in project 'dashboards' of organization 'contoso'. The token needs the scope \"Pipeline Resources: Use & manage\". " +
        "It needs the Administrator role on the environment 'production' (Pipelines > Environments > production > Security), which manages its approvals and checks " +
        '(or ask them to add a Branch control check with allowed branches refs/heads/main themselves): ask a project administrator to give ' +
        "the portal's service account (the user of AZURE_DEVOPS_TOKEN) that role, then run the template again. " +
        'Azure DevOps said: Portal service account needs the Administrator role on the environment production.',
    );
    // Nothing was authorized that a pull request could then use unprotected.
    expect(
      calls(state).filter(
        c => c.method === 'PATCH' && c.path.includes('/environment/'),
      ),
    ).toEqual([]);
  });

  it('leaves a resource open to all pipelines alone and uses an existing environment of another letter case', async () => {
    const { state, handler } = fake({
      environments: [
        { name: 'Production', administrators: ['Portal service account'] },
      ],
    });
    const acr = state.serviceConnections[0];
    state.permissions.set(`endpoint/${acr.id}`, {
      resource: { type: 'endpoint', id: acr.id },
      pipelines: [],
      allPipelines: { authorized: true },
    });
    server.use(handler);
    const run = createTestActionContext({ user, input });

    await action.handler(run.ctx as any);

    expect(
      calls(state)
        .filter(c => c.method === 'PATCH')
        .map(c => `${c.method} ${c.path}`),
    ).toEqual([
      `PATCH pipelines/pipelinepermissions/endpoint/${state.serviceConnections[1].id}`,
      'PATCH pipelines/pipelinepermissions/environment/1',
    ]);
    expect(run.outputs.environmentCreated).toBe(false);
  });

  it('refuses connections swapped between registry and Kubernetes, naming each wrong type', async () => {
    const { state, handler } = fake();
    server.use(handler);
    // Granted as the other kind by mistake: Azure DevOps' types still catch it.
    const [team] = TEAMS_CONFIG.azurePipelines.teams;
    const swapped = createAzurePipelineAuthorizeAction({
      connect: connectWithPat(),
      access: readTeamAccess(
        new ConfigReader({
          azurePipelines: {
            teams: [
              {
                ...team,
                registryServiceConnections: team.kubernetesServiceConnections,
                kubernetesServiceConnections: team.registryServiceConnections,
              },
            ],
          },
        }),
      ),
    });

    await expect(
      swapped.handler(
        createTestActionContext({
          user,
          input: {
            ...input,
            registryServiceConnection: 'aks-production',
            kubernetesServiceConnection: 'acr-contoso',
          },
        }).ctx as any,
      ),
    ).rejects.toThrow(
      "'aks-production' is a service connection of type 'kubernetes', not Docker Registry; " +
        "'acr-contoso' is a service connection of type 'dockerregistry', not Kubernetes.",
    );
    expect(state.environments).toEqual([]);
  });

  it('lists the service connections the project does not have and how to add them', async () => {
    const { state, handler } = fake();
    server.use(handler);

    await expect(
      action.handler(
        createTestActionContext({
          user,
          input: { ...input, kubernetesServiceConnection: 'aks-staging' },
        }).ctx as any,
      ),
    ).rejects.toThrow(
      "Project 'dashboards' of organization 'contoso' has no service connection named 'aks-staging', or it is not ready yet. " +
        'A project administrator creates it once (Project settings > Service connections; see docs/azure-devops.md), or correct the name in the form.',
    );
    expect(state.environments).toEqual([]);
  });

  it('authorizes the GitHub connection of a GitHub repository without restricting it to main', async () => {
    const { state, handler } = fake();
    server.use(handler);
    const run = createTestActionContext({
      user,
      input: {
        ...input,
        repoUrl: 'github.com?owner=contoso&repo=sales-dashboard',
        organization: ORG,
        project: PROJECT,
        githubServiceConnection: 'github-contoso',
      },
    });

    await action.handler(run.ctx as any);

    const github = state.serviceConnections[2];
    expect(run.outputs.authorized).toContain(
      "service connection 'github-contoso'",
    );
    expect(state.checks.map(c => c.resource.id)).not.toContain(github.id);
  });

  describe('for another team', () => {
    it("refuses another team's service connection, naming it, the team it is granted to and who grants it, before calling Azure DevOps", async () => {
      const { state, handler } = fake();
      server.use(handler);

      await expect(
        action.handler(
          createTestActionContext({
            user,
            input: { ...input, kubernetesServiceConnection: 'aks-payments' },
          }).ctx as any,
        ),
      ).rejects.toThrow(
        `The Kubernetes service connection 'aks-payments' is not granted to ${TEAM} (it is ${OTHER_TEAM}'s): ${TEAM} may use 'aks-production', 'aks-staging' ` +
          '(azurePipelines.teams, kubernetesServiceConnections). Pick one of those, or ask group:default/platform-team, who maintain azurePipelines.teams, ' +
          `to grant it to ${TEAM}`,
      );
      expect(state.requests).toEqual([]);
    });

    it("refuses another team's GitHub connection, which would let the pipeline read that team's repositories", async () => {
      const { state, handler } = fake();
      server.use(handler);

      await expect(
        action.handler(
          createTestActionContext({
            user,
            input: {
              ...input,
              repoUrl: 'github.com?owner=contoso&repo=sales-dashboard',
              organization: ORG,
              project: PROJECT,
              githubServiceConnection: 'github-payments',
            },
          }).ctx as any,
        ),
      ).rejects.toThrow(
        `The GitHub service connection 'github-payments' is not granted to ${TEAM} (it is ${OTHER_TEAM}'s): ${TEAM} may use 'github-contoso', 'github-fabrikam', 'acr-contoso' ` +
          '(azurePipelines.teams, githubServiceConnections).',
      );
      expect(state.requests).toEqual([]);
    });

    it("refuses another team's Docker Hub namespace, before calling Azure DevOps", async () => {
      const { state, handler } = fake();
      server.use(handler);

      await expect(
        action.handler(
          createTestActionContext({
            user,
            input: { ...input, dockerHubNamespace: 'payments' },
          }).ctx as any,
        ),
      ).rejects.toThrow(
        `The Docker Hub namespace 'payments' is not granted to ${TEAM} (it is ${OTHER_TEAM}'s): ${TEAM} may use 'contoso' (azurePipelines.teams, dockerHubNamespaces).`,
      );
      expect(state.requests).toEqual([]);
    });

    it('refuses an environment granted to no team, whatever its letter case', async () => {
      const { state, handler } = fake();
      server.use(handler);

      await expect(
        action.handler(
          createTestActionContext({
            user,
            input: { ...input, environment: 'Payments-Prod' },
          }).ctx as any,
        ),
      ).rejects.toThrow(
        `The environment 'Payments-Prod' is not granted to ${TEAM}: ${TEAM} may use 'production', 'staging' (azurePipelines.teams, environments).`,
      );
      expect(state.requests).toEqual([]);
    });

    it('refuses a member of another team, even with connections the owner is granted', async () => {
      const { state, handler } = fake();
      server.use(handler);

      await expect(
        action.handler(
          createTestActionContext({ user: OTHER_MEMBER, input }).ctx as any,
        ),
      ).rejects.toThrow(
        `Only members of ${TEAM} may authorize pipelines on the service connections and environments granted to it; you are signed in as user:default/omar, a member of ${OTHER_TEAM}.`,
      );
      expect(state.requests).toEqual([]);
    });

    it('refuses a pipeline the portal marked for another entity, and touches none of the resources', async () => {
      const { state, handler } = fakeAzureDevOps();
      addPipeline(state, {
        tags: markTags({
          entityRef: 'component:default/payments',
          owner: TEAM,
        }),
      });
      server.use(handler);

      await expect(
        action.handler(createTestActionContext({ user, input }).ctx as any),
      ).rejects.toThrow(
        `Pipeline 101 in project '${PROJECT}' of organization '${ORG}' is marked as the portal's pipeline for component:default/payments (owner ${TEAM}), not ${ENTITY} of ${TEAM}: the portal does not authorize it.`,
      );
      expect(calls(state)).toEqual([readTags(101)]);
    });

    it('refuses a pipeline that carries no mark of the portal', async () => {
      const { state, handler } = fakeAzureDevOps();
      addPipeline(state, { tags: ['nightly'] });
      server.use(handler);

      await expect(
        action.handler(createTestActionContext({ user, input }).ctx as any),
      ).rejects.toThrow('carries no mark of the portal');
      expect(state.permissions.size).toBe(0);
      expect(state.checks).toEqual([]);
    });
  });
});
