import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  componentEntityV1alpha1Validator,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { ALERT_RULES } from '@internal/plugin-observability-common';
import { DryRunBackend, DryRunResult, startDryRunBackend } from './dryRun';
import {
  dockerfileProblems,
  emptyValuePaths,
  parseYamlFiles,
  pythonCompileErrors,
  validateAzurePipeline,
  validateKubernetesObject,
} from './lib/checks';
import {
  METRICS_PORT,
  ServiceValues,
  acrValues,
  dockerHubValues,
  edgeValues,
  templateDir,
  serviceTemplateFeatures,
} from './pythonDashboardService.fixtures';

// Booting the backend and compiling the pipeline schema take seconds; the
// timeout is set here so it holds when the repository runs all tests at once.
jest.setTimeout(60_000);

const EXPECTED_FILES = [
  '.dockerignore',
  '.streamlit/config.toml',
  '.template-record.json',
  'Dockerfile',
  'README.md',
  'app.py',
  'azure-pipelines.yml',
  'catalog-info.yaml',
  'dashboard.json',
  'docs/index.md',
  'docs/operations.md',
  'kubernetes/deployment.yaml',
  'kubernetes/namespace.yaml',
  'kubernetes/service.yaml',
  'main.py',
  'mkdocs.yml',
  'observability.py',
  'requirements-dev.txt',
  'requirements.txt',
  'tests/test_app.py',
];

/** The files of a dry run with these values: the PodMonitor only when asked for. */
function expectedFiles(values: ServiceValues): string[] {
  return [
    ...EXPECTED_FILES,
    ...(values.podMonitor ? ['kubernetes/podmonitor.yaml'] : []),
  ].sort();
}

function imageOf(values: ServiceValues): string {
  return values.registryType === 'dockerhub'
    ? `docker.io/${values.dockerHubNamespace}/${values.name}`
    : `${values.acrLoginServer}/${values.name}`;
}

/** Expands `$(name)` macros with the given variables, as Azure Pipelines does. */
function expandMacros(text: string, variables: Record<string, string>) {
  let expanded = text;
  for (let previous = ''; previous !== expanded; ) {
    previous = expanded;
    expanded = expanded.replace(/\$\(([\w.]+)\)/g, (macro, name) =>
      name in variables ? variables[name] : macro,
    );
  }
  return expanded;
}

/** The annotations that lead from the entity to its repository, from the picker's value. */
function repositoryAnnotations(repoUrl: string): Record<string, string> {
  const [host, search] = repoUrl.split('?');
  const query = new URLSearchParams(search);
  const repo = query.get('repo');
  if (host === 'github.com') {
    const owner = query.get('owner');
    return {
      'backstage.io/source-location': `url:https://github.com/${owner}/${repo}/tree/main/`,
      'github.com/project-slug': `${owner}/${repo}`,
    };
  }
  const project = query.get('project');
  return {
    'backstage.io/source-location': `url:https://dev.azure.com/${query.get(
      'organization',
    )}/${project}/_git/${repo}`,
    'dev.azure.com/project-repo': `${project}/${repo}`,
  };
}

let backend: DryRunBackend;
let actionInputSchemas: Map<string, unknown>;

beforeAll(async () => {
  backend = await startDryRunBackend({ features: serviceTemplateFeatures });
  actionInputSchemas = await backend.actionInputSchemas();
});

afterAll(async () => {
  await backend?.stop();
});

describe.each([
  ['Docker Hub image, GitHub repository', dockerHubValues],
  ['Azure Container Registry image, Azure DevOps repository', acrValues],
  ['63-character name, port 8080 and custom resources', edgeValues],
])('python-dashboard-service dry run: %s', (_title, values) => {
  let result: DryRunResult;
  let files: Map<string, string>;
  let yamlFiles: Map<string, any[]>;

  beforeAll(async () => {
    result = await backend.dryRun({ templateDir, values });
    files = result.files;
    yamlFiles = parseYamlFiles(files);
  });

  const yamlOf = (file: string) => {
    const docs = yamlFiles.get(file);
    if (!docs || docs.length !== 1) {
      throw new Error(`${file}: expected one YAML document`);
    }
    return docs[0];
  };
  const deploymentOf = () => yamlOf('kubernetes/deployment.yaml');
  const serviceOf = () => yamlOf('kubernetes/service.yaml');
  const containerOf = () => deploymentOf().spec.template.spec.containers[0];

  it('succeeds and generates every file, with no template syntax left over', () => {
    expect(result.status).toBe(200);
    expect([...files.keys()].sort()).toEqual(expectedFiles(values));
    // The user's own text may contain template syntax; it must come through as text.
    const userText = Object.values(values)
      .filter((v): v is string => typeof v === 'string')
      .flatMap(v => [v, JSON.stringify(v).slice(1, -1)]);
    for (const [file, content] of files) {
      const generated = userText.reduce(
        (text, value) => text.split(value).join(''),
        content,
      );
      expect({ file, leftover: generated.match(/\$\{\{|\{%|\{#/g) }).toEqual({
        file,
        leftover: null,
      });
    }
  });

  it('publishes to the chosen host and registers catalog-info.yaml', () => {
    const log = result.log.join('\n');
    const host = values.repoUrl.split('?')[0];
    const used = host === 'github.com' ? 'publish:github' : 'publish:azure';
    const skipped = host === 'github.com' ? 'publish-azure' : 'publish-github';
    expect(log).toContain(`Running ${used} in dry-run mode`);
    expect(log).toContain(JSON.stringify(values.repoUrl));
    expect(log).toContain(
      `Skipping step ${skipped} because its if condition was false`,
    );
    expect(log).toContain('Running portal:catalog:register in dry-run mode');
    expect(log).toContain('"catalogInfoPath": "/catalog-info.yaml"');
    // Then the service's dashboard and alert rules in Grafana, for the registered entity.
    expect(log).toContain('Running grafana:dashboard:apply in dry-run mode');
    expect(log).toContain('Dry run: would put dashboard');
    expect(result.body.output.links[0]).toMatchObject({ title: 'Repository' });
  });

  it('gives every step an input its action accepts, including the steps a dry run skips', () => {
    const host = values.repoUrl.split('?')[0];
    expect(result.steps.map(step => step.action)).toEqual([
      'fetch:template',
      host === 'github.com' ? 'publish:github' : 'publish:azure',
      'portal:catalog:register',
      'grafana:dashboard:apply',
      // The pipeline's steps (pythonDashboardService.pipeline.test.ts).
      'azure:pipeline:ensure',
      'azure:pipeline:authorize',
      'azure:repo:build-validation',
      'azure:pipeline:start',
      // Follows the run through (pythonDashboardService.pipeline.test.ts).
      'golden-path:verify',
    ]);
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const { action, input } of result.steps) {
      const validate = ajv.compile(actionInputSchemas.get(action) as object);
      // A real schema, not an empty one that accepts anything.
      expect(validate({})).toBe(false);
      validate(input);
      expect({ action, errors: validate.errors ?? [] }).toEqual({
        action,
        errors: [],
      });
    }
  });

  it('generates YAML files that all parse', () => {
    expect([...yamlFiles.keys()].sort()).toEqual([
      'azure-pipelines.yml',
      'catalog-info.yaml',
      'kubernetes/deployment.yaml',
      'kubernetes/namespace.yaml',
      ...(values.podMonitor ? ['kubernetes/podmonitor.yaml'] : []),
      'kubernetes/service.yaml',
      'mkdocs.yml',
    ]);
  });

  it('generates Kubernetes objects that validate against the Kubernetes schema', () => {
    const objects = [
      ...yamlFiles.get('kubernetes/deployment.yaml')!,
      ...yamlFiles.get('kubernetes/service.yaml')!,
      ...(yamlFiles.get('kubernetes/podmonitor.yaml') ?? []),
    ];
    expect(objects.map(o => o.kind)).toEqual([
      'Deployment',
      'Service',
      ...(values.podMonitor ? ['PodMonitor'] : []),
    ]);
    for (const object of objects) {
      expect(() => validateKubernetesObject(object)).not.toThrow();
    }
  });

  it('generates a pipeline that validates against the Azure Pipelines schema, with every value filled', () => {
    const pipeline = yamlOf('azure-pipelines.yml');
    expect(validateAzurePipeline(pipeline)).toEqual([]);
    expect(emptyValuePaths(pipeline)).toEqual([]);
  });

  it('builds the image, pushes it tagged with the build id, and deploys that image to the namespace', () => {
    const pipeline = yamlOf('azure-pipelines.yml');
    const variables: Record<string, string> = {
      ...pipeline.variables,
      'Build.BuildId': '1234',
    };
    expect(pipeline.variables).toMatchObject({
      dockerRegistryServiceConnection: values.registryServiceConnection,
      kubernetesServiceConnection: values.kubernetesServiceConnection,
      kubernetesNamespace: values.namespace,
    });

    const stage = (name: string) =>
      pipeline.stages.find((s: any) => s.stage === name);
    const dockerSteps = (name: string) =>
      stage(name).jobs[0].steps.filter((s: any) => s.task === 'Docker@2');
    const [build] = dockerSteps('Build');
    const [push] = dockerSteps('Push');
    expect([build.inputs.command, push.inputs.command]).toEqual([
      'build',
      'buildAndPush',
    ]);
    // Only the push logs in to the registry.
    expect(build.inputs.containerRegistry).toBeUndefined();
    expect(expandMacros(push.inputs.containerRegistry, variables)).toBe(
      values.registryServiceConnection,
    );
    for (const docker of [build, push]) {
      expect(expandMacros(docker.inputs.tags, variables).trim()).toBe('1234');
      expect(docker.inputs.Dockerfile).toBe('$(dockerfilePath)');
    }
    const pushed = `${expandMacros(
      '$(containerRegistry)/',
      variables,
    )}${expandMacros(push.inputs.repository, variables)}`;
    expect(pushed).toBe(imageOf(values));

    const deploy = stage('Deploy');
    expect(deploy).toMatchObject({ stage: 'Deploy', dependsOn: 'Push' });
    const job = deploy.jobs[0];
    expect(job.deployment).toBeDefined();
    expect(job.environment).toBe(values.environment);
    const apply = job.strategy.runOnce.deploy.steps.find(
      (s: any) =>
        s.task === 'KubernetesManifest@1' && s.inputs.action === 'deploy',
    );
    expect(expandMacros(apply.inputs.namespace, variables)).toBe(
      values.namespace,
    );
    expect(
      expandMacros(apply.inputs.kubernetesServiceConnection, variables),
    ).toBe(values.kubernetesServiceConnection);
    // The task swaps the manifest's image for this one, matched on the image name.
    expect(expandMacros(apply.inputs.containers, variables).trim()).toBe(
      `${imageOf(values)}:1234`,
    );
    // Every manifest but the Namespace, which an earlier step creates only when it is missing.
    const manifests = apply.inputs.manifests
      .trim()
      .split('\n')
      .map((line: string) =>
        line.replace('$(Pipeline.Workspace)/manifests/', 'kubernetes/'),
      );
    expect(manifests.sort()).toEqual(
      [...files.keys()]
        .filter(f => f.startsWith('kubernetes/'))
        .filter(f => f !== 'kubernetes/namespace.yaml')
        .sort(),
    );
    const publish = stage('Build').jobs[0].steps.find(
      (s: any) => s.task === 'PublishPipelineArtifact@1',
    );
    expect(publish.inputs).toMatchObject({
      targetPath: '$(Build.SourcesDirectory)/kubernetes',
      artifact: 'manifests',
    });
  });

  it('generates a Dockerfile that lints clean and follows the image rules', () => {
    const dockerfile = files.get('Dockerfile')!;
    expect(dockerfileProblems(dockerfile)).toEqual([]);
    // Pinned slim base image.
    expect(dockerfile).toMatch(/^FROM python:\d+\.\d+\.\d+-slim-\w+$/m);
    expect(dockerfile).toContain('rm -rf /var/lib/apt/lists/*');
    expect(dockerfile).toMatch(
      /pip install --no-cache-dir -r requirements\.txt/,
    );
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    const instructions = dockerfile
      .split('\n')
      .filter(line => !line.startsWith('#'))
      .join('\n');
    expect(instructions).not.toMatch(/\b(curl|wget)\b/);
    // The entry point starts metrics and JSON logs before Streamlit (app test).
    expect(dockerfile).toMatch(/^ENTRYPOINT \["python", "main\.py"\]$/m);
    expect(dockerfile).toMatch(/^COPY .*\bmain\.py\b.* \.\/$/m);
    expect(dockerfile).toMatch(
      new RegExp(`^EXPOSE ${values.port} ${METRICS_PORT}$`, 'm'),
    );
    expect(dockerfile).toContain(
      `CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${values.port}/_stcore/health', timeout=4)"]`,
    );
    expect(files.get('.dockerignore')).toMatch(/^\*$/m);
  });

  it('generates Python files that compile, with pinned requirements', () => {
    expect(pythonCompileErrors(files)).toBe('');
    const requirements = files
      .get('requirements.txt')!
      .split('\n')
      .filter(line => line && !line.startsWith('#'));
    expect(requirements.map(line => line.split('==')[0]).sort()).toEqual([
      'prometheus-client',
      'streamlit',
    ]);
    for (const line of requirements) {
      expect(line).toMatch(/^[\w-]+==\d+\.\d+\.\d+$/);
    }
  });

  it('carries the dashboard title and message into the app unchanged', () => {
    expect(JSON.parse(files.get('dashboard.json')!)).toEqual({
      title: values.dashboardTitle,
      message: values.dashboardMessage,
    });
  });

  it('uses the same name, labels, ports and paths in every file', () => {
    const { name, namespace, port } = values;
    const deployment = deploymentOf();
    const service = serviceOf();
    const container = containerOf();
    const podLabels = deployment.spec.template.metadata.labels;
    const contractLabels = {
      'app.kubernetes.io/name': name,
      'backstage.io/kubernetes-id': name,
    };

    // Names and namespace.
    for (const object of [deployment, service]) {
      expect(object.metadata).toMatchObject({ name, namespace });
      expect(object.metadata.labels).toMatchObject(contractLabels);
    }
    expect(podLabels).toMatchObject(contractLabels);
    expect(podLabels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(podLabels).toMatchObject(service.spec.selector);
    // The image, with a tag the pipeline replaces (pythonDashboardService.pipeline.test.ts).
    expect(container.image.slice(0, container.image.lastIndexOf(':'))).toBe(
      imageOf(values),
    );
    expect(container.env).toContainEqual({ name: 'SERVICE_NAME', value: name });

    // App port and health endpoint.
    const httpPort = container.ports.find((p: any) => p.name === 'http');
    expect(httpPort.containerPort).toBe(port);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(container[probe].httpGet).toEqual({
        path: '/_stcore/health',
        port: 'http',
      });
    }
    expect(service.spec.ports).toContainEqual(
      expect.objectContaining({ name: 'http', port, targetPort: 'http' }),
    );
    expect(files.get('.streamlit/config.toml')).toMatch(
      new RegExp(`^port = ${port}$`, 'm'),
    );

    // Metrics port and path.
    const metricsPort = container.ports.find((p: any) => p.name === 'metrics');
    expect(metricsPort.containerPort).toBe(METRICS_PORT);
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(METRICS_PORT),
      'prometheus.io/path': '/metrics',
    });
    expect(service.spec.ports).toContainEqual(
      expect.objectContaining({
        name: 'metrics',
        port: METRICS_PORT,
        targetPort: 'metrics',
      }),
    );
    expect(files.get('observability.py')).toContain(
      `os.environ.get("METRICS_PORT", "${METRICS_PORT}")`,
    );
    expect(files.get('observability.py')).toContain(
      `os.environ.get("SERVICE_NAME", "${name}")`,
    );

    // Catalog entry.
    const entity = yamlOf('catalog-info.yaml');
    expect(entity.metadata.name).toBe(name);
    expect(entity.metadata.description).toBe(values.description);
    expect(entity.metadata.annotations).toMatchObject({
      'backstage.io/kubernetes-id': name,
      'backstage.io/kubernetes-namespace': namespace,
      'backstage.io/techdocs-ref': 'dir:.',
    });
    expect(entity.spec).toMatchObject({
      type: 'service',
      owner: values.owner,
    });
    expect(entity.spec.system).toBe(values.system || undefined);
  });

  it('scrapes the pods with a PodMonitor when asked to, and has none otherwise', () => {
    const { name, namespace } = values;
    const podLabels = deploymentOf().spec.template.metadata.labels;
    const expected = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: expect.objectContaining({
        name,
        namespace,
        // The labels the cluster's Prometheus selects PodMonitors by, as given in the form.
        labels: {
          'app.kubernetes.io/name': name,
          'backstage.io/kubernetes-id': name,
          'app.kubernetes.io/component': 'dashboard',
          ...values.podMonitorLabels,
        },
      }),
      spec: {
        // Selects exactly the Deployment's pods.
        selector: { matchLabels: deploymentOf().spec.selector.matchLabels },
        podMetricsEndpoints: [
          expect.objectContaining({
            port: 'metrics',
            path: '/metrics',
            relabelings: [
              {
                sourceLabels: [
                  '__meta_kubernetes_pod_label_app_kubernetes_io_name',
                ],
                targetLabel: 'app',
              },
            ],
          }),
        ],
      },
    };
    expect(yamlFiles.get('kubernetes/podmonitor.yaml') ?? []).toEqual(
      values.podMonitor ? [expected] : [],
    );
    expect(podLabels).toMatchObject(deploymentOf().spec.selector.matchLabels);
    expect(
      containerOf().ports.find((p: any) => p.name === 'metrics').containerPort,
    ).toBe(METRICS_PORT);
  });

  it("provisions Grafana for the entity catalog-info.yaml declares, in its owner's folder", () => {
    const entity = yamlOf('catalog-info.yaml');
    const step = result.steps.find(
      s => s.action === 'grafana:dashboard:apply',
    )!;
    expect(step.input).toEqual({
      entityRef: stringifyEntityRef(entity),
      owner: entity.spec.owner,
      namespace:
        entity.metadata.annotations['backstage.io/kubernetes-namespace'],
      app: entity.metadata.annotations['backstage.io/kubernetes-id'],
    });
  });

  it('generates a catalog entity the catalog accepts', async () => {
    const entity = yamlOf('catalog-info.yaml');
    const policy = EntityPolicies.allOf([
      new DefaultNamespaceEntityPolicy(),
      new NoForeignRootFieldsEntityPolicy(),
      new FieldFormatEntityPolicy(),
      new SchemaValidEntityPolicy(),
    ]);
    await expect(policy.enforce(entity)).resolves.toBeDefined();
    await expect(componentEntityV1alpha1Validator.check(entity)).resolves.toBe(
      true,
    );
  });

  it('points the catalog entry at the new repository', () => {
    const annotations = yamlOf('catalog-info.yaml').metadata.annotations;
    expect(annotations).toMatchObject(repositoryAnnotations(values.repoUrl));
  });

  it('sets the requested resources and a restricted security context', () => {
    const deployment = deploymentOf();
    const pod = deployment.spec.template.spec;
    const container = containerOf();
    expect(deployment.spec.replicas).toBe(values.replicas);
    expect(container.resources).toEqual({
      requests: {
        cpu: `${values.cpuRequest}m`,
        memory: `${values.memoryRequest}Mi`,
      },
      limits: {
        cpu: `${values.cpuLimit}m`,
        memory: `${values.memoryLimit}Mi`,
      },
    });
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    // Streamlit writes under $HOME and /tmp: both point at a writable emptyDir.
    const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp');
    expect(pod.volumes).toContainEqual(
      expect.objectContaining({ name: tmp.name, emptyDir: expect.anything() }),
    );
    expect(container.env).toContainEqual({ name: 'HOME', value: '/tmp' });
  });

  it('generates TechDocs whose navigation points at existing pages', () => {
    const mkdocs = yamlOf('mkdocs.yml');
    expect(mkdocs.site_name).toBe(values.name);
    const pages = mkdocs.nav.flatMap((entry: Record<string, string>) =>
      Object.values(entry),
    );
    for (const page of pages) {
      expect(files.has(`docs/${page}`)).toBe(true);
    }
  });

  it('generates TechDocs that MkDocs builds as the portal does, without the techdocs-core plugin', () => {
    // Debian's mkdocs and mkdocs-material (scripts/system-deps.sh), the local TechDocs builder.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'service-docs-'));
    try {
      for (const [file, text] of files) {
        if (file !== 'mkdocs.yml' && !file.startsWith('docs/')) continue;
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.writeFileSync(path.join(dir, file), text);
      }
      execFileSync('mkdocs', ['build', '--strict', '-q', '-d', 'site'], {
        cwd: dir,
        stdio: 'pipe',
      });
      const index = fs.readFileSync(path.join(dir, 'site/index.html'), 'utf8');
      expect(index).toContain(values.name);
      expect(fs.existsSync(path.join(dir, 'site/operations/index.html'))).toBe(
        true,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("has a section for every alert's runbook link, where the alerts card points", () => {
    // TechDocs (MkDocs) serves docs/<page>.md at <page>/ and names a heading's anchor after its
    // text in lower case.
    const anchors = (page: string) =>
      (files.get(`docs/${page}.md`) ?? '')
        .split('\n')
        .filter(line => line.startsWith('#'))
        .map(line => line.replace(/^#+\s*/, '').toLowerCase());
    for (const rule of ALERT_RULES) {
      const [, page, anchor] = rule.runbook.match(/^([\w-]+)\/#([\w-]+)$/)!;
      expect({
        alert: rule.alert,
        found: anchors(page).includes(anchor),
      }).toEqual({
        alert: rule.alert,
        found: true,
      });
    }
  });
});
