import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Start the first run of the pipeline on main, as the signed-in user when the form has their token',
    example: yaml.stringify({
      steps: [
        {
          id: 'run',
          action: 'azure:pipeline:start',
          name: 'Start the first run',
          input: {
            repoUrl:
              'dev.azure.com?organization=contoso&project=dashboards&repo=sales-dashboard',
            pipelineId: "${{ steps['pipeline'].output.pipelineId }}",
            entityRef: 'component:default/${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            token: '${{ secrets.azureDevOpsUserToken }}',
          },
        },
      ],
    }),
  },
];
