import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "Find or create the pipeline of an Azure Repos repository, in the repository's own project",
    example: yaml.stringify({
      steps: [
        {
          id: 'pipeline',
          action: 'azure:pipeline:ensure',
          name: 'Create the pipeline',
          input: {
            repoUrl:
              'dev.azure.com?organization=contoso&project=dashboards&repo=sales-dashboard',
            entityRef: 'component:default/${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            name: 'sales-dashboard',
          },
        },
      ],
    }),
  },
  {
    description:
      'Find or create the pipeline of a GitHub repository in an Azure DevOps project, read through a GitHub service connection, with the signed-in user’s token',
    example: yaml.stringify({
      steps: [
        {
          id: 'pipeline',
          action: 'azure:pipeline:ensure',
          name: 'Create the pipeline',
          input: {
            repoUrl: 'github.com?owner=contoso&repo=sales-dashboard',
            organization: 'contoso',
            project: 'dashboards',
            entityRef: 'component:default/${{ parameters.name }}',
            owner: '${{ parameters.owner }}',
            name: 'sales-dashboard',
            folder: '\\dashboards',
            githubServiceConnection: 'github-contoso',
            token: '${{ secrets.azureDevOpsUserToken }}',
          },
        },
      ],
    }),
  },
];
