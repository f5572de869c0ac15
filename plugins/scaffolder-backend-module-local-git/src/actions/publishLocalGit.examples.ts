import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Publish the rendered workspace as a new repository on the local git server',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish-local',
          action: 'publish:local-git',
          name: 'Publish to the local git server',
          if: '${{ (parameters.repoUrl | parseRepoUrl).host == localGitHost }}',
          input: {
            repoUrl: '${{ parameters.repoUrl }}',
            description: '${{ parameters.description }}',
          },
        },
      ],
    }),
  },
];
