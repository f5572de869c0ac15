import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Let the pipeline push with the registry connection, deploy with the Kubernetes connection, and record deployments in an environment',
    example: yaml.stringify({
      steps: [
        {
          id: 'authorize',
          action: 'azure:pipeline:authorize',
          name: 'Authorize the pipeline',
          input: {
            organization: 'contoso',
            project: 'dashboards',
            pipelineId: "${{ steps['pipeline'].output.pipelineId }}",
            serviceConnections: ['acr-contoso', 'aks-production'],
            environment: 'production',
          },
        },
      ],
    }),
  },
];
