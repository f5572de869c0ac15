/*
 * Offline checks for files a template generates: YAML parsing, Kubernetes schema,
 * Azure Pipelines schema, Dockerfile lint and Python compilation.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Namespace, Service } from 'kubernetes-models/v1';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { parseAllDocuments } from 'yaml';

/** Debian's Python; the metrics test also needs its python3-prometheus-client. */
export const PYTHON = '/usr/bin/python3';

// The schema Azure DevOps publishes, kept beside the tests (see its SOURCE.md).
const PIPELINE_SCHEMA = path.resolve(
  __dirname,
  '../schemas/azure-pipelines/service-schema.json',
);

/** Parses every document of every `.yaml`/`.yml` file; throws naming the file on a syntax error. */
export function parseYamlFiles(files: Map<string, string>): Map<string, any[]> {
  const parsed = new Map<string, any[]>();
  for (const [file, content] of files) {
    if (!/\.ya?ml$/.test(file)) {
      continue;
    }
    const docs = parseAllDocuments(content);
    const documents = Array.isArray(docs) ? docs : [docs];
    for (const doc of documents) {
      if (doc.errors.length > 0) {
        throw new Error(
          `${file}: ${doc.errors.map(e => e.message).join('; ')}`,
        );
      }
    }
    parsed.set(
      file,
      documents.map(doc => doc.toJS()),
    );
  }
  return parsed;
}

const kubernetesModels: Record<
  string,
  new (data: any) => { validate(): void }
> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'v1/Namespace': Namespace,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
};

/**
 * Validates a Kubernetes object against the Kubernetes OpenAPI schema. Throws on an
 * invalid object, and on a kind these tests do not know (so nothing goes unchecked).
 */
export function validateKubernetesObject(object: any): void {
  const key = `${object?.apiVersion}/${object?.kind}`;
  const Model = kubernetesModels[key];
  if (!Model) {
    throw new Error(`No Kubernetes schema known for ${key}`);
  }
  new Model(object).validate();
}

let pipelineValidator: ReturnType<Ajv['compile']> | undefined;

/**
 * Validates a pipeline against the Azure Pipelines schema and returns ajv's errors
 * (an empty list when it is valid). The schema takes seconds to compile; it is
 * compiled once per test file.
 */
export function validateAzurePipeline(pipeline: unknown) {
  if (!pipelineValidator) {
    const schema = JSON.parse(fs.readFileSync(PIPELINE_SCHEMA, 'utf8'));
    pipelineValidator = new Ajv({
      strict: false,
      unicodeRegExp: false,
      allErrors: false,
    }).compile(schema);
  }
  pipelineValidator(pipeline);
  return pipelineValidator.errors ?? [];
}

/** dockerfile-utils' diagnostics for a Dockerfile, as readable strings. */
export function dockerfileProblems(content: string): string[] {
  return lintDockerfile(content).map(
    d => `line ${d.range.start.line + 1}: ${d.message}`,
  );
}

/**
 * Compiles the given Python files with `py_compile` in a temporary folder and
 * returns the compiler's complaint, or an empty string when all compile.
 */
export function pythonCompileErrors(files: Map<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'py-compile-'));
  try {
    const names: string[] = [];
    for (const [file, content] of files) {
      if (file.endsWith('.py')) {
        const target = path.join(dir, file);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
        names.push(file);
      }
    }
    if (names.length === 0) {
      return 'no Python files';
    }
    execFileSync(PYTHON, ['-m', 'py_compile', ...names], {
      cwd: dir,
      stdio: 'pipe',
    });
    return '';
  } catch (error: any) {
    return String(error.stderr ?? error.message);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Paths (like `a.b[0].c`) of every empty string, null or empty collection in a value. */
export function emptyValuePaths(value: unknown, at = ''): string[] {
  if (value === null || value === undefined || value === '') {
    return [at || '(root)'];
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return [at];
    return value.flatMap((item, i) => emptyValuePaths(item, `${at}[${i}]`));
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return [at];
    return entries.flatMap(([key, item]) =>
      emptyValuePaths(item, at ? `${at}.${key}` : key),
    );
  }
  return [];
}
