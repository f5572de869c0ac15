import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AZURE_DEVOPS_USER_TOKEN_SECRET } from '@internal/plugin-scaffolder-module-azure-devops-token';
import { TEAM_RESOURCE_KINDS } from '@internal/plugin-scaffolder-backend-module-azure-devops';
import { DryRunBackend, ruleErrors, startDryRunBackend } from './dryRun';
import { formErrors, formFields } from './lib/formValidation';
import {
  ServiceValues,
  acrValues,
  dockerHubValues,
  edgeValues,
  templateDir,
  serviceTemplateFeatures,
} from './pythonDashboardService.fixtures';

// Booting the backend takes seconds; the timeout is set here so it holds when
// the repository runs all tests at once.
jest.setTimeout(60_000);

let backend: DryRunBackend;

beforeAll(async () => {
  backend = await startDryRunBackend({ features: serviceTemplateFeatures });
});

afterAll(async () => {
  await backend?.stop();
});

describe('python-dashboard-service values', () => {
  it.each([
    ['Docker Hub', dockerHubValues],
    ['ACR', acrValues],
    ['edge', edgeValues],
  ])('are accepted by the form when valid (%s)', (_title, values) => {
    expect(formErrors(templateDir, values)).toEqual([]);
  });

  it('lay out every form page, with the field of the chosen registry only', () => {
    const registryPage = 3;
    expect(formFields(templateDir, dockerHubValues)[registryPage]).toEqual([
      'registryType',
      'registryServiceConnection',
      'kubernetesServiceConnection',
      'environment',
      'azureDevOpsAccess',
      'dockerHubNamespace',
    ]);
    expect(formFields(templateDir, acrValues)[registryPage]).toEqual([
      'registryType',
      'registryServiceConnection',
      'kubernetesServiceConnection',
      'environment',
      'azureDevOpsAccess',
      'acrLoginServer',
    ]);
    // Every limit rule applies at once here: their branches must merge.
    expect(formFields(templateDir, edgeValues)[2]).toContain('cpuLimit');
  });

  it('asks the team-resources endpoint for kinds it serves, and for the organization kind it offers only with a portal credential', () => {
    const { spec } = parseYaml(
      fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
    );
    const pickers: Record<string, string> = {};
    const walk = (node: unknown, key?: string) => {
      if (!node || typeof node !== 'object') return;
      const field = node as Record<string, any>;
      if (key && field['ui:field'] === 'AzurePipelineResourcePicker') {
        pickers[key] = field['ui:options']?.kind;
      }
      for (const [k, v] of Object.entries(field)) walk(v, k);
    };
    walk(spec.parameters);
    for (const kind of Object.values(pickers)) {
      expect(Object.keys(TEAM_RESOURCE_KINDS)).toContain(kind);
    }
    // The endpoint leaves out the organizations the portal has no integrations.azure credential
    // for (twoTeams.test.ts of the module): the GitHub repository's pipeline organization asks it.
    expect(pickers.pipelineOrganization).toBe('organization');
    expect(pickers.pipelineProject).toBe('project');
  });

  it("hands the user's Azure DevOps token as a secret, never as a value, to the azure:* steps a project member may do, and to no other", () => {
    const { spec } = parseYaml(
      fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
    );
    const registryPage = spec.parameters[3];
    expect(registryPage.title).toBe('Image and pipeline');
    expect(registryPage.properties.azureDevOpsAccess['ui:field']).toBe(
      'AzureDevOpsUserToken',
    );
    expect(registryPage.required).not.toContain('azureDevOpsAccess');

    const azureSteps = spec.steps.filter((step: { action: string }) =>
      /^azure:(pipeline|repo):/.test(step.action),
    );
    const secret = `\${{ secrets.${AZURE_DEVOPS_USER_TOKEN_SECRET} }}`;
    // Creating and starting the pipeline run as the user; authorizing, the branch checks and the
    // branch policy need administrator roles and always run with AZURE_DEVOPS_TOKEN
    // (docs/azure-devops.md): those actions take no token at all.
    expect(
      azureSteps.map((step: { action: string; input: { token?: string } }) => [
        step.action,
        step.input.token,
      ]),
    ).toEqual([
      ['azure:pipeline:ensure', secret],
      ['azure:pipeline:authorize', undefined],
      ['azure:repo:build-validation', undefined],
      ['azure:pipeline:start', secret],
    ]);
    // No step reads the field's form value.
    expect(JSON.stringify(spec.steps)).not.toContain('azureDevOpsAccess');
  });

  it.each<{
    title: string;
    values: ServiceValues;
    field: string;
    keyword: string;
    reason: RegExp;
    form: string[];
  }>([
    {
      title: 'a name with capitals and an underscore',
      values: { ...dockerHubValues, name: 'Sales_Dashboard' },
      field: 'name',
      keyword: 'pattern',
      reason: /^does not match pattern "\^\[a-z\]/,
      form: [
        "'Name' must be lowercase letters, digits and hyphens, start with a letter and end with a letter or digit",
      ],
    },
    {
      title: 'a name starting with a digit',
      values: { ...dockerHubValues, name: '1-dashboard' },
      field: 'name',
      keyword: 'pattern',
      reason: /^does not match pattern/,
      form: [
        "'Name' must be lowercase letters, digits and hyphens, start with a letter and end with a letter or digit",
      ],
    },
    {
      title: 'a 64-character name',
      values: { ...dockerHubValues, name: `a${'b'.repeat(63)}` },
      field: 'name',
      keyword: 'maxLength',
      reason: /^does not meet maximum length of 63$/,
      form: ["'Name' must be at most 63 characters"],
    },
    {
      title: 'a CPU limit below the CPU request',
      values: { ...dockerHubValues, cpuRequest: 500, cpuLimit: 250 },
      field: 'cpuLimit',
      keyword: 'minimum',
      reason: /^must be greater than or equal to 500$/,
      form: [
        "'CPU limit (millicores)' must be at least the CPU request (500)",
        'A limit is below its request',
      ],
    },
    {
      title: 'a memory limit below the memory request',
      values: { ...dockerHubValues, memoryRequest: 1024, memoryLimit: 512 },
      field: 'memoryLimit',
      keyword: 'minimum',
      reason: /^must be greater than or equal to 1024$/,
      form: [
        "'Memory limit (MiB)' must be at least the memory request (1024)",
        'A limit is below its request',
      ],
    },
    {
      title: 'a malformed ACR login server',
      values: { ...acrValues, acrLoginServer: 'contoso.azurecr.com' },
      field: 'acrLoginServer',
      keyword: 'pattern',
      reason: /^does not match pattern/,
      form: [
        "'Acr Login Server' must be a login server like contoso.azurecr.io (registry name of 5 to 50 lowercase letters or digits)",
        'The registry details are missing or malformed',
      ],
    },
    {
      title: 'a malformed Docker Hub namespace',
      values: { ...dockerHubValues, dockerHubNamespace: 'Contoso/team' },
      field: 'dockerHubNamespace',
      keyword: 'pattern',
      reason: /^does not match pattern/,
      form: [
        "'Docker Hub Namespace' must be 4 to 30 lowercase letters or digits",
        'The registry details are missing or malformed',
      ],
    },
    {
      title: 'the metrics port as the app port',
      values: { ...dockerHubValues, port: 9102 },
      field: 'port',
      keyword: 'not',
      reason: /^is of prohibited type/,
      form: ["'Container port' must not be 9102, the metrics port"],
    },
    {
      title: 'a namespace with an underscore',
      values: { ...dockerHubValues, namespace: 'team_a' },
      field: 'namespace',
      keyword: 'pattern',
      reason: /^does not match pattern/,
      form: [
        "'Kubernetes namespace' must be lowercase letters, digits and hyphens, and start and end with a letter or digit",
      ],
    },
    {
      title: 'a service connection with a quote',
      values: { ...dockerHubValues, kubernetesServiceConnection: "aks'prod" },
      field: 'kubernetesServiceConnection',
      keyword: 'pattern',
      reason: /^does not match pattern/,
      form: [
        "'Kubernetes service connection' must be letters, digits, spaces, dots, underscores and hyphens, starting and ending with a letter or digit",
      ],
    },
  ])(
    'are refused with the field and the reason: $title',
    async ({ values, field, keyword, reason, form }) => {
      const result = await backend.dryRun({ templateDir, values });

      expect(result.status).toBe(400);
      expect(ruleErrors(result.body.errors)).toEqual([
        expect.objectContaining({
          property: `instance.${field}`,
          name: keyword,
          message: expect.stringMatching(reason),
        }),
      ]);
      expect(formErrors(templateDir, values).map(e => e.listed)).toEqual(form);
      expect(formErrors(templateDir, values)[0].property).toBe(`.${field}`);
    },
  );

  it('is refused when ACR is chosen without a login server', async () => {
    const { acrLoginServer: _, ...values } = acrValues;

    const result = await backend.dryRun({ templateDir, values });

    expect(result.status).toBe(400);
    expect(ruleErrors(result.body.errors)).toEqual([
      expect.objectContaining({
        property: 'instance',
        name: 'required',
        argument: 'acrLoginServer',
        message: 'requires property "acrLoginServer"',
      }),
    ]);
    expect(formErrors(templateDir, values)).toEqual([
      {
        property: 'acrLoginServer',
        message: "must have required property 'ACR login server'",
        listed:
          "'Acr Login Server' must have required property 'ACR login server'",
      },
      {
        property: '',
        message: 'The registry details are missing or malformed',
        listed: 'The registry details are missing or malformed',
      },
    ]);
  });
});
