/*
 * The new service's pipeline, from the form to Azure DevOps: the template steps that create,
 * authorize and start it (dry run through the real scaffolder with the real actions), and the
 * generated azure-pipelines.yml, Namespace and Deployment it deploys.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** The steps of the Deploy stage's deployment job, in order. */
function deployStepsOf(pipeline: any): any[] {
  const deploy = pipeline.stages.find((s: any) => s.stage === 'Deploy');
  return deploy.jobs[0].strategy.runOnce.deploy.steps;
}

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
    // The entity the pipeline is marked for, and the owner whose grants and members it acts for.
    const forEntity = {
      entityRef: `component:default/${values.name}`,
      owner: values.owner,
    };

    expect(input('azure:pipeline:ensure')).toEqual({
      ...where,
      ...forEntity,
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
      ...forEntity,
      pipelineId: 0,
      registryServiceConnection: values.registryServiceConnection,
      kubernetesServiceConnection: values.kubernetesServiceConnection,
      ...(azureRepos
        ? {}
        : { githubServiceConnection: values.githubServiceConnection }),
      // Checked against the owner's grants only for a Docker Hub image.
      dockerHubNamespace:
        values.registryType === 'dockerhub' ? values.dockerHubNamespace : '',
      environment: values.environment,
    });
    expect(input('azure:repo:build-validation')).toEqual({
      ...where,
      ...forEntity,
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
      ...forEntity,
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
      'Environment',
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
      ['Push', 'Build'],
      ['Deploy', 'Push'],
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

  it('builds on every run without registry credentials, and pushes only in a main-only stage', () => {
    const pipeline = one('azure-pipelines.yml');
    const stage = (name: string) =>
      pipeline.stages.find((s: any) => s.stage === name);
    const docker = (name: string) =>
      stage(name).jobs[0].steps.filter((s: any) => s.task === 'Docker@2');
    expect(docker('Build').map((s: any) => s.inputs)).toEqual([
      expect.objectContaining({
        command: 'build',
        repository: '$(imageRepository)',
      }),
    ]);
    expect(docker('Build')[0].inputs.containerRegistry).toBeUndefined();
    expect(docker('Build')[0].condition).toBeUndefined();
    expect(stage('Build').condition).toBeUndefined();
    expect(docker('Push').map((s: any) => s.inputs)).toEqual([
      expect.objectContaining({
        command: 'buildAndPush',
        containerRegistry: '$(dockerRegistryServiceConnection)',
        repository: '$(imageRepository)',
      }),
    ]);
    expect(stage('Push').condition).toBe(MAIN_ONLY);
    expect(pipeline.variables.imageRepository).toBe(acrValues.name);
    // No other step pushes.
    expect(
      pipeline.stages
        .flatMap((s: any) => s.jobs)
        .flatMap((j: any) => j.steps ?? [])
        .filter((s: any) => s.task === 'Docker@2')
        .map((s: any) => s.inputs.command),
    ).toEqual(['build', 'buildAndPush']);
  });

  it('deploys after the push, to the environment, only from main; pull requests trigger on main', () => {
    const pipeline = one('azure-pipelines.yml');
    const deploy = pipeline.stages.find((s: any) => s.stage === 'Deploy');
    expect(deploy.condition).toBe(MAIN_ONLY);
    expect(deploy.jobs[0].environment).toBe(acrValues.environment);
    expect(pipeline.trigger).toEqual({ branches: { include: ['main'] } });
    expect(pipeline.pr).toEqual({ branches: { include: ['main'] } });
  });

  it('adds the Namespace with restricted Pod Security labels, created before the deploy and never deployed', () => {
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
    const steps = deployStepsOf(one('azure-pipelines.yml'));
    const create = steps.findIndex((s: any) =>
      s.bash?.includes('manifests/namespace.yaml'),
    );
    const apply = steps.findIndex((s: any) => s.inputs?.action === 'deploy');
    expect(create).toBeGreaterThan(-1);
    expect(create).toBeLessThan(apply);
    expect(steps[apply].inputs.manifests).not.toContain('namespace.yaml');
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
      return deployStepsOf(pipeline)
        .find((s: any) => s.inputs?.action === 'deploy')
        .inputs.manifests.trim()
        .split('\n')
        .map((line: string) => line.trim());
    };
    expect(await manifestsOf(true)).toEqual([
      '$(Pipeline.Workspace)/manifests/deployment.yaml',
      '$(Pipeline.Workspace)/manifests/service.yaml',
      '$(Pipeline.Workspace)/manifests/podmonitor.yaml',
    ]);
    expect(await manifestsOf(false)).toEqual([
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
    const apply = deployStepsOf(one('azure-pipelines.yml')).find(
      (s: any) => s.inputs?.action === 'deploy',
    );
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

/** Replaces the pipeline's `$(name)` macros with these values, as the agent does before a step runs. */
function expandMacros(text: string, variables: Record<string, string>) {
  return text.replace(/\$\(([\w.]+)\)/g, (m, name) => variables[name] ?? m);
}

/**
 * A `kubectl` for the namespace step, answering `get namespace` and `create -f` for one cluster
 * state with the API server's messages as kubectl prints them ("Error from server (Reason):
 * message"; the reasons and texts of k8s.io/apimachinery/pkg/api/errors NewNotFound and
 * NewForbidden, as the RBAC authorizer words a refusal). It records each call.
 */
function kubectlStandIn(
  dir: string,
  cluster: 'exists' | 'missing' | 'namespace-scoped' | 'missing, no create',
) {
  const user = 'system:serviceaccount:dash:azure-pipelines';
  const script = `#!/usr/bin/env bash
echo "$*" >> "${dir}/calls"
case "$1 ${cluster}" in
  "get exists") echo "namespace/$3" ;;
  "get missing"|"get missing, no create")
    echo "Error from server (NotFound): namespaces \\"$3\\" not found" >&2; exit 1 ;;
  "get namespace-scoped")
    echo "Error from server (Forbidden): namespaces \\"$3\\" is forbidden: User \\"${user}\\" cannot get resource \\"namespaces\\" in API group \\"\\" in the namespace \\"$3\\"" >&2; exit 1 ;;
  "create missing") echo "namespace/created from $3" ;;
  "create missing, no create")
    echo "Error from server (Forbidden): error when creating \\"$3\\": namespaces is forbidden: User \\"${user}\\" cannot create resource \\"namespaces\\" in API group \\"\\" at the cluster scope" >&2; exit 1 ;;
  *) echo "unexpected kubectl $*" >&2; exit 2 ;;
esac
`;
  fs.writeFileSync(path.join(dir, 'kubectl'), script, { mode: 0o755 });
}

describe.each([
  ['Docker Hub', dockerHubValues],
  ['Azure Container Registry', acrValues],
])(
  'the first deploy of an image from %s on a fresh cluster',
  (_title, values) => {
    let files: Map<string, any[]>;
    let rendered: Map<string, string>;
    const one = (file: string) => files.get(file)![0];

    beforeAll(async () => {
      const result = await backend.dryRun({ templateDir, values });
      if (result.status !== 200) {
        throw new Error(`dry run answered ${result.status}`);
      }
      files = parseYamlFiles(result.files);
      rendered = result.files;
    });

    /** Runs the pipeline's namespace step with this cluster's kubectl; the agent's view of it. */
    function runNamespaceStep(cluster: Parameters<typeof kubectlStandIn>[1]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'namespace-step-'));
      try {
        kubectlStandIn(dir, cluster);
        const pipeline = one('azure-pipelines.yml');
        const step = deployStepsOf(pipeline).find((s: any) => s.bash);
        const script = expandMacros(step.bash, {
          ...pipeline.variables,
          'Pipeline.Workspace': '/agent/_work/1',
        });
        const run = spawnSync('bash', ['-c', script], {
          env: { PATH: `${dir}:${process.env.PATH}` },
          encoding: 'utf8',
        });
        const calls = fs.existsSync(path.join(dir, 'calls'))
          ? fs.readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n')
          : [];
        return { status: run.status, stdout: run.stdout, calls };
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }

    it('signs in to the cluster before the namespace step and out after it, with the Kubernetes connection', () => {
      const steps = deployStepsOf(one('azure-pipelines.yml'));
      const names = steps.map((s: any) =>
        s.bash
          ? 'namespace step'
          : `${s.task} ${s.inputs.command ?? s.inputs.action}`,
      );
      expect(names.slice(0, 3)).toEqual([
        'Kubernetes@1 login',
        'namespace step',
        'Kubernetes@1 logout',
      ]);
      expect(steps[0].inputs).toMatchObject({
        connectionType: 'Kubernetes Service Connection',
        kubernetesServiceEndpoint: '$(kubernetesServiceConnection)',
      });
      expect(steps[2].condition).toBe('always()');
    });

    it('leaves an existing namespace alone, so a connection scoped to it needs no cluster rights', () => {
      const run = runNamespaceStep('exists');
      expect(run.status).toBe(0);
      expect(run.calls).toEqual([`get namespace ${values.namespace} -o name`]);
    });

    it('creates a missing namespace from namespace.yaml', () => {
      const run = runNamespaceStep('missing');
      expect(run.status).toBe(0);
      expect(run.calls).toEqual([
        `get namespace ${values.namespace} -o name`,
        'create -f /agent/_work/1/manifests/namespace.yaml',
      ]);
    });

    it('fails with what to ask for when the namespace is missing and the connection may not create it', () => {
      const run = runNamespaceStep('missing, no create');
      expect(run.status).not.toBe(0);
      expect(run.stdout).toContain(
        `##vso[task.logissue type=error]The namespace ${values.namespace} does not exist and the Kubernetes service connection may not create it. Ask a cluster administrator to apply kubernetes/namespace.yaml`,
      );
    });

    it('fails naming the right it lacks when the connection cannot read its namespace', () => {
      const run = runNamespaceStep('namespace-scoped');
      expect(run.status).not.toBe(0);
      expect(run.stdout).toContain(
        `The Kubernetes service connection cannot read the namespace ${values.namespace}`,
      );
      expect(run.stdout).toContain(`cannot get resource "namespaces"`);
      expect(run.calls).toHaveLength(1);
    });

    if (values.registryType === 'dockerhub') {
      it('stores a pull secret from the registry connection before the deploy, and the Deployment names it', () => {
        const pipeline = one('azure-pipelines.yml');
        const steps = deployStepsOf(pipeline);
        const secret = steps.findIndex(
          (s: any) => s.inputs?.action === 'createSecret',
        );
        const apply = steps.findIndex(
          (s: any) => s.inputs?.action === 'deploy',
        );
        expect(secret).toBeGreaterThan(-1);
        expect(secret).toBeLessThan(apply);
        const inputs = steps[secret].inputs;
        expect(inputs).toMatchObject({
          secretType: 'dockerRegistry',
          dockerRegistryEndpoint: '$(dockerRegistryServiceConnection)',
          kubernetesServiceConnection: '$(kubernetesServiceConnection)',
          namespace: '$(kubernetesNamespace)',
        });
        const secretName = expandMacros(inputs.secretName, pipeline.variables);
        expect(secretName).toBe(`${values.name}-registry`);
        const pod = one('kubernetes/deployment.yaml').spec.template.spec;
        expect(pod.imagePullSecrets).toEqual([{ name: secretName }]);
        expect(() =>
          validateKubernetesObject(one('kubernetes/deployment.yaml')),
        ).not.toThrow();
      });
    } else {
      it('pulls with the cluster’s own identity: no pull secret, and the docs say how to attach the registry', () => {
        const steps = deployStepsOf(one('azure-pipelines.yml'));
        expect(steps.map((s: any) => s.inputs?.action)).not.toContain(
          'createSecret',
        );
        expect(
          one('kubernetes/deployment.yaml').spec.template.spec.imagePullSecrets,
        ).toBeUndefined();
        expect(rendered.get('docs/operations.md')).toContain(
          `--attach-acr <registry>`,
        );
      });
    }

    it('fails a rollout that does not finish in 10 minutes, instead of waiting for the job timeout', () => {
      const apply = deployStepsOf(one('azure-pipelines.yml')).find(
        (s: any) => s.inputs?.action === 'deploy',
      );
      expect(apply.inputs.rolloutStatusTimeout).toBe('600');
    });
  },
);

// What the form offers comes from azurePipelines.teams (app-config.yaml, read by the dry-run
// backend); a value the form would not offer is refused by the steps themselves.
describe('the pipeline steps for another team', () => {
  it('refuses a Kubernetes connection granted to another team, naming it, both teams and who grants it', async () => {
    const result = await backend.dryRun({
      templateDir,
      values: {
        ...dockerHubValues,
        kubernetesServiceConnection: 'aks-dashboards',
      },
    });
    expect(result.status).toBe(403);
    expect(result.body.error.message).toBe(
      "The Kubernetes service connection 'aks-dashboards' is not granted to group:default/platform-team (it is group:default/dashboards-team's): " +
        "group:default/platform-team may use 'aks-production', 'AKS West Europe' (azurePipelines.teams, kubernetesServiceConnections). " +
        'Pick one of those, or ask group:default/platform-team, who maintain azurePipelines.teams, to grant it to group:default/platform-team',
    );
  });

  it('refuses an owner group the signed-in user is not a member of, whatever the form sent', async () => {
    const result = await backend.dryRun({
      templateDir,
      values: {
        ...dockerHubValues,
        owner: 'group:default/dashboards-team',
        registryServiceConnection: 'docker-hub-dashboards',
        kubernetesServiceConnection: 'aks-dashboards',
        environment: 'dashboards',
      },
    });
    expect(result.status).toBe(403);
    expect(result.body.error.message).toBe(
      'Only members of group:default/dashboards-team may create its pipelines; you are signed in as user:default/mock, a member of group:default/platform-team. ' +
        'Choose a team you belong to as the owner, or ask a member of group:default/dashboards-team to add you to the group',
    );
  });
});
