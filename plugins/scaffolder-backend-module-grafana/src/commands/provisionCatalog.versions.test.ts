/*
 * Observability follows the service's code: with a panel and an alert rule that only template
 * version 1.1.0's code has, each entity gets what the template version on its main branch (its
 * catalog annotation) has, never more, and gets the new ones once its upgrade is merged.
 */
import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  FakeGrafanaState,
  GRAFANA_URL,
  createFakeGrafana,
} from '../__testUtils__/fakeGrafana';
import { provisionCatalog } from './provisionCatalog';

// The definitions the dashboard and the rules are built from, plus one of each new in 1.1.0.
jest.mock('../../../observability-common/src/queries', () => {
  const actual = jest.requireActual(
    '../../../observability-common/src/queries',
  );
  const logs = actual.DASHBOARD_PANELS.find((p: any) => p.key === 'logs');
  return {
    ...actual,
    DASHBOARD_PANELS: [
      ...actual.DASHBOARD_PANELS,
      {
        ...logs,
        id: 99,
        title: 'Request latency (new in 1.1.0)',
        since: '1.1.0',
      },
    ],
  };
});
jest.mock('../../../observability-common/src/alertRules', () => {
  const actual = jest.requireActual(
    '../../../observability-common/src/alertRules',
  );
  return {
    ...actual,
    ALERT_RULES: [
      ...actual.ALERT_RULES,
      {
        ...actual.ALERT_RULES[0],
        alert: 'ServiceSlowRequests',
        since: '1.1.0',
      },
    ],
  };
});

const TOKEN = 'glsa_provisioning_9fK2mQ7xV4pL1sT8';
const CATALOG = 'http://backstage.test/api/catalog';

const service = (name: string, templateVersion?: string) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    annotations: {
      'backstage.io/kubernetes-id': name,
      'backstage.io/kubernetes-namespace': 'dashboards',
      ...(templateVersion
        ? { 'portal.golden-path/template-version': templateVersion }
        : {}),
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'platform-team' },
});

describe('provisioning follows the template version on main', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let grafana: FakeGrafanaState;
  let entities: ReturnType<typeof service>[];
  const connection = {
    url: GRAFANA_URL,
    token: TOKEN,
    prometheusDatasourceUid: 'prometheus-main',
  };

  beforeEach(() => {
    const fake = createFakeGrafana({ token: TOKEN });
    grafana = fake.state;
    server.use(
      ...fake.handlers,
      http.get(`${CATALOG}/entities`, () => HttpResponse.json(entities)),
    );
  });

  const provisioned = (name: string) => {
    const dashboard = [...grafana.dashboards.values()].find(d =>
      d.dashboard.title.startsWith(`${name} `),
    )!.dashboard;
    const rules = [...grafana.rules.values()]
      .filter(r => r.labels.backstage_entity === `component:default/${name}`)
      .map(r => r.labels.portal_alert);
    return {
      panels: dashboard.panels.map((p: any) => p.title),
      rules,
    };
  };

  it("gives each service only the panels and rules its recorded version's code has", async () => {
    entities = [
      service('at-one', '1.0.0'),
      service('at-next', '1.1.0'),
      service('unrecorded'),
    ];
    const lines = await provisionCatalog({
      catalogBaseUrl: CATALOG,
      connection,
    });
    expect(lines.map(l => l.outcome)).toEqual([
      'provisioned',
      'provisioned',
      'provisioned',
    ]);
    for (const name of ['at-one', 'unrecorded']) {
      expect(provisioned(name).panels).not.toContain(
        'Request latency (new in 1.1.0)',
      );
      expect(provisioned(name).rules).not.toContain('ServiceSlowRequests');
      expect(provisioned(name).rules).toContain('ServicePodsNotReady');
    }
    expect(provisioned('at-next').panels).toContain(
      'Request latency (new in 1.1.0)',
    );
    expect(provisioned('at-next').rules).toContain('ServiceSlowRequests');
  });

  it('adds the new panel and rule once the upgrade is merged and the catalog shows the new version', async () => {
    entities = [service('svc', '1.0.0')];
    await provisionCatalog({ catalogBaseUrl: CATALOG, connection });
    expect(provisioned('svc').rules).not.toContain('ServiceSlowRequests');
    // The upgrade pull request changed catalog-info.yaml on main; the catalog read it.
    entities = [service('svc', '1.1.0')];
    await provisionCatalog({ catalogBaseUrl: CATALOG, connection });
    expect(provisioned('svc').rules).toContain('ServiceSlowRequests');
    expect(provisioned('svc').panels).toContain(
      'Request latency (new in 1.1.0)',
    );
  });

  it('refuses a recorded version that is not MAJOR.MINOR.PATCH, naming it', async () => {
    entities = [service('odd', 'v1')];
    const [line] = await provisionCatalog({
      catalogBaseUrl: CATALOG,
      connection,
    });
    expect(line).toMatchObject({
      outcome: 'failed',
      detail: expect.stringContaining(
        'templateVersion "v1" is not a template version',
      ),
    });
  });
});
