import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { setupServer } from 'msw/node';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import {
  addPipeline,
  BASE_URL,
  calls,
  connectWithPat,
  ENTITY,
  fakeAzureDevOps,
  MEMBER,
  OTHER_MEMBER,
  OTHER_TEAM,
  ORG,
  PROJECT,
  readTags,
  TEAM,
  TEAM_MEMBER,
  USER_TOKEN,
} from '../__testUtils__/msw';
import { markTags } from '../lib/pipelineMark';
import { expectNoToken } from '../__testUtils__/secrets';
import { createAzurePipelineStartAction } from './pipelineStart';

describe('azure:pipeline:start', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  const action = createAzurePipelineStartAction({ connect: connectWithPat() });

  function withPipeline(tags?: string[]) {
    const fake = fakeAzureDevOps();
    addPipeline(fake.state, { tags });
    server.use(fake.handler);
    return fake.state;
  }
  const input = {
    repoUrl: `dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=sales-dashboard`,
    pipelineId: 101,
    entityRef: ENTITY,
    owner: TEAM,
    branch: 'main',
  };
  const user = TEAM_MEMBER;

  it('starts the first run on main and links it', async () => {
    const state = withPipeline();
    const run = createTestActionContext({ input, user });

    await action.handler(run.ctx as any);

    expect(calls(state)).toEqual([
      readTags(101),
      {
        method: 'GET',
        path: 'pipelines/101/runs',
        query: { 'api-version': '7.1' },
      },
      {
        method: 'POST',
        path: 'pipelines/101/runs',
        query: { 'api-version': '7.1' },
        body: {
          resources: { repositories: { self: { refName: 'refs/heads/main' } } },
        },
      },
    ]);
    const runId = state.runs.get(101)![0].id;
    expect(run.outputs).toEqual({
      runId,
      runUrl: `${BASE_URL}/${ORG}/${PROJECT}/_build/results?buildId=${runId}`,
      started: true,
    });
    expectNoToken(run);
  });

  it('starts no second run when the template runs again', async () => {
    const state = withPipeline();
    const first = createTestActionContext({ input, user });
    await action.handler(first.ctx as any);

    const again = createTestActionContext({ input, user });
    await action.handler(again.ctx as any);

    expect(state.runs.get(101)).toHaveLength(1);
    expect(again.outputs).toEqual({ ...first.outputs, started: false });
  });

  it('does not start again when a retried task resumes after the run was started', async () => {
    const state = withPipeline();
    const checkpoints = new Map();
    await action.handler(
      createTestActionContext({ input, user, checkpoints }).ctx as any,
    );
    state.requests.length = 0;

    await action.handler(
      createTestActionContext({ input, user, checkpoints }).ctx as any,
    );

    expect(state.requests).toEqual([]);
  });

  it('says which pipeline was not found (404)', async () => {
    withPipeline();
    await expect(
      action.handler(
        createTestActionContext({ input: { ...input, pipelineId: 999 }, user })
          .ctx as any,
      ),
    ).rejects.toThrow(
      'Azure DevOps found nothing when trying to read the tags of pipeline 999 (404)',
    );
  });

  it('starts the run as the signed-in user, a plain member, so the run is requested for them', async () => {
    const state = withPipeline();
    await action.handler(
      createTestActionContext({
        input: { ...input, token: USER_TOKEN },
        user,
      }).ctx as any,
    );
    expect(state.runs.get(101)!.map(r => r.requestedBy)).toEqual([MEMBER]);
  });

  it('reports the latest of several runs, whatever order Azure DevOps lists them in', async () => {
    const state = withPipeline();
    state.runs
      .get(101)!
      .push(
        { id: 5, name: '5', state: 'completed', result: 'failed' },
        { id: 9, name: '9', state: 'completed', result: 'succeeded' },
      );
    const run = createTestActionContext({ input, user });

    await action.handler(run.ctx as any);

    expect(run.outputs).toMatchObject({ runId: 9, started: false });
    expect(run.logLines.join('\n')).toContain('Latest run 9 (succeeded)');
  });

  it('says the first run failed and what to do when the pipeline has only a failed run', async () => {
    const state = withPipeline();
    state.runs
      .get(101)!
      .push({ id: 5, name: '5', state: 'completed', result: 'failed' });
    const run = createTestActionContext({ input, user });

    await action.handler(run.ctx as any);

    expect(run.logLines.join('\n')).toContain(
      'Latest run 5 (failed): https://dev.azure.com/contoso/dashboards/_build/results?buildId=5 — fix what failed and run the pipeline again in Azure DevOps',
    );
  });

  it("refuses a pipeline without the portal's mark, naming it and the entity, and starts nothing", async () => {
    const state = withPipeline([]);
    await expect(
      action.handler(createTestActionContext({ input, user }).ctx as any),
    ).rejects.toThrow(
      `Pipeline 101 in project '${PROJECT}' of organization '${ORG}' carries no mark of the portal (its tags name no catalog entity), not ${ENTITY} of ${TEAM}: the portal does not start it.`,
    );
    expect(state.runs.get(101)).toEqual([]);
    expect(calls(state)).toEqual([readTags(101)]);
  });

  it("refuses a pipeline the portal marked for another entity, also with the user's own token", async () => {
    const state = withPipeline(
      markTags({ entityRef: 'component:default/payments', owner: OTHER_TEAM }),
    );
    await expect(
      action.handler(
        createTestActionContext({
          input: { ...input, token: USER_TOKEN },
          user,
        }).ctx as any,
      ),
    ).rejects.toThrow(
      `Pipeline 101 in project '${PROJECT}' of organization '${ORG}' is marked as the portal's pipeline for component:default/payments (owner ${OTHER_TEAM}), not ${ENTITY} of ${TEAM}`,
    );
    expect(state.runs.get(101)).toEqual([]);
  });

  it('refuses a user who is not a member of the owner group before calling Azure DevOps', async () => {
    const state = withPipeline();
    await expect(
      action.handler(
        createTestActionContext({ input, user: OTHER_MEMBER }).ctx as any,
      ),
    ).rejects.toThrow(
      `Only members of ${TEAM} may start its pipelines; you are signed in as user:default/omar, a member of ${OTHER_TEAM}.`,
    );
    expect(state.requests).toEqual([]);
  });

  it('refuses a task without a signed-in user', async () => {
    withPipeline();
    await expect(
      action.handler(createTestActionContext({ input }).ctx as any),
    ).rejects.toThrow(
      `Only a signed-in member of ${TEAM} may start its pipelines; this task has no signed-in user`,
    );
  });
});
