/*
 * Azure DevOps Services behind the portal's proxy endpoint, as msw handlers for the card's tests.
 * It answers the three read calls a runs card could make the way the service does, each with the
 * reference it follows (REST 7.1, MicrosoftDocs/vsts-rest-api-specs at adb28786,
 * specification/build/7.1/build.json and specification/pipelines/7.1/pipelines.json):
 *
 * - Definitions - List filters by `name` without regard to letter case, as Azure DevOps compares
 *   names;
 * - Builds - List filters by `definitions` (comma-separated ids), sorts by `queryOrder` (one of the
 *   six values the spec lists; anything else is refused) and cuts at `$top`, with the
 *   `x-ms-continuationtoken` header when more remain. The spec states no default order, so without
 *   `queryOrder` it answers oldest first: a card that relies on an order it did not ask for shows it;
 * - Runs - List has no `$top` and no order ("Gets top 10000 runs", no query parameters besides
 *   api-version): it answers every run, oldest first, for the same reason;
 * - only `api-version=7.1` is accepted on these released routes;
 * - a refused credential is answered as Azure DevOps answers it: a JSON 401 (TF400813) when the
 *   request carries `X-TFS-FedAuthRedirect: Suppress`, otherwise its sign-in page, as a 203 with HTML
 *   or a 302 to the sign-in service (microsoft/azure-devops-auth-samples#52,
 *   MicrosoftDocs/vsts-rest-api-specs#97 and #574 for the 203; getsentry/sentry-plugins#271, "this
 *   will resolve the 302 redirects", for the redirect and the header that suppresses both).
 *
 * The proxy's side is played too: the requests reach "Azure DevOps" with the headers the proxy
 * endpoint adds (`proxyHeaders`, read by the tests from app-config.yaml), not with the browser's.
 */
import { http, HttpResponse } from 'msw';

export const PROXY_BASE =
  'http://localhost:7007/api/proxy/azure-devops' as const;
export const ORG = 'contoso';
export const PROJECT = 'Dashboards';
export const WEB = `https://dev.azure.com/${ORG}/${PROJECT}`;

export interface FakeDefinition {
  id: number;
  name: string;
}

export interface FakeBuild {
  id: number;
  definitionId: number;
  buildNumber: string;
  /** BuildStatus: `inProgress`, `completed`, `cancelling`, `postponed`, `notStarted`. */
  status: string;
  /** BuildResult: `succeeded`, `partiallySucceeded`, `failed`, `canceled`. */
  result?: string;
  queueTime: string;
}

export interface FakeAzureDevOps {
  definitions: FakeDefinition[];
  builds: FakeBuild[];
  /** Whether the proxy's credential is accepted. */
  credential: 'accepted' | 'refused';
  /** How a refused credential is answered without `X-TFS-FedAuthRedirect: Suppress`. */
  signInAnswer: 203 | 302;
  /** The headers the proxy endpoint adds to every request. */
  proxyHeaders: Record<string, string>;
  /** What reached Azure DevOps: path below `_apis/` and the query. */
  requests: { path: string; query: Record<string, string> }[];
}

const QUERY_ORDERS = {
  queueTimeDescending: (a: FakeBuild, b: FakeBuild) =>
    b.queueTime.localeCompare(a.queueTime),
  queueTimeAscending: (a: FakeBuild, b: FakeBuild) =>
    a.queueTime.localeCompare(b.queueTime),
  // The fake's builds finish and start when they are queued; enough for the order's direction.
  finishTimeDescending: (a: FakeBuild, b: FakeBuild) =>
    b.queueTime.localeCompare(a.queueTime),
  finishTimeAscending: (a: FakeBuild, b: FakeBuild) =>
    a.queueTime.localeCompare(b.queueTime),
  startTimeDescending: (a: FakeBuild, b: FakeBuild) =>
    b.queueTime.localeCompare(a.queueTime),
  startTimeAscending: (a: FakeBuild, b: FakeBuild) =>
    a.queueTime.localeCompare(b.queueTime),
} as const;

const SIGN_IN_PAGE =
  '<!DOCTYPE html><html><head><title>Azure DevOps Services | Sign In</title></head><body>Sign in to your account</body></html>';

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function vssError(status: number, message: string, typeKey: string) {
  return HttpResponse.json(
    { $id: '1', innerException: null, message, typeKey, errorCode: 0 },
    { status },
  );
}

const webLinks = (href: string) => ({ web: { href } });

function shapeBuild(build: FakeBuild, definitions: FakeDefinition[]) {
  const definition = definitions.find(d => d.id === build.definitionId)!;
  return {
    id: build.id,
    buildNumber: build.buildNumber,
    status: build.status,
    ...(build.result ? { result: build.result } : {}),
    queueTime: build.queueTime,
    definition: { id: definition.id, name: definition.name },
    sourceBranch: 'refs/heads/main',
    _links: webLinks(`${WEB}/_build/results?buildId=${build.id}`),
  };
}

/** A project with no pipelines, its credential accepted, behind the repo's proxy headers. */
export function fakeAzureDevOps(
  options: Partial<FakeAzureDevOps> = {},
): FakeAzureDevOps {
  return {
    definitions: [],
    builds: [],
    credential: 'accepted',
    signInAnswer: 203,
    proxyHeaders: {},
    requests: [],
    ...options,
  };
}

/** The msw handler that answers for `state` at the proxy endpoint. */
export function azureDevOpsHandler(state: FakeAzureDevOps) {
  return http.get(`${PROXY_BASE}/*`, ({ request }) => {
    const url = new URL(request.url);
    const headers = new Headers(state.proxyHeaders);
    const [org, project, apis, ...rest] = url.pathname
      .slice(new URL(PROXY_BASE).pathname.length + 1)
      .split('/')
      .map(decodeURIComponent);
    const path = rest.join('/');
    const query = Object.fromEntries(url.searchParams);
    state.requests.push({ path, query });

    if (state.credential === 'refused') {
      if (same(headers.get('x-tfs-fedauthredirect') ?? '', 'suppress')) {
        return vssError(
          401,
          'TF400813: The user is not authorized to access this resource.',
          'UnauthorizedRequestException',
        );
      }
      if (state.signInAnswer === 302) {
        return new HttpResponse(null, {
          status: 302,
          headers: {
            Location: `https://app.vssps.visualstudio.com/_signin?realm=dev.azure.com&reply_to=${encodeURIComponent(
              `https://dev.azure.com${url.pathname}`,
            )}`,
          },
        });
      }
      return new HttpResponse(SIGN_IN_PAGE, {
        status: 203,
        statusText: 'Non-Authoritative Information',
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
      });
    }
    if (!same(org, ORG) || !same(project, PROJECT) || apis !== '_apis') {
      return vssError(
        404,
        `TF200016: The following project does not exist: ${project}. Verify that the name of the project is correct and that the project exists on the specified Azure DevOps Server.`,
        'ProjectDoesNotExistWithNameException',
      );
    }
    if (query['api-version'] !== '7.1') {
      return vssError(
        400,
        `The requested REST API version of ${query['api-version']} is out of range for this server. The latest REST API version this server supports is 7.1.`,
        'VssVersionOutOfRangeException',
      );
    }

    // https://learn.microsoft.com/rest/api/azure/devops/build/definitions/list?view=azure-devops-rest-7.1
    if (path === 'build/definitions') {
      const value = state.definitions
        .filter(d => !query.name || same(d.name, query.name))
        .map(d => ({
          id: d.id,
          name: d.name,
          path: '\\',
          _links: webLinks(`${WEB}/_build/definition?definitionId=${d.id}`),
        }));
      return HttpResponse.json({ count: value.length, value });
    }

    // https://learn.microsoft.com/rest/api/azure/devops/build/builds/list?view=azure-devops-rest-7.1
    if (path === 'build/builds') {
      const ids = (query.definitions ?? '')
        .split(',')
        .filter(Boolean)
        .map(Number);
      const order = query.queryOrder;
      if (order !== undefined && !(order in QUERY_ORDERS)) {
        return vssError(
          400,
          `The value '${order}' is not valid for queryOrder.`,
          'ArgumentException',
        );
      }
      const builds = state.builds
        .filter(b => ids.length === 0 || ids.includes(b.definitionId))
        .sort(
          order
            ? QUERY_ORDERS[order as keyof typeof QUERY_ORDERS]
            : (a, b) => a.id - b.id,
        );
      const top = query.$top === undefined ? builds.length : Number(query.$top);
      const value = builds
        .slice(0, top)
        .map(b => shapeBuild(b, state.definitions));
      return HttpResponse.json(
        { count: value.length, value },
        {
          headers:
            builds.length > top
              ? { 'x-ms-continuationtoken': String(top) }
              : undefined,
        },
      );
    }

    // https://learn.microsoft.com/rest/api/azure/devops/pipelines/runs/list?view=azure-devops-rest-7.1
    const runs = path.match(/^pipelines\/(\d+)\/runs$/);
    if (runs) {
      const id = Number(runs[1]);
      if (!state.definitions.some(d => d.id === id)) {
        return vssError(
          404,
          `Pipeline with id ${id} does not exist or you do not have permission to access it.`,
          'PipelineNotFoundException',
        );
      }
      const value = state.builds
        .filter(b => b.definitionId === id)
        .sort((a, b) => a.id - b.id)
        .map(b => ({
          id: b.id,
          name: b.buildNumber,
          state: b.status === 'completed' ? 'completed' : 'inProgress',
          ...(b.result ? { result: b.result } : {}),
          createdDate: b.queueTime,
          _links: webLinks(`${WEB}/_build/results?buildId=${b.id}`),
        }));
      return HttpResponse.json({ count: value.length, value });
    }
    return vssError(
      404,
      `The resource ${path} does not exist.`,
      'VssResourceNotFoundException',
    );
  });
}
