import { ConfigReader } from '@backstage/config';
import { registerMswTestHooks } from '@backstage/backend-test-utils';
import {
  ALERT_RULES,
  DASHBOARD_PANELS,
} from '@internal/plugin-observability-common';
import { setupServer } from 'msw/node';
import {
  FakeGrafanaState,
  GRAFANA_URL,
  createFakeGrafana,
  writes,
} from '../__testUtils__/fakeGrafana';
import { createTestActionContext } from '@internal/plugin-scaffolder-node-test-utils';
import { stableUid } from '../lib/resources';
import { createGrafanaDashboardApplyAction } from './dashboardApply';

const TOKEN = 'glsa_provisioning_9fK2mQ7xV4pL1sT8';
const PROMETHEUS_UID = 'prometheus-main';
const config = {
  app: { baseUrl: 'https://portal.example.com' },
  grafanaProvisioning: {
    url: `${GRAFANA_URL}/`,
    token: TOKEN,
    prometheusDatasourceUid: PROMETHEUS_UID,
  },
};
const input = {
  entityRef: 'component:default/sales-dashboard',
  owner: 'group:default/platform-team',
  namespace: 'dashboards',
  app: 'sales-dashboard',
};
const DASHBOARD_UID = stableUid('dashboard', input.entityRef);
const FOLDER_UID = stableUid('folder', input.owner);

describe('grafana:dashboard:apply', () => {
  const server = setupServer();
  registerMswTestHooks(server);
  let grafana: FakeGrafanaState;

  beforeEach(() => {
    const fake = createFakeGrafana({ token: TOKEN });
    grafana = fake.state;
    server.use(...fake.handlers);
  });

  async function run(
    actionInput: object = input,
    opts: { isDryRun?: boolean; config?: object } = {},
  ) {
    const action = createGrafanaDashboardApplyAction({
      config: new ConfigReader(opts.config ?? config),
    });
    const test = createTestActionContext({
      input: actionInput as any,
      isDryRun: opts.isDryRun,
    });
    await action.handler(test.ctx as any);
    return test;
  }

  it("creates the owner's folder, the entity's dashboard and its alert rules, with the bodies Grafana expects", async () => {
    const { outputs } = await run();

    expect(grafana.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      `GET /api/folders/${FOLDER_UID}`,
      `GET /api/dashboards/uid/${DASHBOARD_UID}`,
      ...ALERT_RULES.map(
        r =>
          `GET /api/v1/provisioning/alert-rules/${stableUid(
            'rule',
            `${input.entityRef}/${r.alert}`,
          )}`,
      ),
      'GET /api/folders',
      'POST /api/folders',
      'POST /api/dashboards/db',
      ...ALERT_RULES.map(() => 'POST /api/v1/provisioning/alert-rules'),
    ]);
    for (const request of grafana.requests) {
      expect(request.authorization).toBe(`Bearer ${TOKEN}`);
    }

    const [folder, dashboard, ...rules] = writes(grafana);
    expect(folder.body).toEqual({ uid: FOLDER_UID, title: 'platform-team' });

    expect(dashboard.body).toMatchObject({
      folderUid: FOLDER_UID,
      overwrite: false,
      message: `Provisioned by the portal for ${input.entityRef}`,
    });
    const saved = dashboard.body.dashboard;
    expect(saved.uid).toBe(DASHBOARD_UID);
    expect(saved.uid.length).toBeLessThanOrEqual(40);
    expect(saved.title).toBe('sales-dashboard (dashboards)');
    expect(saved.tags).toContain('backstage-portal');
    // The panels of the dashboard-as-code, with their queries.
    expect(saved.panels.map((p: any) => [p.id, p.title])).toEqual(
      DASHBOARD_PANELS.map(p => [p.id, p.title]),
    );
    expect(saved.panels[0].targets[0].expr).toBe(
      DASHBOARD_PANELS[0].queries[0].expr,
    );
    // Namespace and app fixed to the entity's.
    const variables = Object.fromEntries(
      saved.templating.list.map((v: any) => [v.name, v]),
    );
    expect(variables.namespace).toMatchObject({
      type: 'constant',
      query: 'dashboards',
      hide: 2,
    });
    expect(variables.app).toMatchObject({
      type: 'constant',
      query: 'sales-dashboard',
    });
    expect(variables.datasource.type).toBe('datasource');

    expect(rules.map(r => r.body.title)).toEqual(
      ALERT_RULES.map(r => `${r.alert} (component:default/sales-dashboard)`),
    );
    const metricsDown = rules.find(
      r => r.body.labels.portal_alert === 'ServiceMetricsDown',
    )!;
    expect(metricsDown.body).toEqual({
      uid: stableUid('rule', `${input.entityRef}/ServiceMetricsDown`),
      title: 'ServiceMetricsDown (component:default/sales-dashboard)',
      folderUID: FOLDER_UID,
      ruleGroup: 'sales-dashboard',
      condition: 'B',
      data: [
        {
          refId: 'A',
          relativeTimeRange: { from: 600, to: 0 },
          datasourceUid: PROMETHEUS_UID,
          model: {
            refId: 'A',
            expr: '(up{app!=""})\nand on (namespace, app)\n  label_replace(label_replace(vector(1), "namespace", "dashboards", "", ""), "app", "sales-dashboard", "", "")',
            instant: true,
          },
        },
        {
          refId: 'B',
          relativeTimeRange: { from: 0, to: 0 },
          datasourceUid: '__expr__',
          model: {
            refId: 'B',
            type: 'threshold',
            expression: 'A',
            conditions: [{ evaluator: { type: 'lt', params: [1] } }],
          },
        },
      ],
      // No `up` series at all means nothing scrapes the pods: that is an alert, not "fine".
      noDataState: 'NoData',
      execErrState: 'Error',
      for: '5m',
      isPaused: false,
      labels: {
        severity: 'warning',
        portal_alert: 'ServiceMetricsDown',
        namespace: 'dashboards',
        app: 'sales-dashboard',
        managed_by: 'backstage-portal',
        backstage_entity: input.entityRef,
      },
      annotations: {
        summary:
          '{{ $labels.app }} in {{ $labels.namespace }}: /metrics not scraped',
        description: 'Prometheus cannot scrape {{ $labels.pod }}.',
        runbook_url:
          'https://portal.example.com/docs/default/component/sales-dashboard/operations/#servicemetricsdown',
      },
    });
    const memory = rules.find(
      r => r.body.labels.portal_alert === 'ServiceMemoryNearLimit',
    )!;
    expect(memory.body.noDataState).toBe('OK');
    expect(memory.body.annotations.description).toBe(
      'Working set at {{ $values.A.Value | humanizePercentage }} of the limit.',
    );
    expect(memory.body.data[1].model.conditions).toEqual([
      { evaluator: { type: 'gt', params: [0.9] } },
    ]);

    expect(outputs).toEqual({
      dashboardUrl: `${GRAFANA_URL}/d/${DASHBOARD_UID}`,
      dashboardUid: DASHBOARD_UID,
      folderUid: FOLDER_UID,
      changes: [
        `folder ${FOLDER_UID} created`,
        `dashboard ${DASHBOARD_UID} created`,
        ...ALERT_RULES.map(
          r =>
            `alert rule ${
              r.alert
            } (component:default/sales-dashboard) ${stableUid(
              'rule',
              `${input.entityRef}/${r.alert}`,
            )} created`,
        ),
      ],
    });
  });

  it('changes nothing on a second run, though Grafana stores the rules normalised', async () => {
    await run();
    // The stand-in stored what Grafana stores, not the body it was sent.
    const stored = grafana.rules.get(
      stableUid('rule', `${input.entityRef}/ServiceMetricsDown`),
    );
    expect(stored.data[0]).toMatchObject({
      queryType: '',
      model: { intervalMs: 1000, maxDataPoints: 43200 },
    });
    grafana.requests.length = 0;
    const { outputs, logLines } = await run();
    expect(writes(grafana)).toEqual([]);
    expect(outputs.changes).toEqual([]);
    expect(logLines.join('\n')).toContain('already up to date');
  });

  it.each([11, 12] as const)(
    "accepts a second service of the same owner on Grafana %i (rule titles unique in the owner's folder)",
    async version => {
      grafana.version = version;
      await run();
      const second = {
        ...input,
        entityRef: 'component:default/ops-dashboard',
        app: 'ops-dashboard',
      };
      const { outputs } = await run(second);
      expect(outputs.folderUid).toBe(FOLDER_UID);
      const titles = [...grafana.rules.values()].map(r => r.title);
      expect(titles).toHaveLength(2 * ALERT_RULES.length);
      expect(new Set(titles).size).toBe(titles.length);
    },
  );

  it('meets a Grafana 11 that refuses a duplicate rule title in a folder (so the test above can fail)', async () => {
    await run();
    const [first] = [...grafana.rules.values()];
    const res = await fetch(`${GRAFANA_URL}/api/v1/provisioning/alert-rules`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${TOKEN}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ ...first, uid: 'portal-other' }),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toContain(
      'rule title under the same organisation and folder should be unique',
    );
  });

  it("makes the owner's folder title distinct when a folder of that name exists, and keeps using it", async () => {
    grafana.folders.set('team-made', {
      uid: 'team-made',
      title: 'Platform-Team',
    });
    const first = await run();
    expect(grafana.folders.get(FOLDER_UID)?.title).toBe(
      'group:default/platform-team',
    );
    expect(first.outputs.changes).toContain(`folder ${FOLDER_UID} created`);
    // The team's own folder is left as it was.
    expect(grafana.folders.get('team-made')?.title).toBe('Platform-Team');
    grafana.requests.length = 0;
    const second = await run();
    expect(writes(grafana)).toEqual([]);
    expect(second.outputs.folderUid).toBe(FOLDER_UID);
  });

  it('gives a user and a group of the same name a folder each', async () => {
    await run();
    await run({
      ...input,
      entityRef: 'component:default/ops-dashboard',
      app: 'ops-dashboard',
      owner: 'user:default/platform-team',
    });
    expect([...grafana.folders.values()].map(f => f.title).sort()).toEqual([
      'platform-team',
      'user:default/platform-team',
    ]);
  });

  it('puts back what was changed in Grafana, and only that', async () => {
    await run();
    const stored = grafana.dashboards.get(DASHBOARD_UID)!;
    stored.dashboard = { ...stored.dashboard, title: 'edited by hand' };
    const rule = stableUid('rule', `${input.entityRef}/ServiceMetricsDown`);
    grafana.rules.set(rule, { ...grafana.rules.get(rule), for: '1h' });
    grafana.requests.length = 0;

    const { outputs } = await run();
    expect(writes(grafana).map(r => `${r.method} ${r.path}`)).toEqual([
      'POST /api/dashboards/db',
      `PUT /api/v1/provisioning/alert-rules/${rule}`,
    ]);
    expect(writes(grafana)[0].body.overwrite).toBe(true);
    expect(writes(grafana)[1].body.for).toBe('5m');
    expect(grafana.dashboards.get(DASHBOARD_UID)!.dashboard.title).toBe(
      'sales-dashboard (dashboards)',
    );
    expect(outputs.changes).toEqual([
      `dashboard ${DASHBOARD_UID} updated`,
      `alert rule ServiceMetricsDown (component:default/sales-dashboard) ${rule} updated`,
    ]);
  });

  it('never overwrites a dashboard it did not create, and writes nothing then', async () => {
    grafana.dashboards.set(DASHBOARD_UID, {
      dashboard: { uid: DASHBOARD_UID, title: 'Hand-made', tags: ['team'] },
      folderUid: 'team-folder',
    });
    await expect(run()).rejects.toThrow(
      `Grafana already has a dashboard with uid ${DASHBOARD_UID} ("Hand-made") without the tag "backstage-portal"`,
    );
    expect(writes(grafana)).toEqual([]);
    expect(grafana.dashboards.get(DASHBOARD_UID)!.dashboard.title).toBe(
      'Hand-made',
    );
  });

  it('never overwrites an alert rule it did not create', async () => {
    const rule = stableUid('rule', `${input.entityRef}/ServiceMetricsDown`);
    grafana.rules.set(rule, { uid: rule, title: 'Mine', labels: {} });
    await expect(run()).rejects.toThrow(
      `Grafana already has an alert rule with uid ${rule} ("Mine") without the label managed_by=backstage-portal`,
    );
    expect(writes(grafana)).toEqual([]);
  });

  it('gives every entity its own uids and every owner its own folder', async () => {
    await run();
    await run({
      ...input,
      entityRef: 'component:default/ops-dashboard',
      app: 'ops-dashboard',
      owner: 'group:default/ops',
    });
    expect(grafana.dashboards.size).toBe(2);
    expect(grafana.folders.size).toBe(2);
    expect(grafana.rules.size).toBe(2 * ALERT_RULES.length);
  });

  it('calls nothing in a dry run', async () => {
    const { outputs, logLines } = await run(input, { isDryRun: true });
    expect(grafana.requests).toEqual([]);
    expect(outputs.dashboardUid).toBe(DASHBOARD_UID);
    expect(logLines.join('\n')).toContain('Dry run: would put dashboard');
  });

  it('ends with one line saying it was skipped and how to connect Grafana, where unconfigured services are skipped', async () => {
    const { logLines, outputs } = await run(input, {
      config: { goldenPath: { unconfiguredServices: 'skip' } },
    });
    expect(logLines).toEqual([
      expect.stringMatching(
        /^warn: Grafana not configured here: skipped, as grafanaProvisioning is not set\. To connect it, set grafanaProvisioning\.url, .* provision-all command .*\.$/,
      ),
    ]);
    expect(outputs.changes).toEqual([]);
    expect(grafana.requests).toEqual([]);
  });

  it('fails saying what to configure when Grafana is not set up and skipping is not allowed (production)', async () => {
    await expect(run(input, { config: {} })).rejects.toThrow(
      /^Grafana is not configured: grafanaProvisioning is not set\. To connect it, set grafanaProvisioning\.url/,
    );
    expect(grafana.requests).toEqual([]);
  });

  it('refuses a provisioning config with a bad data source uid at start-up', () => {
    expect(() =>
      createGrafanaDashboardApplyAction({
        config: new ConfigReader({
          grafanaProvisioning: {
            ...config.grafanaProvisioning,
            prometheusDatasourceUid: 'not a uid!',
          },
        }),
      }),
    ).toThrow(
      'grafanaProvisioning.prometheusDatasourceUid "not a uid!" is not a Grafana uid',
    );
  });

  it.each([
    [
      { namespace: 'Team_A' },
      'namespace "Team_A" is not a Kubernetes namespace name',
    ],
    [{ app: 'x"} or vector(1)' }, 'is not a Kubernetes label value'],
    [
      { owner: 'platform-team' },
      'ownerRef "platform-team" is not a full entity ref',
    ],
    [
      { templateVersion: 'latest' },
      'templateVersion "latest" is not a template version; write it as MAJOR.MINOR.PATCH',
    ],
  ])('refuses bad input %j with a message naming it', async (bad, message) => {
    await expect(run({ ...input, ...bad })).rejects.toThrow(message);
    expect(grafana.requests).toEqual([]);
  });

  it('names the role the token needs when Grafana refuses, and never the token', async () => {
    grafana.failWith = 403;
    const error = await run().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      /Grafana refused to read (folder|dashboard) .* \(403 Permissions needed: dashboards:create\)\. The token in grafanaProvisioning\.token must belong to a service account with the Editor role/,
    );
    expect(String(error)).not.toContain(TOKEN);
  });

  it('keeps the token out of logs and outputs', async () => {
    const { outputs, logLines } = await run();
    expect(JSON.stringify(outputs)).not.toContain(TOKEN);
    expect(logLines.join('\n')).not.toContain(TOKEN);
  });
});
