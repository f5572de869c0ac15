import type { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'After the first run was started, follow it through to a service that runs and is observed',
    example: yaml.stringify({
      steps: [
        {
          id: 'verify',
          action: 'golden-path:verify',
          name: 'Wait for the service to run and be observed',
          input: {
            repoUrl:
              'dev.azure.com?organization=contoso&project=dashboards&repo=sales-dashboard',
            token: '${{ secrets.azureDevOpsUserToken }}',
            pipelineId: '${{ steps.pipeline.output.pipelineId }}',
            runId: '${{ steps.run.output.runId }}',
            entityRef: 'component:default/sales-dashboard',
            namespace: 'dashboards',
            podMonitorLabels: { release: 'kube-prometheus-stack' },
            created: [
              {
                title: 'Pipeline',
                url: '${{ steps.pipeline.output.pipelineUrl }}',
              },
              { title: 'First run', url: '${{ steps.run.output.runUrl }}' },
            ],
          },
        },
      ],
    }),
  },
];
