/*
 * LokiStandIn: the part of Loki's HTTP API the golden path's checks read, answered from streams
 * held in memory, on loopback. Routes and behaviour, each from Loki's reference
 * (https://grafana.com/docs/loki/latest/reference/loki-http-api/):
 *
 * - `GET /loki/api/v1/series?match[]=<selector>&start&end`: `{ status: "success", data: [<label
 *   set>, ...] }`, the label sets of the streams matching any selector with an entry in
 *   [start, end] (nanosecond epochs);
 * - `GET /loki/api/v1/query_range?query=<selector>&limit&start&end`: a `streams` result with the
 *   matching streams' entries in the range, at most `limit` lines (100 by default);
 * - a stream selector is `{name op "value", ...}` with the operators `=`, `!=`, `=~`, `!~`
 *   (LogQL, "Log stream selector"); regexes are anchored, as in Prometheus; a selector that
 *   matches only the empty string is refused with 400 (`queries require at least one regexp or
 *   equality matcher that does not have an empty-compatible value`);
 * - with multi-tenancy (`auth_enabled: true`, the stand-in's `tenant` option) a request without
 *   `X-Scope-OrgID` gets 401 `no org id` (dskit `tenant.ErrNoTenantID`), and a tenant only sees
 *   its own streams.
 *
 * Only stream selectors are understood: a metric query or a pipeline is answered 400, so a test
 * that relies on them shows it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One stream: its labels and its lines, at epoch milliseconds. @public */
export interface LokiStream {
  labels: Record<string, string>;
  entries: { at: number; line: string }[];
  /** The tenant that pushed it; the stand-in's `tenant` when unset. */
  tenant?: string;
}

/** @public */
export interface LokiStandIn {
  url: string;
  streams: LokiStream[];
  /** Every request's path and query, in order. */
  requests: string[];
  stop(): Promise<void>;
}

type Matcher = { name: string; op: string; value: string };

/** Parses `{a="b", c=~"d"}`; throws with Loki's wording on anything else. */
export function parseSelector(selector: string): Matcher[] {
  const m = selector.trim().match(/^\{(.*)\}$/s);
  if (!m) {
    throw new Error(
      `parse error : only stream selectors are supported by the stand-in: ${selector}`,
    );
  }
  const matchers: Matcher[] = [];
  const re =
    /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/;
  let rest = m[1];
  while (rest.trim().length) {
    const found = rest.match(re);
    if (!found) {
      throw new Error(`parse error : syntax error in ${selector}`);
    }
    matchers.push({
      name: found[1],
      op: found[2],
      value: JSON.parse(`"${found[3]}"`),
    });
    rest = rest.slice(found[0].length);
  }
  const emptyCompatible = (x: Matcher) => {
    if (x.op === '=') {
      return x.value === '';
    }
    if (x.op === '=~') {
      return new RegExp(`^(?:${x.value})$`).test('');
    }
    return true;
  };
  if (matchers.every(emptyCompatible)) {
    throw new Error(
      'queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will',
    );
  }
  return matchers;
}

function matches(labels: Record<string, string>, matchers: Matcher[]) {
  return matchers.every(({ name, op, value }) => {
    const v = labels[name] ?? '';
    switch (op) {
      case '=':
        return v === value;
      case '!=':
        return v !== value;
      case '=~':
        return new RegExp(`^(?:${value})$`).test(v);
      default:
        return !new RegExp(`^(?:${value})$`).test(v);
    }
  });
}

const nsToMs = (ns: string | null, fallback: number) =>
  ns ? Number(BigInt(ns) / 1_000_000n) : fallback;

/**
 * Serves the stand-in on 127.0.0.1. With `tenant`, it behaves as a multi-tenant Loki.
 * @public
 */
export async function startLokiStandIn(
  options: {
    streams?: LokiStream[];
    tenant?: string;
  } = {},
): Promise<LokiStandIn> {
  const streams = options.streams ?? [];
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, {
        'Content-Type':
          typeof body === 'string'
            ? 'text/plain; charset=utf-8'
            : 'application/json',
      });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const orgId = req.headers['x-scope-orgid'];
    if (options.tenant && !orgId) {
      send(401, 'no org id\n');
      return;
    }
    const visible = streams.filter(
      s => !options.tenant || (s.tenant ?? options.tenant) === orgId,
    );
    const now = Date.now();
    const start = nsToMs(url.searchParams.get('start'), now - 3_600_000);
    const end = nsToMs(url.searchParams.get('end'), now);
    const inRange = (s: LokiStream) =>
      s.entries.filter(e => e.at >= start && e.at <= end);
    try {
      if (url.pathname === '/loki/api/v1/series') {
        const selectors = url.searchParams.getAll('match[]').map(parseSelector);
        send(200, {
          status: 'success',
          data: visible
            .filter(s => selectors.some(m => matches(s.labels, m)))
            .filter(s => inRange(s).length > 0)
            .map(s => s.labels),
        });
        return;
      }
      if (url.pathname === '/loki/api/v1/query_range') {
        const matchers = parseSelector(url.searchParams.get('query') ?? '');
        let limit = Number(url.searchParams.get('limit') ?? 100);
        const result = [];
        for (const s of visible.filter(x => matches(x.labels, matchers))) {
          const entries = inRange(s).slice(-limit);
          limit -= entries.length;
          if (entries.length) {
            result.push({
              stream: s.labels,
              values: entries.map(e => [
                `${BigInt(e.at) * 1_000_000n}`,
                e.line,
              ]),
            });
          }
        }
        send(200, {
          status: 'success',
          data: { resultType: 'streams', result, stats: {} },
        });
        return;
      }
    } catch (e) {
      send(400, `${(e as Error).message}\n`);
      return;
    }
    send(404, '404 page not found\n');
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    streams,
    requests,
    stop: () => new Promise<void>(r => server.close(() => r())),
  };
}
