import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Run the pipeline on every pull request into main (Azure Repos; nothing to do for GitHub)',
    example: yaml.stringify({
      steps: [
        {
          id: 'build-validation',
          action: 'azure:repo:build-validation',
          name: 'Validate pull requests',
          input: {
            repoUrl:
              'dev.azure.com?organization=contoso&project=dashboards&repo=sales-dashboard',
            pipelineId: "${{ steps['pipeline'].output.pipelineId }}",
            entityRef: 'component:default/sales-dashboard',
            owner: 'group:default/dashboards-team',
            branch: 'main',
          },
        },
      ],
    }),
  },
];
