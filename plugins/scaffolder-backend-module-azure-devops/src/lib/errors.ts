import { InputError } from '@backstage/errors';

/** The PAT scope each kind of call needs, in the words of Azure DevOps' token page. */
export const PAT_SCOPES = {
  build: 'Build: Read & execute',
  code: 'Code: Read & write',
  endpoints: 'Service Connections: Read & query',
  environments: 'Environment: Read & manage',
  permissions: 'Pipeline Resources: Use & manage',
  policy: 'Code: Read, write, & manage',
} as const;

/** Which scope a call needs. */
export type PatScope = keyof typeof PAT_SCOPES;

/**
 * Whose token a call carries: the signed-in user's (the template's `token` input, from the form's
 * secrets) or the portal's own (`AZURE_DEVOPS_TOKEN`, the integrations.azure credential).
 */
export type Identity = 'user' | 'portal';

/** How messages name an identity. */
export function describeIdentity(identity: Identity): string {
  return identity === 'user'
    ? "the signed-in user's Azure DevOps token"
    : "the portal's Azure DevOps token (AZURE_DEVOPS_TOKEN)";
}

/** What a failed call was doing, for the message the user reads. */
export interface CallContext {
  /** Present tense, e.g. `create the pipeline 'orders'`. */
  operation: string;
  /** The scope the call needs. */
  scope: PatScope;
  /**
   * The permission the identity needs beyond project membership, and where an administrator
   * grants it, e.g. `the Administrator role on the service connection 'acr' (Project settings >
   * Service connections > acr > Security)`.
   */
  role?: string;
  /** The organization and project the call was made in. */
  organization: string;
  project: string;
  identity: Identity;
}

/**
 * Azure DevOps' own message from an error body. Its REST errors are JSON objects with `message`
 * (and `typeKey`); gateways in front of it answer HTML or nothing, which is summarised instead.
 */
export function azureMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string' && parsed.message) {
      return parsed.message;
    }
  } catch {
    // not JSON: fall through
  }
  const text = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text) {
    return '(no message)';
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** What to do when a token is not accepted, per identity. */
function renewToken(ctx: CallContext): string {
  const scope = PAT_SCOPES[ctx.scope];
  return ctx.identity === 'user'
    ? `Sign in to Microsoft again (reload the form and let it ask for your Azure DevOps access), and check that your account is a member of ` +
        `organization '${ctx.organization}'. This call needs the scope "${scope}".`
    : `AZURE_DEVOPS_TOKEN is missing this call's scope "${scope}", has expired or was revoked: give the portal a personal access token of its ` +
        `service account with the scopes listed in docs/azure-devops.md.`;
}

/** Who grants a missing role. */
function askFor(ctx: CallContext): string {
  const who =
    ctx.identity === 'user'
      ? 'your account'
      : "the portal's service account (the user of AZURE_DEVOPS_TOKEN)";
  return ctx.role
    ? `It needs ${ctx.role}: ask a project administrator to give ${who} that role, then run the template again.`
    : `Ask a project administrator of '${ctx.project}' to give ${who} that permission, then run the template again.`;
}

/**
 * Turns a refused call into an error that names the object, the identity used, the status, Azure
 * DevOps' own message and what to do. Errors the user can fix become `InputError`s.
 */
export function describeAzureDevOpsError(
  status: number,
  body: string,
  ctx: CallContext,
  details: { signInPage?: boolean } = {},
): Error {
  const said = details.signInPage
    ? `Azure DevOps answered with its sign-in page (status ${status}) instead of the API.`
    : `Azure DevOps said: ${azureMessage(body)}`;
  const where = `project '${ctx.project}' of organization '${ctx.organization}'`;
  const who = describeIdentity(ctx.identity);
  const scope = PAT_SCOPES[ctx.scope];
  if (details.signInPage || status === 401) {
    // A PAT without the call's scope is answered 401 too, not only an expired or unknown one.
    return new InputError(
      `Azure DevOps did not accept ${who} (401) when trying to ${
        ctx.operation
      } in ${where}. ${renewToken(ctx)} ${said}`,
    );
  }
  switch (status) {
    case 403:
      return new InputError(
        `Azure DevOps refused ${who} permission to ${
          ctx.operation
        } (403) in ${where}. The token needs the scope "${scope}". ${askFor(
          ctx,
        )} ${said}`,
      );
    case 404:
      return new InputError(
        `Azure DevOps found nothing when trying to ${ctx.operation} (404) with ${who}: check that ${where} exists and that the token's user can see it. ${said}`,
      );
    case 409:
      return new InputError(
        `Azure DevOps refused to ${ctx.operation} because of a conflict (409) in ${where}: an object of that name exists ` +
          `in a state the portal does not manage. Rename or remove it in Azure DevOps, then run the template again. ${said}`,
      );
    case 429:
      return new Error(
        `Azure DevOps kept throttling ${who} (429) when trying to ${ctx.operation} in ${where}, also after waiting as it asked; ` +
          `run the template again in a few minutes. ${said}`,
      );
    default:
      if (status >= 400 && status < 500) {
        return new InputError(
          `Azure DevOps refused to ${ctx.operation} (${status}) in ${where} with ${who}. ${said}`,
        );
      }
      return new Error(
        `Azure DevOps failed to ${ctx.operation} (${status}) in ${where}; try again later. ${said}`,
      );
  }
}
