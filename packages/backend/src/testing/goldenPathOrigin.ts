import http from 'node:http';
import type { AddressInfo } from 'node:net';

const ENTITY = [
  'apiVersion: backstage.io/v1alpha1',
  'kind: Component',
  'metadata:',
  '  name: sales-dashboard',
  '  annotations:',
  '    backstage.io/kubernetes-id: sales-dashboard',
  '    backstage.io/kubernetes-namespace: dashboards',
  'spec: { type: service, lifecycle: experimental, owner: group:platform-team }',
  '',
].join('\n');

/**
 * A loopback origin for the golden-path:verify recovery test: a Template whose one step is
 * `golden-path:verify` for the run `runId` of pipeline `pipelineId`, and the service's catalog
 * entity (annotated as the service template annotates it), which the kubernetes backend reads
 * the workloads by.
 */
export async function startGoldenPathOrigin(options: {
  organization: string;
  project: string;
  pipelineId: number;
  runId: number;
  imageTag: string;
}) {
  let host = '';
  const server = http.createServer((req, res) => {
    const files: Record<string, string> = {
      '/template.yaml': templateYaml(options),
      '/sales-dashboard/catalog-info.yaml': ENTITY,
    };
    const body = files[req.url ?? ''];
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/yaml' }).end(body);
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    templateRef: 'template:default/golden-path-verify-probe',
    templateUrl: `http://${host}/template.yaml`,
    entityRef: 'component:default/sales-dashboard',
    entityUrl: `http://${host}/sales-dashboard/catalog-info.yaml`,
    readingConfig: { reading: { allow: [{ host }] } },
    stop: () => new Promise(resolve => server.close(resolve)),
  };
}

function templateYaml(o: {
  organization: string;
  project: string;
  pipelineId: number;
  runId: number;
  imageTag: string;
}) {
  return [
    'apiVersion: scaffolder.backstage.io/v1beta3',
    'kind: Template',
    'metadata:',
    '  name: golden-path-verify-probe',
    'spec:',
    '  owner: group:platform-team',
    '  type: service',
    '  steps:',
    '    - id: verify',
    '      name: Wait for the service to run and be observed',
    '      action: golden-path:verify',
    '      input:',
    `        repoUrl: dev.azure.com?organization=${o.organization}&project=${o.project}&repo=sales-dashboard`,
    `        pipelineId: ${o.pipelineId}`,
    `        runId: ${o.runId}`,
    '        entityRef: component:default/sales-dashboard',
    '        namespace: dashboards',
    `        imageTag: '${o.imageTag}'`,
    '        created:',
    '          - title: Catalog entity',
    '            entityRef: component:default/sales-dashboard',
    '',
  ].join('\n');
}
