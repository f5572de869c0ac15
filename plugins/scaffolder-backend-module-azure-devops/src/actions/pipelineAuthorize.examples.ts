import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Let the pipeline push with the registry connection, deploy with the Kubernetes connection, and record deployments in an environment; only runs of main may use the three',
    example: yaml.stringify({
      steps: [
        {
          id: 'authorize',
          action: 'azure:pipeline:authorize',
          name: 'Authorize the pipeline',
          input: {
            repoUrl:
              'dev.azure.com?organization=contoso&project=dashboards&repo=sales-dashboard',
            pipelineId: "${{ steps['pipeline'].output.pipelineId }}",
            entityRef: 'component:default/${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            registryServiceConnection: 'acr-contoso',
            kubernetesServiceConnection: 'aks-production',
            environment: 'production',
          },
        },
      ],
    }),
  },
];
