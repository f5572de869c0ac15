import { CallContext, describeAzureDevOpsError } from './errors';

/**
 * The REST versions the calls use. Pipelines, runs, build definitions, repositories and policies
 * are released at 7.1; the environment, service-endpoint and pipeline-permission areas were only
 * published as previews of 7.1, so the reference pages name `7.1-preview.N` for them.
 */
export const API_VERSIONS = {
  pipelines: '7.1',
  build: '7.1',
  git: '7.1',
  policy: '7.1',
  gitPolicy: '7.1-preview.1',
  environments: '7.1-preview.1',
  endpoints: '7.1-preview.4',
  permissions: '7.1-preview.1',
} as const;

/** Where a client sends its calls and how it signs them. */
export interface AzureDevOpsClientOptions {
  /** The API's base URL, `https://dev.azure.com` for Azure DevOps Services. */
  baseUrl: string;
  organization: string;
  project: string;
  /** The `Authorization` header value; never logged. */
  authorization: string;
  /** Replaced in tests; the global `fetch` otherwise. */
  fetch?: typeof fetch;
}

/** One call: what it does (for errors), where, and with what. */
export interface AzureDevOpsRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** Path below `{organization}/{project}/_apis/`. */
  path: string;
  apiVersion: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  context: Pick<CallContext, 'operation' | 'scope'>;
}

/**
 * A small client for the project-scoped Azure DevOps REST API. It sends JSON, signs every call
 * with the one header it was given, and turns any non-2xx answer into an error that names the
 * object, the status and Azure DevOps' own message.
 */
export class AzureDevOpsClient {
  private readonly options: AzureDevOpsClientOptions;
  private readonly fetchImpl: typeof fetch;

  constructor(options: AzureDevOpsClientOptions) {
    this.options = options;
    this.fetchImpl = options.fetch ?? fetch;
  }

  get organization(): string {
    return this.options.organization;
  }

  get project(): string {
    return this.options.project;
  }

  /** The web address of something in the project, e.g. `_build?definitionId=7`. */
  webUrl(path: string): string {
    return `${this.projectUrl()}/${path}`;
  }

  /** Sends one call and returns its parsed JSON body (undefined for an empty body). */
  async request<T>(req: AzureDevOpsRequest): Promise<T> {
    const url = new URL(`${this.projectUrl()}/_apis/${req.path}`);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) {
        url.searchParams.set(key, value);
      }
    }
    url.searchParams.set('api-version', req.apiVersion);
    const response = await this.fetchImpl(url, {
      method: req.method,
      headers: {
        Accept: 'application/json',
        Authorization: this.options.authorization,
        ...(req.body === undefined
          ? {}
          : { 'Content-Type': 'application/json' }),
      },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      redirect: 'manual',
    });
    const text = await response.text();
    // Azure DevOps answers a bad or missing credential on some routes with a redirect to its
    // sign-in page (203 or 302) instead of 401; treat those as 401 so the message says so.
    const status =
      response.status === 203 ||
      (response.status >= 300 && response.status < 400)
        ? 401
        : response.status;
    if (status < 200 || status >= 300) {
      throw describeAzureDevOpsError(status, text, {
        ...req.context,
        organization: this.options.organization,
        project: this.options.project,
      });
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  private projectUrl(): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    return `${base}/${encodeURIComponent(
      this.options.organization,
    )}/${encodeURIComponent(this.options.project)}`;
  }
}
