/*
 * The new service's pipeline, from the form to Azure DevOps: the template steps that create,
 * authorize and start it (dry run through the real scaffolder with the real actions), and the
 * generated azure-pipelines.yml, Namespace and Deployment it deploys.
 */
import { DryRunBackend, DryRunResult, startDryRunBackend } from './dryRun';
import {
  parseYamlFiles,
  validateAzurePipeline,
  validateKubernetesObject,
} from './lib/checks';
import {
  ServiceValues,
  acrValues,
  dockerHubValues,
  serviceTemplateFeatures,
  templateDir,
} from './pythonDashboardService.fixtures';

jest.setTimeout(60_000);

/** The condition on the push and on the Deploy stage: main, never a pull request. */
const MAIN_ONLY =
  "and(succeeded(), eq(variables['Build.SourceBranch'], 'refs/heads/main'), ne(variables['Build.Reason'], 'PullRequest'))";

const USER_TOKEN = 'user-token-Zr8Qp2Lx5Vn7Tb3Kc9Hw';

let backend: DryRunBackend;

beforeAll(async () => {
  backend = await startDryRunBackend({ features: serviceTemplateFeatures });
});

afterAll(async () => {
  await backend?.stop();
});

function pipelineOf(values: ServiceValues) {
  const host = values.repoUrl.split('?')[0];
  const query = new URLSearchParams(values.repoUrl.split('?')[1]);
  return host === 'dev.azure.com'
    ? {
        host,
        organization: query.get('organization')!,
        project: query.get('project')!,
      }
    : {
        host,
        organization: values.pipelineOrganization!,
        project: values.pipelineProject!,
      };
}

describe.each([
  ['GitHub repository', dockerHubValues],
  ['Azure Repos repository', acrValues],
])('the pipeline steps of a service on a %s', (_title, values) => {
  let result: DryRunResult;
  const { host, organization, project } = pipelineOf(values);
  const azureRepos = host === 'dev.azure.com';
  const repo = new URLSearchParams(values.repoUrl.split('?')[1]).get('repo')!;

  beforeAll(async () => {
    result = await backend.dryRun({
      templateDir,
      values,
      secrets: { azureDevOpsUserToken: USER_TOKEN },
    });
  });

  it('creates the pipeline on azure-pipelines.yml, protects and authorizes it, validates pull requests, and starts it, after registering', () => {
    expect(result.status).toBe(200);
    const steps = result.steps.map(s => s.action);
    expect(steps.slice(steps.indexOf('portal:catalog:register'))).toEqual([
      'portal:catalog:register',
      // The service's Grafana dashboard and alerts exist before its first deployment.
      'grafana:dashboard:apply',
      'azure:pipeline:ensure',
      'azure:pipeline:authorize',
      // Adds nothing for GitHub, which runs pull requests from the YAML's `pr:` trigger.
      'azure:repo:build-validation',
      'azure:pipeline:start',
      // After the run was started: it follows the run through to running and observed.
      'golden-path:verify',
    ]);
    const input = (action: string) =>
      result.steps.find(s => s.action === action)!.input as Record<string, any>;
    // Every step gets the repository URL as the form gave it; a GitHub repository's pipeline
    // also gets the Azure DevOps project the form asked for. No step repeats a condition.
    const where = {
      repoUrl: values.repoUrl,
      ...(azureRepos ? {} : { organization, project }),
    };

    expect(input('azure:pipeline:ensure')).toEqual({
      ...where,
      name: values.name,
      yamlPath: 'azure-pipelines.yml',
      ...(azureRepos
        ? {}
        : { githubServiceConnection: values.githubServiceConnection }),
      token: '***',
    });
    // Needs administrator roles: always the portal's token, never the user's.
    expect(input('azure:pipeline:authorize')).toEqual({
      ...where,
      pipelineId: 0,
      registryServiceConnection: values.registryServiceConnection,
      kubernetesServiceConnection: values.kubernetesServiceConnection,
      ...(azureRepos
        ? {}
        : { githubServiceConnection: values.githubServiceConnection }),
      environment: values.environment,
    });
    expect(input('azure:repo:build-validation')).toEqual({
      ...where,
      pipelineId: 0,
      branch: 'main',
    });
    expect(result.log.join('\n')).toContain(
      azureRepos
        ? `Would require pipeline 0 to pass on pull requests into refs/heads/main of '${repo}'`
        : 'runs the pipeline on pull requests from its pr: trigger; no branch policy needed',
    );
    expect(input('azure:pipeline:start')).toEqual({
      ...where,
      pipelineId: 0,
      branch: 'main',
      token: '***',
    });
    expect(input('golden-path:verify')).toMatchObject({
      ...where,
      pipelineId: 0,
      runId: 0,
      token: '***',
      entityRef: `component:default/${values.name}`,
      namespace: values.namespace,
      podMonitorLabels: values.podMonitorLabels,
    });
    expect(result.log.join('\n')).toContain(
      `Would follow run 0 of pipeline 0 through built (up to 20 min), deployed (up to 10 min)`,
    );
  });

  it('lists what the task created in the verify step, so that a failed check still links it', () => {
    const verify = result.steps.find(s => s.action === 'golden-path:verify')!
      .input as { created: { title: string }[] };
    expect(verify.created.map(c => c.title)).toEqual([
      'Repository',
      'Catalog entity',
      'Pipeline',
      'First run',
    ]);
  });

  it('links the pipeline, the first run and the environment on the finished task', () => {
    const base = `https://dev.azure.com/${organization}/${project}`;
    expect(result.body.output.links.slice(2)).toEqual([
      { title: 'Pipeline', url: `${base}/_build` },
      { title: 'First run', url: `${base}/_build` },
      { title: 'Environment', url: `${base}/_environments` },
    ]);
  });

  it("keeps the signed-in user's token out of the log, the outputs and the step inputs", () => {
    expect(JSON.stringify(result.body)).not.toContain(USER_TOKEN);
  });

  it('annotates the entity with the pipeline, for its runs on the entity page', () => {
    const entity = parseYamlFiles(result.files).get('catalog-info.yaml')![0];
    expect(entity.metadata.annotations).toMatchObject({
      'dev.azure.com/host-org': `dev.azure.com/${organization}`,
      'dev.azure.com/project': project,
      'dev.azure.com/build-definition': values.name,
    });
  });
});

describe('the generated pipeline, Namespace and Deployment', () => {
  let files: Map<string, any[]>;

  beforeAll(async () => {
    const result = await backend.dryRun({ templateDir, values: acrValues });
    files = parseYamlFiles(result.files);
  });
  const one = (file: string) => files.get(file)![0];
  const image = `${acrValues.acrLoginServer}/${acrValues.name}`;

  it('validates against the Azure Pipelines schema', () => {
    expect(validateAzurePipeline(one('azure-pipelines.yml'))).toEqual([]);
  });

  it('gates the push on a test stage: pytest of the app and hadolint run as a container', () => {
    const pipeline = one('azure-pipelines.yml');
    expect(pipeline.stages.map((s: any) => [s.stage, s.dependsOn])).toEqual([
      ['Test', undefined],
      ['Build', 'Test'],
      ['Deploy', 'Build'],
    ]);
    const [pytest, hadolint] = pipeline.stages[0].jobs;
    const scripts = (job: any) =>
      job.steps.filter((s: any) => s.script).map((s: any) => s.script);
    expect(scripts(pytest)).toEqual([
      'python -m pip install -r requirements.txt -r requirements-dev.txt',
      'python -m pytest tests --junitxml=$(Common.TestResultsDirectory)/pytest.xml',
    ]);
    expect(scripts(hadolint)).toEqual([
      'docker run --rm -i $(hadolintImage) < $(dockerfilePath)',
    ]);
    expect(pipeline.variables.hadolintImage).toMatch(
      /^hadolint\/hadolint:v\d+\.\d+\.\d+$/,
    );
  });

  it('builds on every run but pushes with Docker@2 only from main, never from a pull request', () => {
    const pipeline = one('azure-pipelines.yml');
    const build = pipeline.stages.find((s: any) => s.stage === 'Build');
    const [buildStep, pushStep] = build.jobs[0].steps.filter(
      (s: any) => s.task === 'Docker@2',
    );
    expect(buildStep.inputs).toMatchObject({
      command: 'build',
      repository: '$(imageRepository)',
    });
    expect(buildStep.condition).toBeUndefined();
    expect(pushStep.inputs).toMatchObject({
      command: 'push',
      repository: '$(imageRepository)',
    });
    expect(pipeline.variables.imageRepository).toBe(acrValues.name);
    expect(pushStep.condition).toBe(MAIN_ONLY);
    // No other step pushes: only `build` and `push` commands, no buildAndPush.
    expect(
      pipeline.stages
        .flatMap((s: any) => s.jobs)
        .flatMap((j: any) => j.steps ?? [])
        .filter((s: any) => s.task === 'Docker@2')
        .map((s: any) => s.inputs.command),
    ).toEqual(['build', 'push']);
  });

  it('deploys after the push, to the environment, only from main; pull requests trigger on main', () => {
    const pipeline = one('azure-pipelines.yml');
    const deploy = pipeline.stages.find((s: any) => s.stage === 'Deploy');
    expect(deploy.condition).toBe(MAIN_ONLY);
    expect(deploy.jobs[0].environment).toBe(acrValues.environment);
    expect(pipeline.trigger).toEqual({ branches: { include: ['main'] } });
    expect(pipeline.pr).toEqual({ branches: { include: ['main'] } });
  });

  it('adds the Namespace with restricted Pod Security labels, applied first', () => {
    const namespace = one('kubernetes/namespace.yaml');
    expect(() => validateKubernetesObject(namespace)).not.toThrow();
    expect(namespace).toMatchObject({
      kind: 'Namespace',
      metadata: {
        name: acrValues.namespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
          'pod-security.kubernetes.io/warn': 'restricted',
        },
      },
    });
    const deploy = one('azure-pipelines.yml').stages.find(
      (s: any) => s.stage === 'Deploy',
    );
    const apply = deploy.jobs[0].strategy.runOnce.deploy.steps[0];
    expect(apply.inputs.manifests.trim().split('\n')[0]).toBe(
      '$(Pipeline.Workspace)/manifests/namespace.yaml',
    );
    expect(one('kubernetes/deployment.yaml').metadata.namespace).toBe(
      namespace.metadata.name,
    );
  });

  it('applies the PodMonitor when the form keeps it, and only then', async () => {
    const manifestsOf = async (podMonitor: boolean) => {
      const rendered = await backend.dryRun({
        templateDir,
        values: { ...acrValues, podMonitor },
      });
      expect(rendered.status).toBe(200);
      const pipeline = parseYamlFiles(rendered.files).get(
        'azure-pipelines.yml',
      )![0];
      const deploy = pipeline.stages.find((s: any) => s.stage === 'Deploy');
      return deploy.jobs[0].strategy.runOnce.deploy.steps[0].inputs.manifests
        .trim()
        .split('\n')
        .map((line: string) => line.trim());
    };
    expect(await manifestsOf(true)).toEqual([
      '$(Pipeline.Workspace)/manifests/namespace.yaml',
      '$(Pipeline.Workspace)/manifests/deployment.yaml',
      '$(Pipeline.Workspace)/manifests/service.yaml',
      '$(Pipeline.Workspace)/manifests/podmonitor.yaml',
    ]);
    expect(await manifestsOf(false)).toEqual([
      '$(Pipeline.Workspace)/manifests/namespace.yaml',
      '$(Pipeline.Workspace)/manifests/deployment.yaml',
      '$(Pipeline.Workspace)/manifests/service.yaml',
    ]);
  });

  it('gives the Deployment an explicit image tag, which the deploy step replaces with the build id', () => {
    const container = one('kubernetes/deployment.yaml').spec.template.spec
      .containers[0];
    const [name, tag] = [
      container.image.slice(0, container.image.lastIndexOf(':')),
      container.image.slice(container.image.lastIndexOf(':') + 1),
    ];
    expect(name).toBe(image);
    expect(tag).toMatch(/^[\w][\w.-]{0,127}$/);
    expect(tag).not.toBe('latest');
    const deploy = one('azure-pipelines.yml').stages.find(
      (s: any) => s.stage === 'Deploy',
    );
    const apply = deploy.jobs[0].strategy.runOnce.deploy.steps[0];
    // KubernetesManifest@1 matches `containers` to the manifest's images by name.
    expect(apply.inputs.containers.trim()).toBe(
      '$(containerRegistry)/$(imageRepository):$(tag)',
    );
  });
});

describe('the Repository page of a GitHub repository', () => {
  it('refuses a GitHub repository without the Azure DevOps project of its pipeline, naming the fields', async () => {
    const {
      pipelineOrganization: _o,
      pipelineProject: _p,
      githubServiceConnection: _g,
      ...values
    } = dockerHubValues;
    const result = await backend.dryRun({ templateDir, values });
    expect(result.status).toBe(400);
    const missing = result.body.errors
      .filter((e: any) => e.name === 'required')
      .map((e: any) => e.argument)
      .sort();
    expect(missing).toEqual([
      'githubServiceConnection',
      'pipelineOrganization',
      'pipelineProject',
    ]);
  });
});
