import { parse as parseYaml } from 'yaml';
import {
  RECORD_FILE,
  TEMPLATE_NAME_ANNOTATION,
  TEMPLATE_VERSION_ANNOTATION,
  parseTemplateRecord,
} from '@internal/plugin-template-upgrades-common';
import fs from 'node:fs';
import path from 'node:path';
import { DryRunBackend, startDryRunBackend } from './dryRun';
import {
  acrValues,
  dockerHubValues,
  serviceTemplateFeatures,
  templateDir,
} from './pythonDashboardService.fixtures';

jest.setTimeout(60_000);

const USER_TOKEN = 'user-token-that-must-not-be-recorded';

const declaredVersion = parseYaml(
  fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
).metadata.annotations[TEMPLATE_VERSION_ANNOTATION];

describe('what a new service records about its template', () => {
  let backend: DryRunBackend;
  beforeAll(async () => {
    backend = await startDryRunBackend({ features: serviceTemplateFeatures });
  });
  afterAll(() => backend?.stop());

  it('writes the template, its version and the answers, without the token field, to the record file', async () => {
    const result = await backend.dryRun({
      templateDir,
      values: { ...dockerHubValues, azureDevOpsAccess: 'signed-in' },
      secrets: { azureDevOpsUserToken: USER_TOKEN },
    });
    expect(result.status).toBe(200);
    const record = parseTemplateRecord(result.files.get(RECORD_FILE)!);
    expect(record.template).toBe('python-dashboard-service');
    expect(record.version).toBe(declaredVersion);
    expect(record.answers).toEqual(dockerHubValues);
    expect(record.answers).not.toHaveProperty('azureDevOpsAccess');
    for (const [file, text] of result.files) {
      expect({ file, leaked: text.includes(USER_TOKEN) }).toEqual({
        file,
        leaked: false,
      });
    }
  });

  it('leaves answers the form did not get out of the record', async () => {
    const result = await backend.dryRun({ templateDir, values: acrValues });
    const record = parseTemplateRecord(result.files.get(RECORD_FILE)!);
    expect(record.answers).toEqual(acrValues);
    expect(record.answers).not.toHaveProperty('dockerHubNamespace');
  });

  it('annotates the catalog entity with the template name and version', async () => {
    const result = await backend.dryRun({
      templateDir,
      values: dockerHubValues,
    });
    const entity = parseYaml(result.files.get('catalog-info.yaml')!);
    expect(entity.metadata.annotations).toMatchObject({
      [TEMPLATE_NAME_ANNOTATION]: 'python-dashboard-service',
      [TEMPLATE_VERSION_ANNOTATION]: declaredVersion,
    });
  });
});
