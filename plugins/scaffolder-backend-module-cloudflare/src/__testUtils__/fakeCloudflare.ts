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
  /** The `cf-r2-jurisdiction` header, when the request carried one. */
  r2Jurisdiction?: string;
}

/** A permission the stand-in's token may lack, by what it reads. */
export type FakePermission = 'billing' | 'zone' | 'zoneSettings' | 'r2';

/** An R2 bucket: names are unique within a jurisdiction, not across them. */
export interface FakeBucket {
  name: string;
  /** `default` for a bucket outside any jurisdiction. */
  jurisdiction: 'default' | 'eu' | 'fedramp' | 'fedramp-high';
}

export interface FakeRoute {
  id: string;
  pattern: string;
  script?: string | null;
}

/** A Custom Domain: https://developers.cloudflare.com/api/resources/workers/subresources/domains/methods/list/ */
export interface FakeDomain {
  id: string;
  hostname: string;
  service: string;
  zone_id: string;
  zone_name: string;
  environment: string;
}

/** One version of a script, as `GET .../versions/{version_id}` returns it (secrets with their text kept here only). */
export interface FakeVersion {
  id: string;
  number: number;
  annotations: Record<string, string>;
  metadata: Record<string, unknown>;
  bindings: Array<Record<string, any>>;
}

/** A script: its tags (script-level settings) and its versions. */
export interface FakeScript {
  tags: string[];
  /** The metadata of the last upload. */
  metadata: Record<string, unknown>;
  versions: FakeVersion[];
}

/** What the stand-in Cloudflare account holds. */
export interface FakeCloudflareState {
  token: string;
  accountId: string;
  /** The account's name, as "List Accounts" answers it. */
  accountName: string;
  /** More accounts the token reaches (only listed; the other calls serve `accountId`). */
  otherAccounts: Array<{ id: string; name: string }>;
  zoneId: string;
  /** The zone's name (`example.com`); a route must be on a host of it. */
  zoneName: string;
  /** The account's workers.dev subdomain; undefined when it never registered one. */
  accountSubdomain?: string;
  scripts: Map<string, FakeScript>;
  workersDev: Map<string, boolean>;
  routes: FakeRoute[];
  domains: FakeDomain[];
  /** Per script, newest last; each serves one version at 100 %. */
  deployments: Map<
    string,
    Array<{
      id: string;
      created_on: string;
      version_id: string;
      source: string;
    }>
  >;
  /**
   * Deploys a new version the way `wrangler deploy`, `wrangler secret put` or a dashboard edit
   * does: the bindings change, the script's tags stay, and the version has no `workers/tag`.
   */
  deployOutside: (
    script: string,
    change: (
      bindings: Array<Record<string, any>>,
    ) => Array<Record<string, any>>,
  ) => void;
  /** The account's R2 buckets, which `r2_bucket` bindings may name. */
  r2Buckets: FakeBucket[];
  /** The account's Workers plan, as its subscriptions list it. */
  workersPlan: 'free' | 'paid';
  /** The zone setting `transformations`; undefined: the zone has no such setting (404). */
  transformations?: 'on' | 'off' | 'open';
  /** The zone setting `transformations_allowed_origins`; undefined: never set (404). */
  transformationsAllowedOrigins?: string;
  /** Permissions the token lacks: those reads answer 403. */
  denied: Set<FakePermission>;
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
  /** Default `example.com`. */
  zoneName?: string;
  accountSubdomain?: string;
  /** Names (default jurisdiction), or buckets with their jurisdiction. */
  r2Buckets?: Array<string | FakeBucket>;
  /** Default `paid`. */
  workersPlan?: 'free' | 'paid';
  /** Default `on`; `null` for a zone without the setting. */
  transformations?: 'on' | 'off' | 'open' | null;
  /** Default unset (only the zone's own hosts). */
  transformationsAllowedOrigins?: string;
  denied?: FakePermission[];
  /** Default `Acme`. */
  accountName?: string;
  otherAccounts?: Array<{ id: string; name: string }>;
}): { state: FakeCloudflareState; handlers: HttpHandler[] } {
  const state: FakeCloudflareState = {
    ...options,
    accountName: options.accountName ?? 'Acme',
    otherAccounts: options.otherAccounts ?? [],
    zoneName: options.zoneName ?? 'example.com',
    r2Buckets: (options.r2Buckets ?? []).map(b =>
      typeof b === 'string' ? { name: b, jurisdiction: 'default' } : b,
    ),
    workersPlan: options.workersPlan ?? 'paid',
    transformations:
      options.transformations === null
        ? undefined
        : options.transformations ?? 'on',
    transformationsAllowedOrigins: options.transformationsAllowedOrigins,
    denied: new Set(options.denied ?? []),
    scripts: new Map(),
    workersDev: new Map(),
    routes: [],
    domains: [],
    deployments: new Map(),
    requests: [],
    deployOutside: () => {
      throw new Error('set below');
    },
  };
  let sequence = 0;
  const hex32 = (n: number) => n.toString(16).padStart(32, '0');

  const record = async (request: Request, parts?: ReceivedPart[]) => {
    const url = new URL(request.url);
    const entry: ReceivedRequest = {
      method: request.method,
      path: url.pathname.replace('/client/v4', ''),
      authorization: request.headers.get('authorization'),
      parts,
    };
    const jurisdiction = request.headers.get('cf-r2-jurisdiction');
    if (jurisdiction) {
      entry.r2Jurisdiction = jurisdiction;
    }
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

  /**
   * A token without the permission a read needs: 403 with code 10000, "Authentication error", as
   * the API answers a token that lacks a permission (cloudflare/terraform-provider-cloudflare#1533:
   * "HTTP status 403: Authentication error (10000)" for a token missing one).
   */
  const lacks = (permission: FakePermission): Response | undefined =>
    state.denied.has(permission)
      ? cfError(403, 10000, 'Authentication error')
      : undefined;

  /** A new version, deployed at once to 100 % (what an upload through `PUT .../scripts/{name}` does). */
  const addVersion = (
    script: string,
    version: Omit<FakeVersion, 'id' | 'number'>,
  ) => {
    sequence += 1;
    const entry = state.scripts.get(script)!;
    const created: FakeVersion = {
      id: `version-${sequence}`,
      number: entry.versions.length + 1,
      ...version,
    };
    entry.versions.push(created);
    const list = state.deployments.get(script) ?? [];
    list.push({
      id: `deployment-${sequence}`,
      created_on: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)).toISOString(),
      version_id: created.id,
      source: String(version.metadata.source ?? 'api'),
    });
    state.deployments.set(script, list);
    return created;
  };

  state.deployOutside = (script, change) => {
    const current = state.scripts.get(script)!;
    const last = current.versions[current.versions.length - 1];
    addVersion(script, {
      annotations: { 'workers/triggered_by': 'secret' },
      metadata: { ...last?.metadata, source: 'wrangler' },
      bindings: change([...(last?.bindings ?? [])]),
    });
  };

  /** The documented tag limits (count, characters) the stand-in enforces, cited in lib/ownership.ts. */
  const tagProblem = (tags: unknown): Response | undefined => {
    if (!Array.isArray(tags)) return undefined;
    if (tags.length > 8) {
      return cfError(400, 10021, 'A script may have at most 8 tags');
    }
    if (tags.some(t => typeof t !== 'string' || /[,&]/.test(t))) {
      return cfError(400, 10021, 'Tags may not contain "," or "&"');
    }
    return undefined;
  };

  const notFound = () =>
    cfError(404, 10007, 'This Worker does not exist on your account.');

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
      // `limits.cpu_ms`, as the Workers limits page documents it: Workers Free has 10 ms of CPU
      // per HTTP request, Workers Paid 30 seconds by default and at most 5 minutes, "On the
      // Workers Paid plan, you can increase the maximum CPU time from the default 30 seconds to 5
      // minutes (300,000 ms)" (https://developers.cloudflare.com/workers/platform/limits/#cpu-time,
      // read 2026-12-07). The page gives no lower bound, nor the code and message of a refusal:
      // a whole number of at least 1 ms is assumed, and 10021 with these messages.
      const cpuMs = metadata.limits?.cpu_ms;
      if (cpuMs !== undefined) {
        if (!Number.isInteger(cpuMs) || cpuMs < 1 || cpuMs > 300_000) {
          return cfError(
            400,
            10021,
            `limits.cpu_ms must be a whole number of milliseconds up to 300000, got ${cpuMs}`,
          );
        }
        if (state.workersPlan !== 'paid') {
          return cfError(
            400,
            10021,
            'limits.cpu_ms can only be set on the Workers Paid plan',
          );
        }
      }
      // A binding to a bucket the account does not have is refused, with the message the API
      // gives (seen in cloudflare/workers-sdk#9418: "R2 bucket 'r2cache' not found ... [code: 10085]").
      // A bucket in a jurisdiction is found only when the binding names that jurisdiction
      // (`jurisdiction` of the r2_bucket binding, SDK ScriptUpdateParams).
      for (const binding of metadata.bindings ?? []) {
        if (
          binding.type === 'r2_bucket' &&
          !state.r2Buckets.some(
            b =>
              b.name === binding.bucket_name &&
              b.jurisdiction === (binding.jurisdiction ?? 'default'),
          )
        ) {
          return cfError(
            400,
            10085,
            `R2 bucket '${binding.bucket_name}' not found. Please use a different name and try again.`,
          );
        }
      }
      const denied2 = tagProblem(metadata.tags);
      if (denied2) return denied2;
      const script = String(params.script);
      const existing = state.scripts.get(script);
      // `keep_bindings`: "List of binding types to keep from previous_upload"
      // (https://developers.cloudflare.com/workers/configuration/multipart-upload-metadata/).
      const previous = existing?.versions[existing.versions.length - 1];
      const given: Array<Record<string, any>> = metadata.bindings ?? [];
      const kept = (previous?.bindings ?? []).filter(
        b =>
          (metadata.keep_bindings ?? []).includes(b.type) &&
          !given.some(g => g.name === b.name),
      );
      // An upload without `tags` keeps the tags the script has: the docs do not say; the README
      // lists it among what one real call would settle (the action always sends its tags).
      const entry: FakeScript = existing ?? {
        tags: [],
        metadata: {},
        versions: [],
      };
      entry.tags = metadata.tags ?? entry.tags;
      entry.metadata = metadata;
      state.scripts.set(script, entry);
      addVersion(script, {
        annotations: {
          ...(metadata.annotations ?? {}),
          'workers/triggered_by': 'upload',
        },
        metadata: { source: 'api' },
        bindings: [...given, ...kept],
      });
      return ok({ id: script, etag: `etag-${sequence}`, startup_time_ms: 3 });
    }),

    // "Create Worker" claims a name: a second create of the same name is refused. The docs give
    // no status or code for that case; 409 is assumed (README, "Not run against Cloudflare").
    // https://developers.cloudflare.com/api/resources/workers/subresources/beta/subresources/workers/methods/create/
    http.post(
      `${API}/accounts/:accountId/workers/workers`,
      async ({ request, params }) => {
        await record(request);
        const denied = guard(request, { accountId: String(params.accountId) });
        if (denied) return denied;
        const body = (await request.json()) as {
          name: string;
          tags?: string[];
        };
        const denied2 = tagProblem(body.tags);
        if (denied2) return denied2;
        if (state.scripts.has(body.name)) {
          return cfError(
            409,
            10008,
            `A Worker named '${body.name}' already exists.`,
          );
        }
        sequence += 1;
        state.scripts.set(body.name, {
          tags: body.tags ?? [],
          metadata: {},
          versions: [],
        });
        return ok({
          id: hex32(sequence),
          name: body.name,
          tags: body.tags ?? [],
          created_on: new Date().toISOString(),
        });
      },
    ),

    // PATCH .../script-settings replaces the settings it is given, here `tags`:
    // https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/settings/methods/edit/
    http.patch(`${scriptBase}/script-settings`, async ({ request, params }) => {
      await record(request);
      const denied = guard(request, { accountId: String(params.accountId) });
      if (denied) return denied;
      const script = state.scripts.get(String(params.script));
      if (!script) return notFound();
      const body = (await request.json()) as { tags?: string[] };
      const denied2 = tagProblem(body.tags);
      if (denied2) return denied2;
      if (body.tags !== undefined) {
        script.tags = body.tags ?? [];
      }
      return ok({ tags: script.tags, logpush: false, tail_consumers: null });
    }),

    // GET .../versions/{version_id}: secret bindings come back with their name and type only.
    // https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/versions/methods/get/
    http.get(
      `${scriptBase}/versions/:versionId`,
      async ({ request, params }) => {
        await record(request);
        const denied = guard(request, { accountId: String(params.accountId) });
        if (denied) return denied;
        const version = state.scripts
          .get(String(params.script))
          ?.versions.find(v => v.id === params.versionId);
        if (!version) {
          return cfError(404, 10007, 'Version not found');
        }
        return ok({
          id: version.id,
          number: version.number,
          metadata: version.metadata,
          annotations: version.annotations,
          resources: {
            bindings: version.bindings.map(b =>
              b.type === 'secret_text' ? { type: b.type, name: b.name } : b,
            ),
          },
        });
      },
    ),

    // GET /accounts/{account_id}/workers/domains:
    // https://developers.cloudflare.com/api/resources/workers/subresources/domains/methods/list/
    http.get(
      `${API}/accounts/:accountId/workers/domains`,
      async ({ request, params }) => {
        await record(request);
        const denied = guard(request, { accountId: String(params.accountId) });
        if (denied) return denied;
        return ok(state.domains);
      },
    ),

    http.get(`${scriptBase}/script-settings`, async ({ request, params }) => {
      await record(request);
      const denied = guard(request, { accountId: String(params.accountId) });
      if (denied) return denied;
      const script = state.scripts.get(String(params.script));
      if (!script) return notFound();
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
      if (!state.scripts.has(String(params.script))) return notFound();
      // "The first deployment in the list is the latest deployment actively serving traffic":
      // https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/deployments/methods/list/
      const list = state.deployments.get(String(params.script)) ?? [];
      return ok({
        deployments: [...list].reverse().map(d => ({
          id: d.id,
          created_on: d.created_on,
          source: d.source,
          strategy: 'percentage',
          versions: [{ percentage: 100, version_id: d.version_id }],
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
        // Host matching is case-insensitive for routes created since 15 October 2023:
        // https://developers.cloudflare.com/workers/configuration/routing/routes/
        const same = (p: string) =>
          p.replace(/^https?:\/\//i, '').toLowerCase();
        // "Route patterns must include your zone" (same page): the host is the zone or below it.
        const host = same(body.pattern)
          .split('/')[0]
          .replace(/^\*\.?/, '');
        if (host !== state.zoneName && !host.endsWith(`.${state.zoneName}`)) {
          return cfError(
            400,
            10022,
            `The route pattern ${body.pattern} is not on the zone ${state.zoneName}.`,
          );
        }
        if (state.routes.some(r => same(r.pattern) === same(body.pattern))) {
          return cfError(
            409,
            10020,
            'A route with the same pattern already exists.',
          );
        }
        sequence += 1;
        const route = {
          id: hex32(sequence),
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

    // "List Subscriptions", GET /accounts/{account_id}/subscriptions: a single page of
    // `Shared.Subscription` (SDK `accounts.subscriptions.get`, SubscriptionsSinglePage), Billing
    // Read needed. Workers Paid is the rate plan `workers_paid`, which the SDK's RatePlan.id enum
    // does not list (README, "Not run against Cloudflare").
    http.get(
      `${API}/accounts/:accountId/subscriptions`,
      async ({ request, params }) => {
        await record(request);
        const denied =
          guard(request, { accountId: String(params.accountId) }) ??
          lacks('billing');
        if (denied) return denied;
        const workers =
          state.workersPlan === 'paid'
            ? [
                {
                  id: 'a'.repeat(32),
                  currency: 'USD',
                  frequency: 'monthly',
                  price: 5,
                  state: 'Paid',
                  rate_plan: {
                    id: 'workers_paid',
                    public_name: 'Workers Paid',
                    scope: 'account',
                    externally_managed: false,
                  },
                },
              ]
            : [];
        return ok(workers);
      },
    ),

    // "Zone Details", GET /zones/{zone_id}: the zone with its `name` (Zone Read):
    // https://developers.cloudflare.com/api/resources/zones/methods/get/
    http.get(`${API}/zones/:zoneId`, async ({ request, params }) => {
      await record(request);
      const denied =
        guard(request, { zoneId: String(params.zoneId) }) ?? lacks('zone');
      if (denied) return denied;
      return ok({
        id: state.zoneId,
        name: state.zoneName,
        status: 'active',
        account: { id: state.accountId, name: state.accountName },
      });
    }),

    // "Get zone setting", GET /zones/{zone_id}/settings/{setting_id} answers `{ id, value,
    // editable, modified_on }` (SDK zones.settings.get; `transformations` is on/off/open,
    // `transformations_allowed_origins` a comma-separated list or `*`:
    // https://developers.cloudflare.com/api/resources/zones/subresources/transformations_allowed_origins/).
    // Zone Settings Read needed. A setting the zone does not have answers 404 (assumed code 1006;
    // README, "Not run against Cloudflare").
    http.get(
      `${API}/zones/:zoneId/settings/:setting`,
      async ({ request, params }) => {
        await record(request);
        const denied =
          guard(request, { zoneId: String(params.zoneId) }) ??
          lacks('zoneSettings');
        if (denied) return denied;
        const values: Record<string, string | undefined> = {
          transformations: state.transformations,
          transformations_allowed_origins: state.transformationsAllowedOrigins,
        };
        const value = values[String(params.setting)];
        if (value === undefined) {
          return cfError(404, 1006, 'Unrecognized zone setting name');
        }
        return ok({
          id: params.setting,
          value,
          editable: true,
          modified_on: '2026-01-01T00:00:00Z',
        });
      },
    ),

    // "Get Bucket", GET /accounts/{account_id}/r2/buckets/{bucket_name}: a bucket of a
    // jurisdiction is found only with the `cf-r2-jurisdiction` header naming it (the SDK's
    // r2.buckets.get sends it; https://developers.cloudflare.com/r2/reference/data-location/#jurisdictional-restrictions).
    // A missing bucket is 404 with 10006, NoSuchBucket (https://developers.cloudflare.com/r2/api/error-codes/).
    http.get(
      `${API}/accounts/:accountId/r2/buckets/:bucket`,
      async ({ request, params }) => {
        await record(request);
        const denied =
          guard(request, { accountId: String(params.accountId) }) ??
          lacks('r2');
        if (denied) return denied;
        const jurisdiction =
          request.headers.get('cf-r2-jurisdiction') ?? 'default';
        const bucket = state.r2Buckets.find(
          b => b.name === params.bucket && b.jurisdiction === jurisdiction,
        );
        if (!bucket) {
          return cfError(404, 10006, 'The specified bucket does not exist.');
        }
        return ok({
          name: bucket.name,
          creation_date: '2026-01-01T00:00:00Z',
          location: 'weur',
          jurisdiction: bucket.jurisdiction,
          storage_class: 'Standard',
        });
      },
    ),

    // GET /accounts ("List Accounts"): the accounts the token has access to, paged by `page`
    // (from 1) and `per_page` (5 to 50, default 20), with `result_info` { page, per_page, count,
    // total_count }; a page past the end is empty:
    // https://developers.cloudflare.com/api/resources/accounts/methods/list/
    http.get(`${API}/accounts`, async ({ request }) => {
      await record(request);
      const denied = guard(request, {});
      if (denied) return denied;
      const query = new URL(request.url).searchParams;
      const page = Number(query.get('page') ?? 1);
      const perPage = Number(query.get('per_page') ?? 20);
      if (!Number.isInteger(page) || page < 1) {
        return cfError(400, 1001, 'page must be a positive integer');
      }
      if (!Number.isInteger(perPage) || perPage < 5 || perPage > 50) {
        return cfError(400, 1001, 'per_page must be between 5 and 50');
      }
      const all = [
        { id: state.accountId, name: state.accountName },
        ...state.otherAccounts,
      ];
      const result = all.slice((page - 1) * perPage, page * perPage);
      return HttpResponse.json({
        success: true,
        errors: [],
        messages: [],
        result: result.map(a => ({
          ...a,
          type: 'standard',
          settings: { enforce_twofactor: false },
          created_on: '2026-01-01T00:00:00Z',
        })),
        result_info: {
          page,
          per_page: perPage,
          count: result.length,
          total_count: all.length,
        },
      });
    }),
  ];

  return { state, handlers };
}
