/*
 * Alerts in Prometheus' format (`GET /api/v1/alerts` of Prometheus, and Grafana's
 * `/api/prometheus/grafana/api/v1/alerts` for its own rules), narrowed to one entity.
 * References: https://prometheus.io/docs/prometheus/latest/querying/api/#alerts, and Grafana's
 * RouteGetGrafanaAlertStatuses (grafana/grafana pkg/api/docs/clients/go/docs/PrometheusApi.md), whose
 * alert instances have the states Alerting, Pending, Normal, NoData and Error.
 */
import { ALERT_NAME_LABEL } from '@internal/plugin-observability-common';

/**
 * One active alert as the API lists it: pending (condition true, `for` not yet elapsed) or firing.
 * Resolved alerts are no longer listed.
 *
 * @public
 */
export interface ActiveAlert {
  name: string;
  state: 'pending' | 'firing';
  severity?: string;
  summary?: string;
  description?: string;
  /** When the condition became true (RFC 3339). */
  activeAt: string;
  /** Runbook link from the rule's `runbook_url` annotation, as written there. */
  runbook?: string;
  labels: Record<string, string>;
}

const SEVERITY_ORDER = ['critical', 'error', 'warning', 'info'];

function rank(alert: ActiveAlert): number[] {
  const severity = SEVERITY_ORDER.indexOf(alert.severity ?? '');
  return [
    alert.state === 'firing' ? 0 : 1,
    severity === -1 ? SEVERITY_ORDER.length : severity,
  ];
}

/**
 * Reads the API's answer; throws with what was wrong when it is not an alerts list.
 *
 * @public
 */
export function parseAlerts(body: unknown): ActiveAlert[] {
  const alerts = (body as { data?: { alerts?: unknown } })?.data?.alerts;
  if (
    (body as { status?: string })?.status !== 'success' ||
    !Array.isArray(alerts)
  ) {
    throw new Error(
      'The alerts endpoint did not answer with a Prometheus alerts list ({"status":"success","data":{"alerts":[...]}}); check observability.alerts.proxyPath and its proxy target',
    );
  }
  return alerts.flatMap((raw: any): ActiveAlert[] => {
    const labels: Record<string, string> = raw?.labels ?? {};
    const annotations: Record<string, string> = raw?.annotations ?? {};
    // Prometheus says `firing`; Grafana's list of its own alerts says `Alerting` (also
    // `Alerting (NoData)`, `Alerting (Error)`) and lists `Normal` ones too, which are not active.
    const rawState = String(raw?.state ?? '').toLowerCase();
    let state: ActiveAlert['state'];
    if (rawState === 'firing' || rawState.startsWith('alerting')) {
      state = 'firing';
    } else if (rawState === 'pending') {
      state = 'pending';
    } else {
      return [];
    }
    // The portal's Grafana rules name the entity in their title (Grafana 11 wants titles unique
    // per folder) and keep the plain alert name in ALERT_NAME_LABEL.
    const name = labels[ALERT_NAME_LABEL] ?? labels.alertname;
    if (!name) {
      return [];
    }
    return [
      {
        name,
        state,
        severity: labels.severity,
        summary: annotations.summary,
        description: annotations.description,
        activeAt: String(raw.activeAt ?? ''),
        runbook: annotations.runbook_url,
        labels,
      },
    ];
  });
}

/**
 * The alerts of one service (by the `namespace` and `app` labels the rules group by), firing
 * before pending, then by severity, then oldest first.
 *
 * @public
 */
export function alertsOf(
  alerts: ActiveAlert[],
  service: { namespace: string; app: string },
): ActiveAlert[] {
  return alerts
    .filter(
      a =>
        a.labels.namespace === service.namespace &&
        a.labels.app === service.app,
    )
    .sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      return (
        ra[0] - rb[0] || ra[1] - rb[1] || a.activeAt.localeCompare(b.activeAt)
      );
    });
}

/**
 * Where a runbook link points: an absolute http(s) URL as is; a relative one (the shipped rules'
 * `operations/#<alert>`) below the entity's TechDocs; anything else nowhere.
 *
 * @public
 */
export function runbookHref(
  runbook: string | undefined,
  entity: { kind: string; namespace?: string; name: string; hasDocs: boolean },
): string | undefined {
  if (!runbook) {
    return undefined;
  }
  if (/^https?:\/\//i.test(runbook)) {
    return runbook;
  }
  if (
    !entity.hasDocs ||
    /^[a-z][a-z0-9+.-]*:/i.test(runbook) ||
    runbook.startsWith('/')
  ) {
    return undefined;
  }
  const base = ['docs', entity.namespace ?? 'default', entity.kind, entity.name]
    .map(s => encodeURIComponent(s.toLowerCase()))
    .join('/');
  const [path, hash] = runbook.split('#', 2);
  const segments = path
    .split('/')
    .filter(s => s && s !== '.' && s !== '..')
    .map(encodeURIComponent);
  return `/${base}/${segments.join('/')}${segments.length ? '/' : ''}${
    hash ? `#${encodeURIComponent(hash)}` : ''
  }`;
}
