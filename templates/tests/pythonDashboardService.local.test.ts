import { parse as parseYaml } from 'yaml';
import { startDryRunBackend, type DryRunBackend } from './dryRun';
import {
  dockerHubValues,
  serviceTemplateFeatures,
  templateDir,
} from './pythonDashboardService.fixtures';

jest.setTimeout(60_000);

// The local defaults' git server, as app-config.yaml configures it.
const localGit = { baseUrl: 'http://127.0.0.1:7008', token: 'dry-run' };
const localValues = {
  ...dockerHubValues,
  repoUrl: '127.0.0.1:7008?repo=sales-dashboard',
  pipelineOrganization: undefined,
  pipelineProject: undefined,
  githubServiceConnection: undefined,
};

describe('python-dashboard-service on the local git server', () => {
  let backend: DryRunBackend;
  beforeAll(async () => {
    backend = await startDryRunBackend({
      features: serviceTemplateFeatures,
      config: { localGit },
    });
  });
  afterAll(() => backend.stop());

  it('publishes with publish:local-git, registers from it, and skips the pipeline steps Azure DevOps could not run on a local repository', async () => {
    const result = await backend.dryRun({ templateDir, values: localValues });
    expect(result.status).toBe(200);
    const log = result.log.join('\n');
    expect(log).toMatch(/publish:local-git/);
    for (const step of [
      'publish-azure',
      'publish-github',
      'pipeline',
      'authorize',
      'build-validation',
      'run',
      'verify',
    ]) {
      expect(log).toContain(
        `Skipping step ${step} because its if condition was false`,
      );
    }
    expect(log).not.toContain('Skipping step publish-local');
  });

  it('writes a catalog entry with its docs and without pipeline annotations', async () => {
    const result = await backend.dryRun({ templateDir, values: localValues });
    const entity = parseYaml(result.files.get('catalog-info.yaml')!);
    const annotations = entity.metadata.annotations;
    expect(annotations).toMatchObject({
      'backstage.io/kubernetes-id': 'sales-dashboard',
      'backstage.io/kubernetes-namespace': 'dashboards',
      'backstage.io/techdocs-ref': 'dir:.',
      'backstage.io/source-location':
        'url:http://127.0.0.1:7008/sales-dashboard/tree/main/',
    });
    expect(
      Object.keys(annotations).filter(key => key.startsWith('dev.azure.com/')),
    ).toEqual([]);
  });
});
