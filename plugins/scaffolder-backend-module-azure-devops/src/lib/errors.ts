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

/** What a failed call was doing, for the message the user reads. */
export interface CallContext {
  /** Present tense, e.g. `create the pipeline 'orders'`. */
  operation: string;
  /** The scope the call needs. */
  scope: PatScope;
  /** The organization and project the call was made in. */
  organization: string;
  project: string;
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
  const text = body.replace(/\s+/g, ' ').trim();
  if (!text) {
    return '(no message)';
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * Turns a refused call into an error that names the object, the status, Azure DevOps' own
 * message and what the user can do. Errors the user can fix become `InputError`s.
 */
export function describeAzureDevOpsError(
  status: number,
  body: string,
  ctx: CallContext,
): Error {
  const said = `Azure DevOps said: ${azureMessage(body)}`;
  const where = `project '${ctx.project}' of organization '${ctx.organization}'`;
  const scope = PAT_SCOPES[ctx.scope];
  switch (status) {
    case 401:
      return new InputError(
        `Azure DevOps did not accept the token (401) when trying to ${ctx.operation}: it is missing, expired or revoked. ` +
          `Set AZURE_DEVOPS_TOKEN to a personal access token of ${where} with the scopes listed in docs/azure-devops.md. ${said}`,
      );
    case 403:
      return new InputError(
        `The Azure DevOps token may not ${ctx.operation} (403) in ${where}: it needs the scope "${scope}", ` +
          `and its user needs that permission in the project. ${said}`,
      );
    case 404:
      return new InputError(
        `Azure DevOps found nothing when trying to ${ctx.operation} (404): check that ${where} exists and that the token's user can see it. ${said}`,
      );
    case 409:
      return new InputError(
        `Azure DevOps refused to ${ctx.operation} because of a conflict (409) in ${where}: an object of that name exists ` +
          `in a state the portal does not manage. Rename or remove it in Azure DevOps, then run the template again. ${said}`,
      );
    default:
      if (status >= 400 && status < 500) {
        return new InputError(
          `Azure DevOps refused to ${ctx.operation} (${status}) in ${where}. ${said}`,
        );
      }
      return new Error(
        `Azure DevOps failed to ${ctx.operation} (${status}) in ${where}; try again later. ${said}`,
      );
  }
}
