import {
  dockerfileProblems,
  emptyValuePaths,
  parseYamlFiles,
  pythonCompileErrors,
  validateAzurePipeline,
  validateKubernetesObject,
} from './checks';

// Compiling the pipeline schema takes seconds; the timeout is set here so it
// holds when the repository runs all tests at once.
jest.setTimeout(60_000);

// The checks must be able to fail: each one is shown a broken file here.
describe('generated-file checks', () => {
  it('reject YAML with a syntax error, naming the file', () => {
    expect(() =>
      parseYamlFiles(new Map([['broken.yaml', 'a: [1, 2\nb: c']])),
    ).toThrow(/^broken\.yaml: /);
  });

  it('reject a Kubernetes object that breaks the schema, and unknown kinds', () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: {
        selector: { matchLabels: { app: 'x' } },
        template: {
          metadata: { labels: { app: 'x' } },
          spec: { containers: [{ name: 'x', image: 'x', ports: [{}] }] },
        },
      },
    };
    expect(() => validateKubernetesObject(deployment)).toThrow(/containerPort/);
    expect(() =>
      validateKubernetesObject({ apiVersion: 'v1', kind: 'Pod' }),
    ).toThrow('No Kubernetes schema known for v1/Pod');
  });

  it('reject a pipeline that breaks the Azure Pipelines schema', () => {
    const pipeline = {
      stages: [
        {
          stage: 'Build',
          jobs: [
            {
              job: 'Build',
              steps: [
                { task: 'Docker@2', inputs: { dockerfile: 'Dockerfile' } },
              ],
            },
          ],
        },
      ],
    };
    expect(validateAzurePipeline(pipeline)).not.toEqual([]);
  });

  it('report Dockerfile problems', () => {
    expect(
      dockerfileProblems(
        'FROM python:3.12-slim\nEXPOSE port\nCMD python app.py\n',
      ),
    ).not.toEqual([]);
  });

  it('report Python that does not compile', () => {
    expect(
      pythonCompileErrors(new Map([['bad.py', 'def f(:\n    pass\n']])),
    ).toMatch(/SyntaxError/);
  });

  it('find empty values at any depth', () => {
    expect(
      emptyValuePaths({ a: '', b: [{ c: null }, 'x'], d: {}, e: 0 }),
    ).toEqual(['a', 'b[0].c', 'd']);
  });
});
