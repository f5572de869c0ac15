import {
  escapeQueryString,
  LOG_SERVICE_LABEL,
} from '@internal/plugin-observability-common';
import { Endpoint, getJson } from '../lib/http';
import type { CheckResult, GoldenPathTarget } from './types';
import { unavailable } from './types';

/*
 * Loki's HTTP API (https://grafana.com/docs/loki/latest/reference/loki-http-api/): `GET
 * /loki/api/v1/series` with `match[]`, `start` and `end` (nanosecond epochs) lists the label
 * sets of the streams that match; `query_range` returns their lines. A multi-tenant Loki wants
 * the tenant in `X-Scope-OrgID`.
 */

interface SeriesBody {
  status: string;
  data: Record<string, string>[];
}

/** The label sets of the streams matching `selector` in the last `windowMs`. */
export async function lokiSeries(
  loki: Endpoint,
  selector: string,
  now: number,
  windowMs: number,
): Promise<Record<string, string>[]> {
  const body = await getJson<SeriesBody>(loki, 'Loki', '/loki/api/v1/series', {
    'match[]': selector,
    start: `${BigInt(now - windowMs) * 1_000_000n}`,
    end: `${BigInt(now) * 1_000_000n}`,
  });
  return body.data ?? [];
}

/** How far back the logging check looks for the service's streams. */
export const LOG_WINDOW_MS = 60 * 60_000;

/**
 * Logging: Loki has streams with the labels the dashboard selects the service's logs by
 * (`namespace` and `service_name`). When it has none it looks at the streams of the namespace
 * and says which labels the agent does set, so the fix is concrete.
 *
 * @public
 */
export async function checkLogging(
  target: GoldenPathTarget,
  loki: Endpoint | undefined,
  now = Date.now(),
): Promise<CheckResult> {
  const id = 'logging' as const;
  if (!loki) {
    return unavailable(id, 'no Loki is configured (goldenPath.loki.url).');
  }
  const ns = `namespace="${escapeQueryString(target.namespace)}"`;
  const tried = `{${ns}, ${LOG_SERVICE_LABEL}="${escapeQueryString(
    target.app,
  )}"}`;
  const evidence = [{ title: `Loki streams ${tried}` }];
  const streams = await lokiSeries(loki, tried, now, LOG_WINDOW_MS);
  if (streams.length > 0) {
    return {
      id,
      state: 'pass',
      summary: `${streams.length} log stream(s) with ${tried} in the last hour.`,
      evidence,
    };
  }
  const inNamespace = await lokiSeries(loki, `{${ns}}`, now, LOG_WINDOW_MS);
  const ofApp = inNamespace.filter(s =>
    Object.entries(s).some(
      ([k, v]) =>
        k !== 'namespace' &&
        (v === target.app || (k === 'pod' && v.startsWith(`${target.app}-`))),
    ),
  );
  if (ofApp.length === 0) {
    return {
      id,
      state: 'fail',
      summary: `No log streams with ${tried}${
        inNamespace.length
          ? ''
          : `, nor any stream of namespace ${target.namespace}`
      }.`,
      cause: inNamespace.length
        ? `Loki has streams of namespace ${target.namespace}, none of the service's pods: they have not logged yet, or the agent does not collect them.`
        : `Loki has no log streams of namespace ${target.namespace} in the last hour: no agent ships this namespace's logs to this Loki (or to this tenant).`,
      fix: 'Check that the log agent (Grafana Alloy or Promtail) runs on the nodes and ships to this Loki and tenant (docs/observability.md, "Logs").',
      evidence,
    };
  }
  const labels = [...new Set(ofApp.flatMap(s => Object.keys(s)))].sort();
  return {
    id,
    state: 'fail',
    summary: `No log streams with ${tried}: your agent sets ${labels.join(
      ', ',
    )}.`,
    cause: `The service's streams have no ${LOG_SERVICE_LABEL} label (labels tried: namespace, ${LOG_SERVICE_LABEL}; found: ${labels.join(
      ', ',
    )}).`,
    fix: `Loki 3 derives ${LOG_SERVICE_LABEL} from app (discover_service_name, on by default; check limits_config); or set ${LOG_SERVICE_LABEL} from app.kubernetes.io/name in the agent (Grafana Alloy's k8s-monitoring does).`,
    evidence,
  };
}
