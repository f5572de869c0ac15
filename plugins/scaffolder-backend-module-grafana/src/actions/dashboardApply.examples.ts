import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      "After catalog:register, put the new service's dashboard and alert rules into its owner's Grafana folder",
    example: yaml.stringify({
      steps: [
        {
          id: 'grafana',
          action: 'grafana:dashboard:apply',
          name: 'Set up Grafana',
          input: {
            entityRef: '${{ steps.register.output.entityRef }}',
            owner: '${{ parameters.owner }}',
            namespace: '${{ parameters.namespace }}',
            app: '${{ parameters.name }}',
          },
        },
      ],
    }),
  },
  {
    description: 'With fixed values',
    example: yaml.stringify({
      steps: [
        {
          id: 'grafana',
          action: 'grafana:dashboard:apply',
          name: 'Set up Grafana',
          input: {
            entityRef: 'component:default/sales-dashboard',
            owner: 'group:default/platform-team',
            namespace: 'dashboards',
            app: 'sales-dashboard',
          },
        },
      ],
    }),
  },
];
