import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description: 'Find or create the pipeline of an Azure Repos repository',
    example: yaml.stringify({
      steps: [
        {
          id: 'pipeline',
          action: 'azure:pipeline:ensure',
          name: 'Create the pipeline',
          input: {
            organization: 'contoso',
            project: 'dashboards',
            name: 'sales-dashboard',
            repository: { type: 'azureReposGit', name: 'sales-dashboard' },
          },
        },
      ],
    }),
  },
  {
    description:
      'Find or create the pipeline of a GitHub repository, read through a GitHub service connection, with the signed-in user’s token',
    example: yaml.stringify({
      steps: [
        {
          id: 'pipeline',
          action: 'azure:pipeline:ensure',
          name: 'Create the pipeline',
          input: {
            organization: 'contoso',
            project: 'dashboards',
            name: 'sales-dashboard',
            folder: '\\dashboards',
            repository: {
              type: 'gitHub',
              name: 'contoso/sales-dashboard',
              serviceConnection: 'github-contoso',
            },
            token: '${{ secrets.USER_OAUTH_TOKEN }}',
          },
        },
      ],
    }),
  },
];
