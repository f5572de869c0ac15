import { http, HttpResponse, type HttpHandler } from 'msw';

export const API = 'https://api.cloudflare.com/client/v4';

/** One part of a multipart body as it reached the API. */
export interface ReceivedPart {
  name: string;
  filename?: string;
  type: string;
  bytes: Buffer;
}

/** One request as it reached the stand-in. */
export interface ReceivedRequest {
  method: string;
  path: string;
  authorization: string | null;
  /** Parts of a multipart body, in order. */
  parts?: ReceivedPart[];
  /** A JSON body. */
  json?: unknown;
}

export interface FakeRoute {
  id: string;
  pattern: string;
  script?: string;
}

/** What the stand-in Cloudflare account holds. */
export interface FakeCloudflareState {
  token: string;
  accountId: string;
  zoneId: string;
  /** The account's workers.dev subdomain; undefined when it never registered one. */
  accountSubdomain?: string;
  scripts: Map<string, { tags: string[]; metadata: Record<string, unknown> }>;
  workersDev: Map<string, boolean>;
  routes: FakeRoute[];
  deployments: Map<string, Array<{ id: string; created_on: string }>>;
  /** Names of the account's R2 buckets, which `r2_bucket` bindings may name. */
  r2Buckets: Set<string>;
  requests: ReceivedRequest[];
}

const ok = (result: unknown) =>
  HttpResponse.json({ success: true, errors: [], messages: [], result });

/** A Cloudflare v4 error envelope. */
export const cfError = (status: number, code: number, message: string) =>
  HttpResponse.json(
    { success: false, errors: [{ code, message }], messages: [], result: null },
    { status },
  );

async function readParts(request: Request): Promise<ReceivedPart[]> {
  const form = await request.formData();
  const parts: ReceivedPart[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      parts.push({ name, type: 'text/plain', bytes: Buffer.from(value) });
    } else {
      parts.push({
        name,
        filename: value.name,
        type: value.type,
        bytes: Buffer.from(await value.arrayBuffer()),
      });
    }
  }
  return parts;
}

export function createFakeCloudflare(options: {
  token: string;
  accountId: string;
  zoneId: string;
  accountSubdomain?: string;
  r2Buckets?: string[];
}): { state: FakeCloudflareState; handlers: HttpHandler[] } {
  const state: FakeCloudflareState = {
    ...options,
    r2Buckets: new Set(options.r2Buckets ?? []),
    scripts: new Map(),
    workersDev: new Map(),
    routes: [],
    deployments: new Map(),
    requests: [],
  };
  let sequence = 0;

  const record = async (request: Request, parts?: ReceivedPart[]) => {
    const url = new URL(request.url);
    const entry: ReceivedRequest = {
      method: request.method,
      path: url.pathname.replace('/client/v4', ''),
      authorization: request.headers.get('authorization'),
      parts,
    };
    if (!parts && request.method !== 'GET' && request.method !== 'DELETE') {
      entry.json = await request
        .clone()
        .json()
        .catch(() => undefined);
    }
    state.requests.push(entry);
  };

  /** Authentication, then the account or zone the path names. */
  const guard = (
    request: Request,
    scope: { accountId?: string; zoneId?: string },
  ): Response | undefined => {
    if (request.headers.get('authorization') !== `Bearer ${state.token}`) {
      return cfError(401, 10000, 'Authentication error');
    }
    const path = new URL(request.url).pathname;
    if (scope.accountId !== undefined && scope.accountId !== state.accountId) {
      return cfError(
        404,
        7003,
        `Could not route to ${path}, perhaps your object identifier is invalid?`,
      );
    }
    if (scope.zoneId !== undefined && scope.zoneId !== state.zoneId) {
      return cfError(
        404,
        7003,
        `Could not route to ${path}, perhaps your object identifier is invalid?`,
      );
    }
    return undefined;
  };

  const deploy = (script: string) => {
    sequence += 1;
    const list = state.deployments.get(script) ?? [];
    list.push({
      id: `deployment-${sequence}`,
      created_on: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
    });
    state.deployments.set(script, list);
  };

  const scriptBase = `${API}/accounts/:accountId/workers/scripts/:script`;

  const handlers: HttpHandler[] = [
    http.put(scriptBase, async ({ request, params }) => {
      const parts = await readParts(request.clone());
      await record(request, parts);
      const denied = guard(request, { accountId: String(params.accountId) });
      if (denied) return denied;
      const metadataPart = parts.find(p => p.name === 'metadata');
      if (!metadataPart) {
        return cfError(400, 10021, 'No metadata part');
      }
      let metadata: Record<string, any>;
      try {
        metadata = JSON.parse(metadataPart.bytes.toString('utf8'));
      } catch {
        return cfError(400, 10021, 'metadata is not JSON');
      }
      const main = metadata.main_module;
      if (!parts.some(p => p.filename === main && p.name !== 'metadata')) {
        return cfError(400, 10021, `No such module: ${main}`);
      }
      // A binding to a bucket the account does not have is refused, with the message the API
      // gives (seen in cloudflare/workers-sdk#9418: "R2 bucket 'r2cache' not found ... [code: 10085]").
      for (const binding of metadata.bindings ?? []) {
        if (
          binding.type === 'r2_bucket' &&
          !state.r2Buckets.has(binding.bucket_name)
        ) {
          return cfError(
            400,
            10085,
            `R2 bucket '${binding.bucket_name}' not found. Please use a different name and try again.`,
          );
        }
      }
      const script = String(params.script);
      state.scripts.set(script, { tags: metadata.tags ?? [], metadata });
      deploy(script);
      return ok({ id: script, etag: `etag-${sequence}`, startup_time_ms: 3 });
    }),

    http.get(`${scriptBase}/script-settings`, async ({ request, params }) => {
      await record(request);
      const denied = guard(request, { accountId: String(params.accountId) });
      if (denied) return denied;
      const script = state.scripts.get(String(params.script));
      if (!script) {
        return cfError(
          404,
          10007,
          'This Worker does not exist on your account.',
        );
      }
      return ok({ tags: script.tags, logpush: false, tail_consumers: null });
    }),

    http.get(
      `${API}/accounts/:accountId/workers/subdomain`,
      async ({ request, params }) => {
        await record(request);
        const denied = guard(request, { accountId: String(params.accountId) });
        if (denied) return denied;
        if (!state.accountSubdomain) {
          return cfError(
            404,
            10007,
            'This account does not have a workers.dev subdomain.',
          );
        }
        return ok({ subdomain: state.accountSubdomain });
      },
    ),

    http.get(`${scriptBase}/subdomain`, async ({ request, params }) => {
      await record(request);
      const denied = guard(request, { accountId: String(params.accountId) });
      if (denied) return denied;
      return ok({
        enabled: state.workersDev.get(String(params.script)) ?? false,
        previews_enabled: false,
      });
    }),

    http.post(`${scriptBase}/subdomain`, async ({ request, params }) => {
      await record(request);
      const denied = guard(request, { accountId: String(params.accountId) });
      if (denied) return denied;
      const body = (await request.json()) as { enabled: boolean };
      state.workersDev.set(String(params.script), body.enabled);
      return ok({ enabled: body.enabled, previews_enabled: false });
    }),

    http.get(`${scriptBase}/deployments`, async ({ request, params }) => {
      await record(request);
      const denied = guard(request, { accountId: String(params.accountId) });
      if (denied) return denied;
      const list = state.deployments.get(String(params.script)) ?? [];
      return ok({
        deployments: [...list].reverse().map(d => ({
          ...d,
          source: 'api',
          strategy: 'percentage',
          versions: [{ percentage: 100, version_id: `${d.id}-version` }],
        })),
      });
    }),

    http.get(
      `${API}/zones/:zoneId/workers/routes`,
      async ({ request, params }) => {
        await record(request);
        const denied = guard(request, { zoneId: String(params.zoneId) });
        if (denied) return denied;
        return ok(state.routes);
      },
    ),

    http.post(
      `${API}/zones/:zoneId/workers/routes`,
      async ({ request, params }) => {
        await record(request);
        const denied = guard(request, { zoneId: String(params.zoneId) });
        if (denied) return denied;
        const body = (await request.json()) as {
          pattern: string;
          script?: string;
        };
        if (state.routes.some(r => r.pattern === body.pattern)) {
          return cfError(
            409,
            10020,
            'A route with the same pattern already exists.',
          );
        }
        sequence += 1;
        const route = {
          id: `route-${sequence}`,
          pattern: body.pattern,
          script: body.script,
        };
        state.routes.push(route);
        return ok(route);
      },
    ),

    http.put(
      `${API}/zones/:zoneId/workers/routes/:routeId`,
      async ({ request, params }) => {
        await record(request);
        const denied = guard(request, { zoneId: String(params.zoneId) });
        if (denied) return denied;
        const route = state.routes.find(r => r.id === params.routeId);
        if (!route) {
          return cfError(404, 10020, 'Route not found');
        }
        const body = (await request.json()) as {
          pattern: string;
          script?: string;
        };
        Object.assign(route, body);
        return ok(route);
      },
    ),

    // DELETE /zones/{zone_id}/workers/routes/{route_id} answers `{ id }`:
    // https://developers.cloudflare.com/api/node/resources/workers/subresources/routes/methods/delete/
    http.delete(
      `${API}/zones/:zoneId/workers/routes/:routeId`,
      async ({ request, params }) => {
        await record(request);
        const denied = guard(request, { zoneId: String(params.zoneId) });
        if (denied) return denied;
        const index = state.routes.findIndex(r => r.id === params.routeId);
        if (index < 0) {
          return cfError(404, 10020, 'Route not found');
        }
        const [route] = state.routes.splice(index, 1);
        return ok({ id: route.id });
      },
    ),
  ];

  return { state, handlers };
}
