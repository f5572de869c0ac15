import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Register the catalog file of the repository the publish step created',
    example: yaml.stringify({
      steps: [
        {
          id: 'register',
          action: 'portal:catalog:register',
          name: 'Register in the catalog',
          input: {
            repoContentsUrl:
              "${{ steps['publish-azure'].output.repoContentsUrl or steps['publish-github'].output.repoContentsUrl }}",
            catalogInfoPath: '/catalog-info.yaml',
          },
        },
      ],
    }),
  },
];
