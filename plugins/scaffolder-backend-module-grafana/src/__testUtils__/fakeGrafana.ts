/*
 * msw handlers that answer like Grafana's HTTP API for the endpoints the provisioning uses, and
 * record every request. Shapes and status codes follow Grafana's reference:
 * - folders: https://grafana.com/docs/grafana/v11.0/developers/http_api/folder/
 *   (GET /api/folders/:uid → 200 folder or 404; POST /api/folders → 200, 409 when the uid is taken)
 * - dashboards: https://grafana.com/docs/grafana/v11.0/developers/http_api/dashboard/
 *   (GET /api/dashboards/uid/:uid → { dashboard, meta } or 404; POST /api/dashboards/db → 200
 *   { id, uid, url, status, version, slug }, 412 name-exists without `overwrite`)
 * - alert rules: https://grafana.com/docs/grafana/v11.0/developers/http_api/alerting_provisioning/
 *   (GET/PUT /api/v1/provisioning/alert-rules/:uid → 200 or 404; POST → 201 with the stored rule)
 * A request without the expected bearer token gets 401 as Grafana answers it.
 *
 * And Grafana's behaviour, which the tests must meet:
 * - Folder titles are unique below one parent: a second top-level folder with a title already
 *   there (compared case-insensitively, as the database's collation does) gets 409 "a folder with
 *   the same name already exists" (grafana/grafana `pkg/api/folder_test.go` expects 409 for
 *   `dashboards.ErrFolderSameNameExists`).
 * - Grafana up to 11.x (`version: 11`, the default) keeps alert rule titles unique per folder and
 *   answers a duplicate with 400 and `ErrAlertRuleUniqueConstraintViolation`'s text
 *   (`pkg/services/ngalert/models/alert_rule.go`); 12.0 dropped the constraint (PR #102067).
 * - A stored rule comes back normalised, as `AlertQuery.PreSave`
 *   (`pkg/services/ngalert/models/alert_query.go`) stores it: `queryType` on every query,
 *   `intervalMs` 1000 and `maxDataPoints` 43200 added to every model that lacks them; plus `id`,
 *   `orgID`, `updated`, `provenance: "api"`.
 */
import { http, HttpResponse } from 'msw';

export const GRAFANA_URL = 'https://grafana.example.com';

/** One request as it reached the fake. */
export interface RecordedRequest {
  method: string;
  path: string;
  body?: any;
  authorization: string | null;
}

export interface FakeGrafanaState {
  /** Grafana's major version: 11 enforces unique rule titles per folder, 12 does not. */
  version: 11 | 12;
  folders: Map<string, { uid: string; title: string }>;
  dashboards: Map<string, { dashboard: any; folderUid: string }>;
  rules: Map<string, any>;
  requests: RecordedRequest[];
  /** Answer every request with this status instead (e.g. 403). */
  failWith?: number;
}

/** A rule as Grafana stores and returns it (see the header). */
function normalisedRule(body: any, previous: any, id: number) {
  return {
    id,
    orgID: 1,
    provenance: 'api',
    updated: '2026-12-02T02:00:00Z',
    ...body,
    data: (body.data ?? []).map((query: any) => ({
      queryType: '',
      ...query,
      model: { intervalMs: 1000, maxDataPoints: 43200, ...query.model },
    })),
    ...(previous ? { id: previous.id } : {}),
  };
}

export function createFakeGrafana(options: {
  token: string;
  version?: 11 | 12;
}) {
  const state: FakeGrafanaState = {
    version: options.version ?? 11,
    folders: new Map(),
    dashboards: new Map(),
    rules: new Map(),
    requests: [],
  };
  let nextId = 1;

  const record = async (request: Request, params: unknown) => {
    void params;
    const url = new URL(request.url);
    const text = request.method === 'GET' ? '' : await request.text();
    state.requests.push({
      method: request.method,
      path: url.pathname,
      body: text ? JSON.parse(text) : undefined,
      authorization: request.headers.get('authorization'),
    });
    if (state.failWith) {
      return HttpResponse.json(
        { message: 'Permissions needed: dashboards:create' },
        { status: state.failWith },
      );
    }
    if (request.headers.get('authorization') !== `Bearer ${options.token}`) {
      return HttpResponse.json(
        { message: 'Unauthorized', status: 'Unauthorized' },
        { status: 401 },
      );
    }
    return undefined;
  };

  /** Grafana 11's answer to a second rule with the same title in a folder. */
  const titleConflict = (body: any) => {
    if (state.version >= 12) return undefined;
    const clash = [...state.rules.values()].some(
      r =>
        r.uid !== body.uid &&
        r.folderUID === body.folderUID &&
        r.title === body.title,
    );
    return clash
      ? HttpResponse.json(
          {
            message:
              'failed to save alert rule: a conflicting alert rule is found: rule title under the same organisation and folder should be unique',
          },
          { status: 400 },
        )
      : undefined;
  };

  const api = `${GRAFANA_URL}/api`;
  const handlers = [
    http.get(`${api}/folders/:uid`, async ({ request, params }) => {
      const refused = await record(request, params);
      if (refused) return refused;
      const folder = state.folders.get(String(params.uid));
      return folder
        ? HttpResponse.json({
            id: 1,
            ...folder,
            url: `/dashboards/f/${folder.uid}/`,
          })
        : HttpResponse.json({ message: 'folder not found' }, { status: 404 });
    }),
    http.get(`${api}/folders`, async ({ request, params }) => {
      const refused = await record(request, params);
      if (refused) return refused;
      return HttpResponse.json(
        [...state.folders.values()].map((f, i) => ({ id: i + 1, ...f })),
      );
    }),
    http.post(`${api}/folders`, async ({ request, params }) => {
      const refused = await record(request, params);
      if (refused) return refused;
      const body = state.requests[state.requests.length - 1].body;
      if (state.folders.has(body.uid)) {
        return HttpResponse.json(
          { message: 'a folder with the same uid already exists' },
          { status: 409 },
        );
      }
      if (
        [...state.folders.values()].some(
          f => f.title.toLowerCase() === String(body.title).toLowerCase(),
        )
      ) {
        return HttpResponse.json(
          { message: 'a folder with the same name already exists' },
          { status: 409 },
        );
      }
      state.folders.set(body.uid, { uid: body.uid, title: body.title });
      return HttpResponse.json({
        id: nextId++,
        uid: body.uid,
        title: body.title,
      });
    }),
    http.get(`${api}/dashboards/uid/:uid`, async ({ request, params }) => {
      const refused = await record(request, params);
      if (refused) return refused;
      const stored = state.dashboards.get(String(params.uid));
      return stored
        ? HttpResponse.json({
            dashboard: stored.dashboard,
            meta: { folderUid: stored.folderUid, provisioned: false },
          })
        : HttpResponse.json(
            { message: 'Dashboard not found' },
            { status: 404 },
          );
    }),
    http.post(`${api}/dashboards/db`, async ({ request, params }) => {
      const refused = await record(request, params);
      if (refused) return refused;
      const body = state.requests[state.requests.length - 1].body;
      const uid = body.dashboard.uid;
      const existing = state.dashboards.get(uid);
      if (existing && !body.overwrite) {
        return HttpResponse.json(
          {
            message: 'A dashboard with the same uid already exists',
            status: 'name-exists',
          },
          { status: 412 },
        );
      }
      const version = (existing?.dashboard.version ?? 0) + 1;
      const id = existing?.dashboard.id ?? nextId++;
      state.dashboards.set(uid, {
        dashboard: { ...body.dashboard, id, version },
        folderUid: body.folderUid,
      });
      return HttpResponse.json({
        id,
        uid,
        url: `/d/${uid}/${body.dashboard.title}`,
        status: 'success',
        version,
        slug: body.dashboard.title,
      });
    }),
    http.get(`${api}/search`, async ({ request, params }) => {
      const refused = await record(request, params);
      if (refused) return refused;
      const tag = new URL(request.url).searchParams.get('tag');
      return HttpResponse.json(
        [...state.dashboards.values()]
          .filter(d => !tag || d.dashboard.tags?.includes(tag))
          .map(d => ({
            uid: d.dashboard.uid,
            title: d.dashboard.title,
            type: 'dash-db',
            tags: d.dashboard.tags ?? [],
            folderUid: d.folderUid,
          })),
      );
    }),
    http.delete(`${api}/dashboards/uid/:uid`, async ({ request, params }) => {
      const refused = await record(request, params);
      if (refused) return refused;
      const uid = String(params.uid);
      if (!state.dashboards.has(uid)) {
        return HttpResponse.json(
          { message: 'Dashboard not found' },
          { status: 404 },
        );
      }
      const { dashboard } = state.dashboards.get(uid)!;
      state.dashboards.delete(uid);
      return HttpResponse.json({
        title: dashboard.title,
        message: `Dashboard ${dashboard.title} deleted`,
        uid,
      });
    }),
    http.get(
      `${api}/v1/provisioning/alert-rules`,
      async ({ request, params }) => {
        const refused = await record(request, params);
        if (refused) return refused;
        return HttpResponse.json([...state.rules.values()]);
      },
    ),
    http.delete(
      `${api}/v1/provisioning/alert-rules/:uid`,
      async ({ request, params }) => {
        const refused = await record(request, params);
        if (refused) return refused;
        state.rules.delete(String(params.uid));
        return new HttpResponse(null, { status: 204 });
      },
    ),
    http.get(
      `${api}/v1/provisioning/alert-rules/:uid`,
      async ({ request, params }) => {
        const refused = await record(request, params);
        if (refused) return refused;
        const rule = state.rules.get(String(params.uid));
        return rule
          ? HttpResponse.json(rule)
          : new HttpResponse(null, { status: 404 });
      },
    ),
    http.post(
      `${api}/v1/provisioning/alert-rules`,
      async ({ request, params }) => {
        const refused = await record(request, params);
        if (refused) return refused;
        const body = state.requests[state.requests.length - 1].body;
        const conflict = titleConflict(body);
        if (conflict) return conflict;
        const stored = normalisedRule(body, undefined, nextId++);
        state.rules.set(body.uid, stored);
        return HttpResponse.json(stored, { status: 201 });
      },
    ),
    http.put(
      `${api}/v1/provisioning/alert-rules/:uid`,
      async ({ request, params }) => {
        const refused = await record(request, params);
        if (refused) return refused;
        const uid = String(params.uid);
        if (!state.rules.has(uid)) {
          return new HttpResponse(null, { status: 404 });
        }
        const body = state.requests[state.requests.length - 1].body;
        const conflict = titleConflict(body);
        if (conflict) return conflict;
        const stored = normalisedRule(body, state.rules.get(uid), 0);
        state.rules.set(uid, stored);
        return HttpResponse.json(stored);
      },
    ),
  ];
  return { state, handlers };
}

/** The requests that changed something. */
export const writes = (state: FakeGrafanaState) =>
  state.requests.filter(r => r.method !== 'GET');
