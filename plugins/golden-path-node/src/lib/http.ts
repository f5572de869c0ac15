/** A read-only HTTP endpoint the checks query: its base URL and the header it is read with. */
export interface Endpoint {
  url: string;
  /** `Authorization` value; never logged or returned. */
  authorization?: string;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** GETs `path` below the endpoint and parses JSON; an error that names the service and the status. */
export async function getJson<T>(
  endpoint: Endpoint,
  service: string,
  path: string,
  query: Record<string, string> = {},
): Promise<T> {
  const url = new URL(`${endpoint.url.replace(/\/+$/, '')}${path}`);
  for (const [k, v] of Object.entries(query)) {
    url.searchParams.set(k, v);
  }
  let res: Response;
  try {
    res = await (endpoint.fetch ?? fetch)(url, {
      headers: {
        Accept: 'application/json',
        ...endpoint.headers,
        ...(endpoint.authorization
          ? { Authorization: endpoint.authorization }
          : {}),
      },
      signal: AbortSignal.timeout(endpoint.timeoutMs ?? 15_000),
    });
  } catch (e) {
    throw new Error(
      `${service} at ${endpoint.url} could not be reached: ${
        (e as Error).message
      }`,
    );
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) {
    // A multi-tenant Loki answers a request without X-Scope-OrgID `401 no org id` (dskit
    // tenant.ErrNoTenantID): that is a missing tenant, not a bad token.
    if (/no org id/i.test(text)) {
      throw new Error(
        `${service} at ${
          endpoint.url
        } is multi-tenant and the portal sent no tenant (${
          res.status
        } ${text.trim()}); set goldenPath.loki.tenant to the tenant your log agent pushes with.`,
      );
    }
    throw new Error(
      `${service} refused the portal's credential (${res.status}); check the token configured for it.`,
    );
  }
  if (!res.ok) {
    throw new Error(
      `${service} answered ${res.status} for ${url.pathname}: ${text.slice(
        0,
        300,
      )}`,
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(
      `${service} answered ${url.pathname} with a body that is not JSON; is ${endpoint.url} its API?`,
    );
  }
}
