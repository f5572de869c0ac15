import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import type { UnconfiguredServices } from '@internal/plugin-scaffolder-portal-node';
import { setupServer } from 'msw/node';
import {
  ACCESS,
  calls,
  connectWithPat,
  ENTITY,
  fakeAzureDevOps,
  ORG,
  PROJECT,
  TEAM,
  TEAM_MEMBER,
} from './__testUtils__/msw';
import { createAzureBuildValidationAction } from './actions/buildValidation';
import { createAzurePipelineAuthorizeAction } from './actions/pipelineAuthorize';
import { createAzurePipelineEnsureAction } from './actions/pipelineEnsure';
import { createAzurePipelineStartAction } from './actions/pipelineStart';
import { createClientFactory, type ClientFactory } from './lib/connect';

// What the local defaults configure: the host, no credential (app-config.yaml).
const withoutToken = createClientFactory({
  config: new ConfigReader({
    integrations: { azure: [{ host: 'dev.azure.com' }] },
  }),
});

const azureRepo = `dev.azure.com?organization=${ORG}&project=${PROJECT}&repo=sales-dashboard`;
// A repository on the local git server of the start configuration, which no integration names.
const localRepo = 'localhost:7070?owner=dashboards-team&repo=sales-dashboard';

const input = (repoUrl: string) => ({
  repoUrl,
  entityRef: ENTITY,
  owner: TEAM,
  name: 'sales-dashboard',
  pipelineId: 7,
  branch: 'main',
  registryServiceConnection: 'docker-hub-dashboards',
  kubernetesServiceConnection: 'aks-dashboards',
  environment: 'dashboards',
});

const steps = (connect: ClientFactory, unconfigured: UnconfiguredServices) => [
  {
    id: 'azure:pipeline:ensure',
    action: createAzurePipelineEnsureAction({
      connect,
      access: ACCESS,
      unconfigured,
    }),
    outputs: { pipelineId: 0, created: false },
  },
  {
    id: 'azure:pipeline:authorize',
    action: createAzurePipelineAuthorizeAction({
      connect,
      access: ACCESS,
      unconfigured,
    }),
    outputs: {
      environmentId: 0,
      environmentCreated: false,
      authorized: [],
      protected: [],
    },
  },
  {
    id: 'azure:repo:build-validation',
    action: createAzureBuildValidationAction({ connect, unconfigured }),
    outputs: { policyId: 0, created: false },
  },
  {
    id: 'azure:pipeline:start',
    action: createAzurePipelineStartAction({ connect, unconfigured }),
    outputs: { runId: 0, started: false },
  },
];

describe('the pipeline steps where Azure DevOps is not configured', () => {
  // No handler: a request to Azure DevOps fails the test.
  const server = setupServer();
  registerMswTestHooks(server);

  describe.each(steps(withoutToken, 'skip'))(
    '$id with goldenPath.unconfiguredServices: skip',
    ({ action, outputs }) => {
      it('ends with one line saying it was skipped and how to connect Azure DevOps, calling nothing', async () => {
        const run = createTestActionContext({
          user: TEAM_MEMBER,
          input: input(azureRepo),
        });
        await action.handler(run.ctx as any);
        expect(run.logLines).toEqual([
          "warn: Azure DevOps not configured here: skipped, as the portal has no Azure DevOps token for organization 'contoso'. To connect it, set AZURE_DEVOPS_TOKEN (the integrations.azure credential for dev.azure.com) to a personal access token with the scopes in docs/azure-devops.md and restart the portal.",
        ]);
        expect(run.outputs).toEqual(outputs);
      });

      it('is skipped for a repository on a host Azure Pipelines does not build from, also in a dry run', async () => {
        for (const isDryRun of [false, true]) {
          const run = createTestActionContext({
            user: TEAM_MEMBER,
            isDryRun,
            input: input(localRepo),
          });
          await action.handler(run.ctx as any);
          expect(run.logLines).toEqual([
            "warn: Azure Pipelines not configured here: skipped, as the repository is on localhost:7070, which Azure Pipelines does not build from. To connect it, create the service on Azure DevOps or GitHub with the portal's AZURE_DEVOPS_TOKEN set (docs/azure-devops.md).",
          ]);
        }
      });
    },
  );

  describe.each(steps(withoutToken, 'fail'))(
    '$id with goldenPath.unconfiguredServices: fail',
    ({ action }) => {
      it('fails naming the missing token and the setting, without a vendor stack', async () => {
        const run = createTestActionContext({
          user: TEAM_MEMBER,
          input: input(azureRepo),
        });
        const failure = action.handler(run.ctx as any);
        await expect(failure).rejects.toBeInstanceOf(InputError);
        await expect(failure).rejects.toThrow(
          "Azure DevOps is not configured: the portal has no Azure DevOps token for organization 'contoso'. To connect it, set AZURE_DEVOPS_TOKEN",
        );
        expect(run.logLines).toEqual([]);
      });
    },
  );

  it('skips nothing when the portal has a token: the step calls Azure DevOps', async () => {
    const { state, handler } = fakeAzureDevOps();
    server.use(handler);
    const [ensure] = steps(connectWithPat(), 'skip');
    const run = createTestActionContext({
      user: TEAM_MEMBER,
      input: input(azureRepo),
    });
    await ensure.action.handler(run.ctx as any);
    expect(calls(state).length).toBeGreaterThan(0);
    expect(run.logLines.join('\n')).not.toContain('skipped');
    expect(run.outputs.created).toBe(true);
  });

  it("uses the signed-in user's token for creating and starting, so those are not skipped without a portal token", () => {
    expect(
      withoutToken.notConfigured({ repoUrl: azureRepo, token: 'user-token' }),
    ).toBeUndefined();
    expect(
      withoutToken.notConfigured(
        { repoUrl: azureRepo, token: 'user-token' },
        { portalTokenOnly: true },
      ),
    ).toMatchObject({ reason: 'token' });
  });

  it('leaves a dry run without a token alone: dry runs need none', async () => {
    const [ensure] = steps(withoutToken, 'fail');
    const run = createTestActionContext({
      user: TEAM_MEMBER,
      isDryRun: true,
      input: input(azureRepo),
    });
    await ensure.action.handler(run.ctx as any);
    expect(run.logLines).toEqual([
      expect.stringMatching(/^info: Would find or create the pipeline/),
    ]);
  });
});
