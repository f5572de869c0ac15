import { registerMswTestHooks } from '@backstage/backend-test-utils';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import {
  FakeGrafanaState,
  GRAFANA_URL,
  createFakeGrafana,
} from '../__testUtils__/fakeGrafana';
import { stableUid } from '../lib/resources';
import { provisionCatalog } from './provisionCatalog';

const TOKEN = 'glsa_provisioning_9fK2mQ7xV4pL1sT8';
const CATALOG = 'http://backstage.test/api/catalog';
const CATALOG_TOKEN = 'static-catalog-token-1234';

const component = (
  name: string,
  annotations: Record<string, string>,
  owner = 'platform-team',
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production', owner },
});

describe('provisionCatalog', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let grafana: FakeGrafanaState;
  const catalogRequests: Array<{ url: URL; authorization: string | null }> = [];

  beforeEach(() => {
    const fake = createFakeGrafana({ token: TOKEN });
    grafana = fake.state;
    catalogRequests.length = 0;
    server.use(
      ...fake.handlers,
      // The catalog's GET /entities (https://backstage.io/docs/features/software-catalog/software-catalog-api#get-entities)
      http.get(`${CATALOG}/entities`, ({ request }) => {
        catalogRequests.push({
          url: new URL(request.url),
          authorization: request.headers.get('authorization'),
        });
        return HttpResponse.json([
          component('sales-dashboard', {
            'backstage.io/kubernetes-id': 'sales-dashboard',
            'backstage.io/kubernetes-namespace': 'dashboards',
          }),
          component(
            'ops-dashboard',
            {
              'backstage.io/kubernetes-id': 'ops-dashboard',
              'backstage.io/kubernetes-namespace': 'ops',
            },
            'group:default/ops',
          ),
          component('legacy', { 'backstage.io/kubernetes-id': 'legacy' }),
          component('broken', {
            'backstage.io/kubernetes-id': 'broken',
            'backstage.io/kubernetes-namespace': 'Not_A_Namespace',
          }),
        ]);
      }),
    );
  });

  const connection = {
    url: GRAFANA_URL,
    token: TOKEN,
    prometheusDatasourceUid: 'prometheus-main',
  };

  it('provisions every entity with the annotations, skips and reports the others', async () => {
    const lines = await provisionCatalog({
      catalogBaseUrl: CATALOG,
      catalogToken: CATALOG_TOKEN,
      connection,
    });

    expect(catalogRequests).toHaveLength(1);
    expect(catalogRequests[0].url.searchParams.getAll('filter')).toEqual([
      'metadata.annotations.backstage.io/kubernetes-id',
    ]);
    expect(catalogRequests[0].authorization).toBe(`Bearer ${CATALOG_TOKEN}`);

    expect(lines).toEqual([
      {
        entityRef: 'component:default/sales-dashboard',
        outcome: 'provisioned',
        detail: `${GRAFANA_URL}/d/${stableUid(
          'dashboard',
          'component:default/sales-dashboard',
        )} (6 object(s) created or updated)`,
      },
      {
        entityRef: 'component:default/ops-dashboard',
        outcome: 'provisioned',
        detail: expect.stringContaining('(6 object(s) created or updated)'),
      },
      {
        entityRef: 'component:default/legacy',
        outcome: 'skipped',
        detail: 'no backstage.io/kubernetes-namespace annotation',
      },
      {
        entityRef: 'component:default/broken',
        outcome: 'failed',
        detail: expect.stringContaining(
          'namespace "Not_A_Namespace" is not a Kubernetes namespace name',
        ),
      },
    ]);
    expect([...grafana.folders.values()].map(f => f.title).sort()).toEqual([
      'ops',
      'platform-team',
    ]);
    expect(grafana.dashboards.size).toBe(2);
  });

  it('changes nothing when run again', async () => {
    await provisionCatalog({ catalogBaseUrl: CATALOG, connection });
    const lines = await provisionCatalog({
      catalogBaseUrl: CATALOG,
      connection,
    });
    expect(
      lines.filter(l => l.outcome === 'provisioned').map(l => l.detail),
    ).toEqual([
      expect.stringContaining('(0 object(s) created or updated)'),
      expect.stringContaining('(0 object(s) created or updated)'),
    ]);
  });

  it("removes the portal's objects of an entity that left the catalog, moves them when the owner changes, and leaves unmarked objects alone", async () => {
    await provisionCatalog({ catalogBaseUrl: CATALOG, connection });
    const opsDashboard = stableUid(
      'dashboard',
      'component:default/ops-dashboard',
    );
    const salesDashboard = stableUid(
      'dashboard',
      'component:default/sales-dashboard',
    );
    grafana.dashboards.set('hand-made', {
      dashboard: { uid: 'hand-made', title: 'Mine', tags: ['team'] },
      folderUid: 'x',
    });
    grafana.rules.set('hand-made-rule', {
      uid: 'hand-made-rule',
      title: 'Mine',
      labels: {},
    });
    // ops-dashboard is gone; sales-dashboard now belongs to group:default/ops.
    server.use(
      http.get(`${CATALOG}/entities`, () =>
        HttpResponse.json([
          component(
            'sales-dashboard',
            {
              'backstage.io/kubernetes-id': 'sales-dashboard',
              'backstage.io/kubernetes-namespace': 'dashboards',
            },
            'group:default/ops',
          ),
        ]),
      ),
    );
    const lines = await provisionCatalog({
      catalogBaseUrl: CATALOG,
      connection,
    });

    expect(lines.filter(l => l.outcome === 'removed')).toHaveLength(5);
    expect(grafana.dashboards.has(opsDashboard)).toBe(false);
    expect(grafana.dashboards.has('hand-made')).toBe(true);
    expect(grafana.rules.has('hand-made-rule')).toBe(true);
    const opsFolder = stableUid('folder', 'group:default/ops');
    expect(grafana.dashboards.get(salesDashboard)?.folderUid).toBe(opsFolder);
    const rules = [...grafana.rules.values()].filter(
      r => r.labels.managed_by === 'backstage-portal',
    );
    expect(rules).toHaveLength(4);
    expect(rules.every(r => r.folderUID === opsFolder)).toBe(true);
  });

  it('says which setting to check when the catalog refuses', async () => {
    server.use(
      http.get(`${CATALOG}/entities`, () =>
        HttpResponse.json(
          {
            error: {
              name: 'AuthenticationError',
              message: 'Missing credentials',
            },
          },
          { status: 401 },
        ),
      ),
    );
    await expect(
      provisionCatalog({ catalogBaseUrl: CATALOG, connection }),
    ).rejects.toThrow(
      /^Cannot read the entities from the catalog at http:\/\/backstage\.test\/api\/catalog \(.*401.*\)\. Check CATALOG_URL .* and CATALOG_TOKEN\.$/,
    );
    expect(grafana.requests).toEqual([]);
  });
});
