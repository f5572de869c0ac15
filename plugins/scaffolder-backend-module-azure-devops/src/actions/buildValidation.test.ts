import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import {
  addPipeline,
  calls,
  connectWithPat,
  ENTITY,
  fakeAzureDevOps as fakeWithoutPipeline,
  OTHER_MEMBER,
  ORG,
  PAT,
  PROJECT,
  readTags,
  TEAM,
  TEAM_MEMBER,
} from '../__testUtils__/msw';
import { expectNoToken } from '../__testUtils__/secrets';
import {
  BUILD_VALIDATION_POLICY_TYPE,
  createAzureBuildValidationAction,
} from './buildValidation';

const input = {
  repoUrl: `dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=sales-dashboard`,
  pipelineId: 101,
  entityRef: ENTITY,
  owner: TEAM,
  branch: 'main',
  displayName: 'Build and test',
};
const user = TEAM_MEMBER;

/** The stand-in with the pipeline `azure:pipeline:ensure` leaves: 101, marked for {@link ENTITY}. */
function fakeAzureDevOps(
  options: Parameters<typeof fakeWithoutPipeline>[0] = {},
  pipeline: Parameters<typeof addPipeline>[1] = {},
) {
  const fake = fakeWithoutPipeline(options);
  addPipeline(fake.state, pipeline);
  return fake;
}

/** The mark and the definition, read before any policy is looked at. */
const checksOfPipeline101 = [
  readTags(101),
  {
    method: 'GET',
    path: 'build/definitions/101',
    query: { 'api-version': '7.1' },
  },
];

describe('azure:repo:build-validation', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const action = createAzureBuildValidationAction({
    connect: connectWithPat(),
  });

  it('adds a blocking build-validation policy on main that runs the pipeline', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const run = createTestActionContext({ input, user });

    await action.handler(run.ctx as any);

    const repositoryId = state.repositories[0].id;
    expect(calls(state)).toEqual([
      ...checksOfPipeline101,
      {
        method: 'GET',
        path: 'git/repositories/sales-dashboard',
        query: { 'api-version': '7.1' },
      },
      {
        method: 'GET',
        path: 'git/policy/configurations',
        query: {
          repositoryId,
          refName: 'refs/heads/main',
          policyType: BUILD_VALIDATION_POLICY_TYPE,
          'api-version': '7.1',
        },
      },
      {
        method: 'POST',
        path: 'policy/configurations',
        query: { 'api-version': '7.1' },
        body: {
          isEnabled: true,
          isBlocking: true,
          type: { id: '0609b952-1397-4640-95ec-e00a01b2c241' },
          settings: {
            buildDefinitionId: 101,
            displayName: 'Build and test',
            manualQueueOnly: false,
            queueOnSourceUpdateOnly: true,
            validDuration: 720,
            scope: [
              { repositoryId, refName: 'refs/heads/main', matchKind: 'exact' },
            ],
          },
        },
      },
    ]);
    expect(run.outputs).toEqual({
      policyId: state.policies[0].id,
      created: true,
    });
    expectNoToken(run);
  });

  it('finds the policy on a second run and adds none', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const first = createTestActionContext({ input, user });
    await action.handler(first.ctx as any);

    const again = createTestActionContext({ input, user });
    await action.handler(again.ctx as any);

    expect(state.policies).toHaveLength(1);
    expect(again.outputs).toEqual({
      policyId: first.outputs.policyId,
      created: false,
    });
  });

  it("refuses to add the policy to another repository than the pipeline's, before any policy call", async () => {
    const { state, handler } = fakeAzureDevOps({
      repositories: ['sales-dashboard', 'payments-ledger'],
    });
    server.use(handler);

    await expect(
      action.handler(
        createTestActionContext({
          user,
          input: {
            ...input,
            repoUrl: input.repoUrl.replace(
              'sales-dashboard',
              'payments-ledger',
            ),
          },
        }).ctx as any,
      ),
    ).rejects.toThrow(
      "Pipeline 101 builds TfsGit repository 'sales-dashboard', not 'payments-ledger': a repository's pull requests are validated only by its own pipeline.",
    );
    expect(calls(state)).toEqual(checksOfPipeline101);
    expect(state.policies).toEqual([]);
  });

  it('refuses a pipeline the portal marked for another entity', async () => {
    const { state, handler } = fakeAzureDevOps(
      {},
      {
        tags: [
          'backstage-entity=component:default/ledger',
          `backstage-owner=${TEAM}`,
        ],
      },
    );
    server.use(handler);

    await expect(
      action.handler(createTestActionContext({ input, user }).ctx as any),
    ).rejects.toThrow(/Pipeline 101 .*component:default\/ledger/);
    expect(state.policies).toEqual([]);
  });

  it('refuses a member of another team, before calling Azure DevOps', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);

    await expect(
      action.handler(
        createTestActionContext({ input, user: OTHER_MEMBER }).ctx as any,
      ),
    ).rejects.toThrow(
      `Only members of ${TEAM} may require its pipelines on pull requests`,
    );
    expect(state.requests).toEqual([]);
  });

  it('names the scope a refused policy needs (403)', async () => {
    const { state, handler } = fakeAzureDevOps();
    state.failures.push({
      method: 'POST',
      path: /^policy\/configurations$/,
      status: 403,
      message:
        "TF401027: You need the Git 'EditPolicies' permission to perform this action.",
    });
    server.use(handler);

    await expect(
      action.handler(createTestActionContext({ input, user }).ctx as any),
    ).rejects.toThrow(
      /\(403\).*"Code: Read, write, & manage".*TF401027: You need the Git 'EditPolicies' permission/,
    );
  });

  it('adds nothing for a GitHub repository, whose pull requests run the pipeline from its pr: trigger', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const run = createTestActionContext({
      user,
      input: {
        ...input,
        repoUrl: 'github.com?owner=contoso&repo=sales-dashboard',
        organization: ORG,
        project: PROJECT,
      },
    });

    await action.handler(run.ctx as any);

    expect(state.requests).toEqual([]);
    expect(run.outputs).toEqual({ policyId: 0, created: false });
  });

  it('says who must grant "Edit policies" when the portal\'s account is only a project member (403)', async () => {
    // The PAT's user is in Contributors, not Project Administrators: it may not edit policies.
    const { state, handler } = fakeAzureDevOps({
      token: undefined,
      identities: [{ name: 'Portal service account', token: PAT }],
    });
    server.use(handler);

    await expect(
      action.handler(createTestActionContext({ input, user }).ctx as any),
    ).rejects.toThrow(
      `It needs the "Edit policies" permission on the repository 'sales-dashboard' (Project settings > Repositories > sales-dashboard > Security): ` +
        "ask a project administrator to give the portal's service account (the user of AZURE_DEVOPS_TOKEN) that role, then run the template again. " +
        "Azure DevOps said: TF401027: You need the Git 'EditPolicies' permission to perform this action.",
    );
    expect(state.policies).toEqual([]);
  });

  it('finds its policy on a later page of the policy list and adds none', async () => {
    const { state, handler } = fakeAzureDevOps({ pageSize: 1 });
    server.use(handler);
    const repositoryId = state.repositories[0].id;
    const scope = [
      { repositoryId, refName: 'refs/heads/main', matchKind: 'exact' },
    ];
    state.policies.push(
      {
        id: 1,
        isEnabled: true,
        isBlocking: true,
        type: { id: BUILD_VALIDATION_POLICY_TYPE },
        settings: { buildDefinitionId: 55, scope },
        createdBy: 'Another team',
      },
      {
        id: 2,
        isEnabled: true,
        isBlocking: true,
        type: { id: BUILD_VALIDATION_POLICY_TYPE },
        settings: { buildDefinitionId: 101, scope },
        createdBy: 'Portal service account',
      },
    );
    const run = createTestActionContext({ input, user });

    await action.handler(run.ctx as any);

    expect(run.outputs).toEqual({ policyId: 2, created: false });
    expect(
      calls(state)
        .filter(c => c.path === 'git/policy/configurations')
        .map(c => c.query.continuationToken),
    ).toEqual([undefined, '1']);
  });

  it('leaves an optional policy of its pipeline as it is, and warns that pull requests can complete without a run', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    await action.handler(createTestActionContext({ input, user }).ctx as any);
    state.policies[0].isBlocking = false;
    const run = createTestActionContext({ input, user });

    await action.handler(run.ctx as any);

    expect(state.policies).toHaveLength(1);
    expect(run.logLines.join('\n')).toContain(
      "warn: The build-validation policy 101 on refs/heads/main of 'sales-dashboard' is optional",
    );
  });
});
