// Starts the backend for the browser tests: app-config.yaml plus e2e/app-config.e2e.yaml, a fresh
// SQLite directory, the app's production build served by the backend on E2E_PORT. Before it, the
// stand-ins the e2e config points the backend at:
// - a GitHub host (e2e/git-host-stand-in.mjs) on E2E_GIT_PORT, for the github.com integration;
// - a Kubernetes API server (plugins/kubernetes-common/testing) replaying E2E_KUBERNETES_SCENARIO
//   (default `healthy`) for the sales-dashboard pods, as the cluster `aks-production`;
// - Grafana (e2e/grafana-stand-in.mjs) on E2E_GRAFANA_PORT, with the provisioned dashboards;
// - Azure DevOps (plugins/scaffolder-backend-module-azure-devops/testing) on E2E_AZURE_DEVOPS_PORT,
//   for the pipeline steps of the service template and the pipeline-runs card: organization
//   `golden-path`, project `Dashboards`, and the service connections the create-form test names;
// - Loki (plugins/golden-path-node/testing) holding the sales-dashboard pods' log streams as
//   Promtail labels them (no `service_name`), for the Golden path card's logging check.
// - for template upgrades (plugins/template-upgrades-backend): a git host with GitHub's pull-request
//   API (that plugin's stand-in), two empty repositories for services made from the small template
//   `svc` of that plugin's fixture (1.0.0 tagged, 1.1.0 on main), the template's repository, and
//   the two services' catalog entries; e2e/template-upgrades.spec.ts pushes their 1.0.0 files.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { startKubernetesStandIn } from '../plugins/kubernetes-common/testing/kubernetesStandIn.ts';
import { startLokiStandIn } from '../plugins/golden-path-node/testing/lokiStandIn.ts';
import { startAzureDevOpsStandIn } from '../plugins/scaffolder-backend-module-azure-devops/testing/azureDevOpsStandIn.ts';
import { startGitHost } from './git-host-stand-in.mjs';
import { startGrafanaStandIn } from './grafana-stand-in.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.E2E_PORT ?? '7017';
if (!fs.existsSync(path.join(root, 'packages/app/dist/index.html'))) {
  console.error(
    'packages/app/dist is missing: run `yarn workspace app build` first',
  );
  process.exit(1);
}
const data = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-sqlite-'));
const gitHost = await startGitHost({
  port: Number(process.env.E2E_GIT_PORT ?? 7018),
  token: process.env.E2E_GIT_TOKEN ?? 'e2e-git-host-token',
  root: path.join(data, 'git'),
});
const kubernetesToken = 'e2e-service-account-token';
const cluster = await startKubernetesStandIn({
  scenario: process.env.E2E_KUBERNETES_SCENARIO ?? 'healthy',
  token: kubernetesToken,
});
const grafana = await startGrafanaStandIn({
  port: Number(process.env.E2E_GRAFANA_PORT ?? 7019),
  dashboardsDir: path.join(root, 'plugins/observability/grafana/dashboards'),
});
const azureDevOpsToken =
  process.env.E2E_AZURE_DEVOPS_TOKEN ?? 'e2e-azure-devops-pat';
const azureDevOps = await startAzureDevOpsStandIn({
  port: Number(process.env.E2E_AZURE_DEVOPS_PORT ?? 7020),
  token: azureDevOpsToken,
  organization: 'golden-path',
  project: 'Dashboards',
  serviceConnections: [
    { name: 'docker-hub', type: 'dockerregistry' },
    { name: 'aks-production', type: 'kubernetes' },
    { name: 'github-golden-path', type: 'github' },
  ],
});
// Promtail's default pod labels (namespace, pod, container, app): Loki 2 derives no service_name.
const loki = await startLokiStandIn({
  streams: ['7xk2p', 'm4q9t'].map(id => ({
    labels: {
      namespace: 'dashboards',
      pod: `sales-dashboard-6d8f7c9b4d-${id}`,
      container: 'dashboard',
      app: 'sales-dashboard',
    },
    entries: [{ at: Date.now(), line: '{"level":"info","msg":"page view"}' }],
  })),
});
// The template-upgrades stand-in and fixture import without file extensions, as the backend's
// own TypeScript does: load them through the backend's require hook.
const require = createRequire(import.meta.url);
require(path.join(
  root,
  'node_modules/@backstage/cli-node/config/nodeTransform.cjs',
));
const {
  startGitHostStandIn,
} = require('../plugins/template-upgrades-backend/src/__testUtils__/gitHostStandIn.ts');
const {
  createTemplateRepo,
} = require('../plugins/template-upgrades-backend/src/__fixtures__/templateRepo.ts');
const upgradesToken = 'e2e-template-upgrades-token';
const upgradesHost = await startGitHostStandIn({
  root: path.join(data, 'upgrades-git'),
  token: upgradesToken,
});
const templateRepo = createTemplateRepo(path.join(data, 'templates-repo'));
// Ours: the guest's team (platform-team) owns it; theirs: another team's, which the guest may
// not upgrade (no admin groups are configured below).
const upgradeServices = [
  { name: 'svc-ours', owner: 'group:default/platform-team' },
  { name: 'svc-theirs', owner: 'group:default/dashboards-team' },
].map(s => ({
  ...s,
  key: `contoso/${s.name}`,
  location: `${upgradesHost.baseUrl}/contoso/${s.name}/tree/main/`,
  cloneUrl: `${upgradesHost.baseUrl}/contoso/${s.name}.git`,
}));
for (const s of upgradeServices) upgradesHost.createRepository(s.key);
const upgradeEntities = path.join(data, 'template-upgrades-services.yaml');
fs.writeFileSync(
  upgradeEntities,
  upgradeServices
    .map(s =>
      JSON.stringify({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: {
          name: s.name,
          annotations: {
            'backstage.io/source-location': `url:${s.location}`,
            'portal.golden-path/template-name': 'svc',
            'portal.golden-path/template-version': '1.0.0',
          },
        },
        spec: { type: 'service', lifecycle: 'experimental', owner: s.owner },
      }),
    )
    .join('\n---\n'),
);
fs.writeFileSync(
  process.env.E2E_UPGRADES_INFO ??
    path.join(os.tmpdir(), `e2e-template-upgrades-${port}.json`),
  JSON.stringify({
    token: upgradesToken,
    templateRepo,
    services: upgradeServices,
  }),
);
// Arrays in a later config file replace those of the earlier ones: the upgrade host's
// integration and the services' catalog file are added to the lists of the two files, read here.
const readConfig = file =>
  parseYaml(fs.readFileSync(path.join(root, file), 'utf8'));
const e2eGitHub = readConfig('e2e/app-config.e2e.yaml').integrations.github;
const catalogLocations = readConfig('app-config.yaml').catalog.locations;
const overrides = path.join(data, 'app-config.e2e-run.yaml');
fs.writeFileSync(
  overrides,
  JSON.stringify({
    app: { baseUrl: `http://localhost:${port}` },
    integrations: {
      github: [
        ...e2eGitHub,
        {
          host: new URL(upgradesHost.baseUrl).host,
          apiBaseUrl: `${upgradesHost.baseUrl}/api/v3`,
          token: upgradesToken,
        },
      ],
    },
    catalog: {
      locations: [
        ...catalogLocations,
        { type: 'file', target: upgradeEntities },
      ],
    },
    templateUpgrades: {
      templates: [
        { name: 'svc', repository: templateRepo, path: 'templates/svc' },
      ],
      // The guest is in platform-team, which app-config.yaml makes an upgrade admin; the browser
      // test is about a team's own services, so no group may upgrade every service here.
      adminGroups: [],
    },
    backend: {
      baseUrl: `http://localhost:${port}`,
      listen: { port: Number(port) },
      cors: { origin: `http://localhost:${port}` },
      database: { client: 'better-sqlite3', connection: { directory: data } },
    },
  }),
);
const configs = ['app-config.yaml', 'e2e/app-config.e2e.yaml']
  .map(f => path.join(root, f))
  .filter(f => fs.existsSync(f));
const args = [
  '--enable-source-maps',
  '--require',
  path.join(root, 'node_modules/@backstage/cli-node/config/nodeTransform.cjs'),
  'src/index.ts',
  ...[...configs, overrides].flatMap(f => ['--config', f]),
];
const child = spawn(process.execPath, args, {
  cwd: path.join(root, 'packages/backend'),
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_ENV: 'development',
    E2E_GIT_URL: gitHost.url,
    E2E_GIT_TOKEN: process.env.E2E_GIT_TOKEN ?? 'e2e-git-host-token',
    E2E_KUBERNETES_URL: cluster.url,
    E2E_KUBERNETES_TOKEN: kubernetesToken,
    E2E_GRAFANA_URL: grafana.url,
    E2E_LOKI_URL: loki.url,
    E2E_AZURE_DEVOPS_URL: azureDevOps.url,
    E2E_AZURE_DEVOPS_TOKEN: azureDevOpsToken,
    // The read-only proxy endpoint's header, as app-config.production.yaml documents it.
    E2E_AZURE_DEVOPS_AUTHORIZATION: `Basic ${Buffer.from(
      `:${azureDevOpsToken}`,
    ).toString('base64')}`,
  },
});
const stop = () => child.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', async code => {
  await Promise.all([
    gitHost.stop(),
    cluster.stop(),
    grafana.stop(),
    azureDevOps.stop(),
    loki.stop(),
    upgradesHost.stop(),
  ]);
  fs.rmSync(data, { recursive: true, force: true });
  process.exit(code ?? 0);
});
