import type { PipelineRef } from './annotations';

/**
 * The variable that holds the proxy endpoint's `Authorization` header (app-config.production.yaml,
 * `proxy.endpoints['/azure-devops'].headers`): the identity every read of the card uses.
 */
export const READ_TOKEN_VARIABLE = 'AZURE_DEVOPS_READ_AUTHORIZATION';

/**
 * The PAT scope the card's calls need: `vso.build` is the only scope Definitions - List and
 * Builds - List name (specification/build/7.1/build.json, `security`), "Build (Read)" in the
 * token dialog.
 */
export const READ_SCOPE = 'Build (Read)';

/** How Azure DevOps turned the request away, in the words the card uses. */
export type Refusal =
  | { kind: 'unauthorized'; status: 401 | 403; said?: string }
  | { kind: 'sign-in-page'; status: number; contentType: string }
  | { kind: 'redirect'; status: number };

/**
 * Recognises Azure DevOps' answers to a credential it does not accept, before anything tries to
 * read them as JSON: a 401 or 403 (what it sends when asked with `X-TFS-FedAuthRedirect:
 * Suppress`, and for a PAT without the scope), its HTML sign-in page (203 Non-Authoritative, or a
 * 200 that is not JSON), or a redirect to the sign-in service. The redirect is never followed
 * (`redirect: 'manual'`): in a browser it is an opaque-redirect response, type `opaqueredirect` and
 * status 0 (https://fetch.spec.whatwg.org/#concept-filtered-response-opaque-redirect); Node's fetch
 * hands back the 3xx itself. Returns `undefined` for any other answer.
 */
export function refusalOf(
  res: Pick<Response, 'type' | 'status' | 'headers'>,
  body?: string,
): Refusal | undefined {
  if (
    res.type === 'opaqueredirect' ||
    (res.status >= 300 && res.status < 400)
  ) {
    return { kind: 'redirect', status: res.status };
  }
  if (res.status === 401 || res.status === 403) {
    return { kind: 'unauthorized', status: res.status, said: messageOf(body) };
  }
  const contentType = res.headers.get('content-type') ?? '';
  if (
    res.status === 203 ||
    (res.status >= 200 && res.status < 300 && !/\bjson\b/i.test(contentType))
  ) {
    return { kind: 'sign-in-page', status: res.status, contentType };
  }
  return undefined;
}

/** Azure DevOps' own `message` from a JSON error body, if there is one. */
function messageOf(body?: string): string | undefined {
  try {
    const parsed = body ? JSON.parse(body) : undefined;
    return typeof parsed?.message === 'string' ? parsed.message : undefined;
  } catch {
    return undefined;
  }
}

/** What the card says about a refusal: what happened, whose token it was, and what to do. */
export function describeRefusal(ref: PipelineRef, refusal: Refusal): string {
  const what = {
    unauthorized: `answered ${refusal.status}${
      refusal.kind === 'unauthorized' && refusal.said
        ? ` ("${refusal.said}")`
        : ''
    }`,
    'sign-in-page': `answered with its sign-in page instead of data (status ${
      refusal.status
    }${
      refusal.kind === 'sign-in-page' && refusal.contentType
        ? `, ${refusal.contentType}`
        : ''
    })`,
    redirect: 'redirected the request to its sign-in page',
  }[refusal.kind];
  return (
    `Azure DevOps did not accept the portal's read-only token for pipeline runs: it ${what}. ` +
    `The card reads through the portal's proxy endpoint /azure-devops, which signs every request ` +
    `with the header in ${READ_TOKEN_VARIABLE}; the signed-in user's own Azure DevOps access is not used. ` +
    `Ask the portal's administrators to set ${READ_TOKEN_VARIABLE} to "Basic " followed by the base64 of ` +
    `":<PAT>", for a personal access token with the scope ${READ_SCOPE} of an account that can read ` +
    `project '${ref.project}' in organization '${ref.organization}', not expired or revoked, ` +
    `and to restart the portal.`
  );
}
