import path from 'node:path';

export const templateDir = path.resolve(
  __dirname,
  '../python-dashboard-service',
);

/** Backend modules whose actions the template's steps use, beside the scaffolder's own. */
export const serviceTemplateFeatures = [
  import('@internal/plugin-scaffolder-backend-module-grafana'),
  import('@internal/plugin-scaffolder-backend-module-golden-path'),
];

/** The metrics port of the contract (docs/contract.md); not a form field. */
export const METRICS_PORT = 9102;

/** Every parameter of the template: the dry-run API applies no defaults. */
export type ServiceValues = {
  name: string;
  description: string;
  owner: string;
  /** Optional in the form: absent when not chosen. */
  system?: string;
  dashboardTitle: string;
  dashboardMessage: string;
  port: number;
  replicas: number;
  cpuRequest: number;
  cpuLimit: number;
  memoryRequest: number;
  memoryLimit: number;
  namespace: string;
  /** Whether kubernetes/podmonitor.yaml is generated. */
  podMonitor: boolean;
  /** Labels the cluster's Prometheus selects PodMonitors by. */
  podMonitorLabels: Record<string, string>;
  registryType: 'dockerhub' | 'acr';
  dockerHubNamespace?: string;
  acrLoginServer?: string;
  registryServiceConnection: string;
  kubernetesServiceConnection: string;
  environment: string;
  repoUrl: string;
  /** The Azure DevOps project of a GitHub repository's pipeline (Repository page). */
  pipelineOrganization?: string;
  pipelineProject?: string;
  githubServiceConnection?: string;
};

/** Docker Hub image, GitHub repository, the form's defaults for the rest. */
export const dockerHubValues: ServiceValues = {
  name: 'sales-dashboard',
  description: 'Daily sales: "numbers" & trends',
  owner: 'group:default/platform-team',
  dashboardTitle: 'Team dashboard',
  dashboardMessage: 'Welcome! Use the controls below to explore the data.',
  port: 8501,
  replicas: 2,
  cpuRequest: 250,
  cpuLimit: 1000,
  memoryRequest: 256,
  memoryLimit: 512,
  namespace: 'dashboards',
  podMonitor: true,
  podMonitorLabels: { release: 'kube-prometheus-stack' },
  registryType: 'dockerhub',
  dockerHubNamespace: 'contoso',
  registryServiceConnection: 'docker-hub',
  kubernetesServiceConnection: 'aks-production',
  environment: 'production',
  repoUrl: 'github.com?owner=contoso&repo=sales-dashboard',
  pipelineOrganization: 'contoso',
  pipelineProject: 'Dashboards',
  githubServiceConnection: 'github-contoso',
};

/** Azure Container Registry image, Azure DevOps repository, a system. */
export const acrValues: ServiceValues = {
  name: 'ops-dashboard',
  description: 'Operations overview',
  owner: 'group:default/platform-team',
  system: 'system:default/developer-platform',
  dashboardTitle: 'Operations',
  dashboardMessage: 'Queues, error rates and **deploys** at a glance.',
  port: 8501,
  replicas: 3,
  cpuRequest: 500,
  cpuLimit: 1000,
  memoryRequest: 512,
  memoryLimit: 1024,
  namespace: 'ops',
  podMonitor: true,
  podMonitorLabels: {
    prometheus: 'platform',
    'example.com/team': 'dashboards',
  },
  registryType: 'acr',
  acrLoginServer: 'contosoregistry.azurecr.io',
  registryServiceConnection: 'Contoso ACR',
  kubernetesServiceConnection: 'AKS West Europe',
  environment: 'ops-production',
  repoUrl:
    'dev.azure.com?organization=contoso&project=Platform&repo=ops-dashboard',
};

/** Edge values: a 63-character name, another port, the largest and equal resources. */
export const edgeValues: ServiceValues = {
  ...dockerHubValues,
  name: `a${'-b'.repeat(30)}c1`,
  description: "It's: {{ not a template }} # nor a comment",
  dashboardTitle: 'Ünïcode ✓ "quotes" and \\backslashes\\',
  dashboardMessage: 'Line one\nLine two with ${{ braces }} and {% tags %}',
  port: 8080,
  replicas: 10,
  cpuRequest: 2000,
  cpuLimit: 2000,
  memoryRequest: 4096,
  memoryLimit: 8192,
  namespace: `n${'0'.repeat(62)}`,
  podMonitor: false,
  podMonitorLabels: { release: 'kube-prometheus-stack' },
  registryServiceConnection: 'Docker Hub contoso',
};
