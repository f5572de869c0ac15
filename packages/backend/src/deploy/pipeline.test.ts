import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { findMissingVariables } from '../preflight';
import { REPO_ROOT } from '../testing/backendProcess';
import {
  manifest,
  readManifests,
  readRepoFile,
  readYamlDocuments,
} from './files';

// The schema Azure DevOps publishes, kept with the template tests (see its SOURCE.md).
const SCHEMA = path.join(
  REPO_ROOT,
  'templates/tests/schemas/azure-pipelines/service-schema.json',
);

const [pipeline] = readYamlDocuments('azure-pipelines.yml');
const deploySteps: any[] = pipeline.stages.find(
  (s: any) => s.stage === 'Deploy',
).jobs[0].strategy.runOnce.deploy.steps;
const step = (action: string) =>
  deploySteps.find(
    s => s.task === 'KubernetesManifest@1' && s.inputs.action === action,
  );

/** The keys the pipeline puts into the portal's Secret (`--from-literal=KEY=$(KEY)`). */
const secretKeys = [
  ...String(step('createSecret').inputs.secretArguments).matchAll(
    /--from-literal=([A-Z0-9_]+)=\$\(([A-Z0-9_]+)\)/g,
  ),
].map(([, key, variable]) => {
  if (variable !== key) {
    throw new Error(
      `secret ${key} is filled from $(${variable}); name both alike`,
    );
  }
  return key;
});

describe("the portal's azure-pipelines.yml", () => {
  jest.setTimeout(60_000);

  it('is valid against the Azure Pipelines schema', () => {
    const validate = new Ajv({ strict: false, unicodeRegExp: false }).compile(
      JSON.parse(fs.readFileSync(SCHEMA, 'utf8')),
    );
    validate(pipeline);
    expect(validate.errors ?? []).toEqual([]);
    // The schema check is live: an unknown top-level key fails it.
    expect(validate({ ...pipeline, stagess: [] })).toBe(false);
  });

  it('builds the image from the root Dockerfile and deploys it into the manifests', () => {
    const build = pipeline.stages.find((s: any) => s.stage === 'Build').jobs[0]
      .steps;
    const docker = build.find((s: any) => s.task === 'Docker@2');
    expect(docker.inputs.command).toBe('buildAndPush');
    expect(docker.inputs.Dockerfile).toBe(
      '$(Build.SourcesDirectory)/Dockerfile',
    );
    const deploy = step('deploy');
    expect(deploy.inputs.containers.trim()).toBe(
      '$(containerRegistry)/$(imageRepository):$(tag)',
    );
    // The image name the manifests carry, which the deploy step replaces.
    expect(manifest('Deployment').spec.template.spec.containers[0].image).toBe(
      pipeline.variables.find((v: any) => v.name === 'imageRepository').value,
    );
  });

  it('applies every namespaced manifest and leaves the cluster-wide RBAC to an administrator', () => {
    const applied = String(step('deploy').inputs.manifests)
      .trim()
      .split('\n')
      .map(line => path.basename(line.trim()));
    const namespacedFiles = new Set(
      readManifests()
        .filter(m => m.file !== 'rbac.yaml')
        .map(m => m.file),
    );
    expect(new Set(applied)).toEqual(namespacedFiles);
    const namespace = pipeline.variables.find(
      (v: any) => v.name === 'kubernetesNamespace',
    ).value;
    const namespaces = readManifests()
      .map(m => m.object.metadata.namespace)
      .filter(Boolean);
    expect(new Set(namespaces)).toEqual(new Set([namespace]));
  });

  it('gives the portal every variable app-config.production.yaml requires', () => {
    const file = path.join(REPO_ROOT, 'app-config.production.yaml');
    const required = findMissingVariables(
      file,
      readRepoFile('app-config.production.yaml'),
      {},
    ).map(m => m.variable);
    const container = manifest('Deployment').spec.template.spec.containers[0];
    const provided = new Set([
      ...Object.keys(manifest('ConfigMap').data),
      ...secretKeys,
      ...container.env.map((e: any) => e.name),
    ]);
    const missing = [...new Set(required)].filter(v => !provided.has(v));
    expect(missing).toEqual([]);
    expect(container.envFrom).toEqual([
      { configMapRef: { name: manifest('ConfigMap').metadata.name } },
      { secretRef: { name: step('createSecret').inputs.secretName } },
    ]);
  });
});
