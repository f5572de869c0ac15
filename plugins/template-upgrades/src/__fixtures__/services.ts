import type {
  ServiceUpgradeStatus,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';

export const BASE = 'http://localhost:7007/api/template-upgrades';

/** Behind, owned by the caller's team, no pull request yet. */
export const salesDashboard: ServiceUpgradeStatus = {
  entityRef: 'component:default/sales-dashboard',
  title: 'Sales dashboard',
  owner: 'group:default/dashboards-team',
  template: {
    name: 'python-dashboard-service',
    version: '1.0.0',
    latest: '1.2.0',
  },
  state: 'behind',
  canUpgrade: true,
};

/** Behind, the caller's, with an open upgrade pull request. */
export const stockDashboard: ServiceUpgradeStatus = {
  entityRef: 'component:default/stock-dashboard',
  owner: 'group:default/dashboards-team',
  template: {
    name: 'python-dashboard-service',
    version: '1.1.0',
    latest: '1.2.0',
  },
  state: 'behind',
  canUpgrade: true,
  pullRequest: {
    url: 'https://github.com/contoso/stock-dashboard/pull/7',
    number: 7,
    state: 'open',
  },
};

/** Behind, but another team's. */
export const billing: ServiceUpgradeStatus = {
  entityRef: 'component:default/billing-dashboard',
  title: 'Billing dashboard',
  owner: 'group:default/platform-team',
  template: {
    name: 'python-dashboard-service',
    version: '1.0.0',
    latest: '1.2.0',
  },
  state: 'behind',
  canUpgrade: false,
  problem: 'Only members of group:default/platform-team can upgrade it.',
};

/** At the latest version. */
export const inventory: ServiceUpgradeStatus = {
  entityRef: 'component:default/inventory-dashboard',
  owner: 'group:default/dashboards-team',
  template: {
    name: 'python-dashboard-service',
    version: '1.2.0',
    latest: '1.2.0',
  },
  state: 'current',
  canUpgrade: true,
};

/** No record in its repository. */
export const legacy: ServiceUpgradeStatus = {
  entityRef: 'component:default/legacy-dashboard',
  owner: 'group:default/dashboards-team',
  template: {
    name: 'python-dashboard-service',
    version: null,
    latest: '1.2.0',
  },
  state: 'unknown',
  canUpgrade: true,
  problem:
    'Its repository has no .golden-path/template.json: it was not created by the portal.',
};

export const fleet = [
  salesDashboard,
  stockDashboard,
  billing,
  inventory,
  legacy,
];

export function dryRunOf(
  status: ServiceUpgradeStatus,
  overrides: Partial<UpgradeResult> = {},
): UpgradeResult {
  return {
    entityRef: status.entityRef,
    result: 'dry-run',
    changes: [
      { path: 'Dockerfile', change: 'modified', conflict: true },
      { path: 'k8s/podmonitor.yaml', change: 'added', conflict: false },
      {
        path: 'deploy/deployment.yaml',
        change: 'renamed',
        from: 'k8s/deployment.yaml',
        conflict: false,
      },
    ],
    summary: `## ${status.template.version} → ${status.template.latest}\n\n- The image runs as a non-root user.`,
    ...overrides,
  };
}

/** An error as Backstage's error handler sends it. */
export function backstageError(status: number, name: string, message: string) {
  return {
    error: { name, message },
    request: { method: 'POST', url: '/' },
    response: { statusCode: status },
  };
}
