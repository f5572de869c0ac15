import { CallContext, describeAzureDevOpsError, Identity } from './errors';

/**
 * The REST versions the calls use, as the 7.1 specification publishes each operation
 * (MicrosoftDocs/vsts-rest-api-specs, `specification/<area>/7.1/*.json`, `x-ms-docs-override-version`
 * and `x-ms-preview`): pipelines, runs, build definitions, repositories, policies, environments and
 * service endpoints are released at 7.1; pipeline permissions, check configurations and definition
 * tags exist only as 7.1 previews (`approvalsAndChecks/7.1/pipelinePermissions.json`, `pipelinesChecks.json`).
 */
export const API_VERSIONS = {
  pipelines: '7.1',
  build: '7.1',
  git: '7.1',
  policy: '7.1',
  gitPolicy: '7.1',
  environments: '7.1',
  endpoints: '7.1',
  permissions: '7.1-preview.1',
  checks: '7.1-preview.1',
  // Build definition tags exist only as previews in 7.1 (`build/7.1/build.json`, Tags - Get
  // Definition Tags and Tags - Add Definition Tags: `7.1-preview.3`).
  definitionTags: '7.1-preview.3',
} as const;

/** How long one request may take before it is given up (Azure DevOps answers in well under this). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** How often a throttled (429) or unavailable (503) call is retried, waiting as `Retry-After` says. */
export const MAX_RETRIES = 3;
/** The longest `Retry-After` the client waits; a longer one fails the call with the throttling message. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Where a client sends its calls and how it signs them. */
export interface AzureDevOpsClientOptions {
  /** The API's base URL, `https://dev.azure.com` for Azure DevOps Services. */
  baseUrl: string;
  organization: string;
  project: string;
  /** The `Authorization` header value; never logged. */
  authorization: string;
  /** Whose token the header carries, for the messages. */
  identity: Identity;
  /** Replaced in tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
  /** Waits between retries; replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
  timeoutMs?: number;
}

/** One call: what it does (for errors), where, and with what. */
export interface AzureDevOpsRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** Path below `{organization}/{project}/_apis/`. */
  path: string;
  apiVersion: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  context: Pick<CallContext, 'operation' | 'scope' | 'role'>;
}

const sleepFor = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/** `Retry-After` as seconds or an HTTP date, in milliseconds; 0 when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (!header) {
    return 0;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds)) {
    return Math.max(0, seconds * 1000);
  }
  const date = Date.parse(header);
  return Number.isNaN(date) ? 0 : Math.max(0, date - now);
}

/**
 * A small client for the project-scoped Azure DevOps REST API. It sends JSON, signs every call
 * with the one header it was given, asks Azure DevOps to answer a refused credential with 401 rather
 * than its sign-in page, gives up a call after a timeout, retries throttling as `Retry-After` says,
 * and turns any other non-2xx answer into an error that names the object, the identity, the status
 * and Azure DevOps' own message.
 */
export class AzureDevOpsClient {
  private readonly options: AzureDevOpsClientOptions;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: AzureDevOpsClientOptions) {
    this.options = options;
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? sleepFor;
  }

  get organization(): string {
    return this.options.organization;
  }

  get project(): string {
    return this.options.project;
  }

  get identity(): Identity {
    return this.options.identity;
  }

  /** The web address of something in the project, e.g. `_build?definitionId=7`. */
  webUrl(path: string): string {
    return `${this.projectUrl()}/${path}`;
  }

  /** Sends one call and returns its parsed JSON body (undefined for an empty body). */
  async request<T>(req: AzureDevOpsRequest): Promise<T> {
    return (await this.send<T>(req)).body;
  }

  /**
   * Sends a list call and follows its continuation tokens (the `x-ms-continuationtoken` response
   * header, passed back as `continuationToken`, as the 7.1 spec pages these lists), returning
   * every page's `value` in one list.
   */
  async requestAll<T>(req: AzureDevOpsRequest): Promise<{ value: T[] }> {
    const value: T[] = [];
    let continuationToken: string | undefined;
    for (let page = 0; page < 100; page++) {
      const { body, continuation } = await this.send<{ value?: T[] }>({
        ...req,
        query: { ...req.query, continuationToken },
      });
      value.push(...(body?.value ?? []));
      if (!continuation || continuation === continuationToken) {
        return { value };
      }
      continuationToken = continuation;
    }
    throw new Error(
      `Azure DevOps kept answering more pages when trying to ${req.context.operation}; stopped after 100.`,
    );
  }

  private async send<T>(
    req: AzureDevOpsRequest,
  ): Promise<{ body: T; continuation?: string }> {
    const url = new URL(`${this.projectUrl()}/_apis/${req.path}`);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) {
        url.searchParams.set(key, value);
      }
    }
    url.searchParams.set('api-version', req.apiVersion);
    const ctx: CallContext = {
      ...req.context,
      organization: this.options.organization,
      project: this.options.project,
      identity: this.options.identity,
    };
    const timeoutMs = this.options.timeoutMs ?? REQUEST_TIMEOUT_MS;

    for (let attempt = 0; ; attempt++) {
      let response: Response;
      let text: string;
      try {
        response = await this.fetchImpl(url, {
          method: req.method,
          headers: {
            Accept: 'application/json',
            Authorization: this.options.authorization,
            // Without it, a refused credential is answered with the sign-in page (203 or a 302).
            'X-TFS-FedAuthRedirect': 'Suppress',
            ...(req.body === undefined
              ? {}
              : { 'Content-Type': 'application/json' }),
          },
          body: req.body === undefined ? undefined : JSON.stringify(req.body),
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.text();
      } catch (e) {
        const reason =
          (e as Error)?.name === 'TimeoutError'
            ? `got no answer within ${timeoutMs / 1000} s`
            : `could not be reached (${(e as Error)?.message ?? e})`;
        throw new Error(
          `Azure DevOps ${reason} when trying to ${ctx.operation} in project '${ctx.project}' of organization ` +
            `'${ctx.organization}'; check the network path to ${this.options.baseUrl} and try again.`,
        );
      }
      const { status } = response;
      if ((status === 429 || status === 503) && attempt < MAX_RETRIES) {
        const wait = retryAfterMs(response.headers.get('retry-after'));
        if (wait <= MAX_RETRY_AFTER_MS) {
          // Without Retry-After, back off 1, 2, 4 s.
          await this.sleep(wait || 1000 * 2 ** attempt);
          continue;
        }
      }
      // Some routes still answer a refused credential with the sign-in page: 203 with HTML, or a
      // redirect to it (never followed: `redirect: 'manual'`).
      const contentType = response.headers.get('content-type') ?? '';
      if (
        status === 203 ||
        (status >= 300 && status < 400) ||
        (status >= 200 && status < 300 && /text\/html/i.test(contentType))
      ) {
        throw describeAzureDevOpsError(status, text, ctx, {
          signInPage: true,
        });
      }
      if (status < 200 || status >= 300) {
        throw describeAzureDevOpsError(status, text, ctx);
      }
      const continuation =
        response.headers.get('x-ms-continuationtoken') ?? undefined;
      if (!text) {
        return { body: undefined as T, continuation };
      }
      try {
        return { body: JSON.parse(text) as T, continuation };
      } catch {
        throw new Error(
          `Azure DevOps answered ${status} with a body that is not JSON when trying to ${ctx.operation} in project ` +
            `'${ctx.project}' of organization '${ctx.organization}'; is azurePipelines.apiBaseUrl (${this.options.baseUrl}) the REST API?`,
        );
      }
    }
  }

  private projectUrl(): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    return `${base}/${encodeURIComponent(
      this.options.organization,
    )}/${encodeURIComponent(this.options.project)}`;
  }
}
