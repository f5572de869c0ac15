import type { Entity } from '@backstage/catalog-model';
import { pipelineRefOf } from './annotations';

const entity = (annotations: Record<string, string>): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'sales-dashboard', annotations },
});

describe('pipelineRefOf', () => {
  it('reads the organization, project and pipeline name', () => {
    expect(
      pipelineRefOf(
        entity({
          'dev.azure.com/host-org': 'dev.azure.com/contoso',
          'dev.azure.com/project': 'Dashboards',
          'dev.azure.com/build-definition': 'sales-dashboard',
        }),
      ),
    ).toEqual({
      organization: 'contoso',
      project: 'Dashboards',
      pipelineName: 'sales-dashboard',
    });
  });

  it('is undefined when an annotation is missing', () => {
    expect(
      pipelineRefOf(
        entity({
          'dev.azure.com/host-org': 'dev.azure.com/contoso',
          'dev.azure.com/project': 'Dashboards',
        }),
      ),
    ).toBeUndefined();
  });

  it('refuses a host other than dev.azure.com, saying what it expects', () => {
    expect(() =>
      pipelineRefOf(
        entity({
          'dev.azure.com/host-org': 'tfs.contoso.local/DefaultCollection',
          'dev.azure.com/project': 'Dashboards',
          'dev.azure.com/build-definition': 'sales-dashboard',
        }),
      ),
    ).toThrow(
      "The annotation dev.azure.com/host-org must be dev.azure.com/<organization>, not 'tfs.contoso.local/DefaultCollection'",
    );
  });
});
