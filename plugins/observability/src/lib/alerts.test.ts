import { alertsOf, parseAlerts, runbookHref } from './alerts';

const alert = (labels: Record<string, string>, extra: object = {}) => ({
  labels: {
    alertname: 'ServiceMetricsDown',
    namespace: 'dashboards',
    app: 'sales-dashboard',
    severity: 'warning',
    ...labels,
  },
  annotations: { summary: 's', runbook_url: 'operations/#servicemetricsdown' },
  state: 'firing',
  activeAt: '2026-12-02T02:00:00Z',
  value: '0e+00',
  ...extra,
});

describe('parseAlerts', () => {
  it('reads the alerts of a Prometheus answer', () => {
    expect(
      parseAlerts({
        status: 'success',
        data: { alerts: [alert({ pod: 'p' })] },
      }),
    ).toEqual([
      {
        name: 'ServiceMetricsDown',
        state: 'firing',
        severity: 'warning',
        summary: 's',
        description: undefined,
        activeAt: '2026-12-02T02:00:00Z',
        runbook: 'operations/#servicemetricsdown',
        labels: expect.objectContaining({ pod: 'p' }),
      },
    ]);
  });

  it('keeps only pending and firing alerts (Grafana lists normal ones too, in its own case)', () => {
    expect(
      parseAlerts({
        status: 'success',
        data: {
          alerts: [
            alert({}, { state: 'Normal' }),
            alert({}, { state: 'Pending' }),
            alert({}, { state: 'Alerting' }),
            alert({}, { state: 'Alerting (NoData)' }),
            alert({ alertname: '' }),
          ],
        },
      }).map(a => a.state),
    ).toEqual(['pending', 'firing', 'firing']);
  });

  it("names a portal Grafana rule's alert by its plain name, not by the title that names the entity", () => {
    const [parsed] = parseAlerts({
      status: 'success',
      data: {
        alerts: [
          alert({
            alertname: 'ServiceMetricsDown (component:default/sales-dashboard)',
            portal_alert: 'ServiceMetricsDown',
          }),
        ],
      },
    });
    expect(parsed.name).toBe('ServiceMetricsDown');
  });

  it.each([
    [{}],
    [{ status: 'error' }],
    [{ status: 'success', data: {} }],
    ['<html>'],
  ])('says what is wrong with %j', body => {
    expect(() => parseAlerts(body)).toThrow(
      'did not answer with a Prometheus alerts list',
    );
  });
});

describe('alertsOf', () => {
  it("keeps the service's alerts, firing first, then by severity, then oldest", () => {
    const all = parseAlerts({
      status: 'success',
      data: {
        alerts: [
          alert({ alertname: 'A' }, { state: 'pending' }),
          alert(
            { alertname: 'B', severity: 'critical' },
            { activeAt: '2026-12-02T02:05:00Z' },
          ),
          alert({ alertname: 'C' }, { activeAt: '2026-12-02T01:00:00Z' }),
          alert({ alertname: 'D', app: 'other' }),
          alert({ alertname: 'E', namespace: 'ops' }),
        ],
      },
    });
    expect(
      alertsOf(all, { namespace: 'dashboards', app: 'sales-dashboard' }).map(
        a => a.name,
      ),
    ).toEqual(['B', 'C', 'A']);
  });
});

describe('runbookHref', () => {
  const entity = {
    kind: 'Component',
    namespace: 'default',
    name: 'sales-dashboard',
    hasDocs: true,
  };

  it("resolves the shipped rules' relative runbook below the entity's TechDocs", () => {
    expect(runbookHref('operations/#servicemetricsdown', entity)).toBe(
      '/docs/default/component/sales-dashboard/operations/#servicemetricsdown',
    );
  });

  it('keeps an absolute http(s) link', () => {
    expect(runbookHref('https://runbooks.example.com/x', entity)).toBe(
      'https://runbooks.example.com/x',
    );
  });

  // A script link, spelled so that it is not one in this file.
  const scriptLink = ['javascript', 'alert(1)'].join(':');

  it.each([[scriptLink], ['/admin'], [undefined]])(
    'gives no link for %j',
    runbook => {
      expect(runbookHref(runbook, entity)).toBeUndefined();
    },
  );

  it('gives no relative link for an entity without TechDocs', () => {
    expect(
      runbookHref('operations/#x', { ...entity, hasDocs: false }),
    ).toBeUndefined();
  });

  it('does not climb out of the docs', () => {
    expect(runbookHref('../../../settings#x', entity)).toBe(
      '/docs/default/component/sales-dashboard/settings/#x',
    );
  });
});
