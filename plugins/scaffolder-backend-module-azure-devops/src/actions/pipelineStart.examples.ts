import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Start the first run of the pipeline on main',
    example: yaml.stringify({
      steps: [
        {
          id: 'run',
          action: 'azure:pipeline:start',
          name: 'Start the first run',
          input: {
            organization: 'contoso',
            project: 'dashboards',
            pipelineId: "${{ steps['pipeline'].output.pipelineId }}",
          },
        },
      ],
    }),
  },
];
