import { ResponseError } from '@backstage/errors';
import type {
  ServiceUpgradeStatus,
  UpgradeChange,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';

/** A service the page lets the user select: behind its template, and theirs to upgrade. */
export function isSelectable(service: ServiceUpgradeStatus): boolean {
  return service.state === 'behind' && service.canUpgrade;
}

/** Why a service cannot be selected, in one sentence; undefined when it can. */
export function whyNotSelectable(
  service: ServiceUpgradeStatus,
): string | undefined {
  if (service.state === 'current') {
    return 'Already at the latest version of its template.';
  }
  if (service.state === 'unknown') {
    return (
      service.problem ??
      'The version it was made from is not known, so there is nothing to upgrade from.'
    );
  }
  if (!service.canUpgrade) {
    return (
      service.problem ??
      `Only its owners${
        service.owner ? ` (${service.owner})` : ''
      } can upgrade it.`
    );
  }
  return undefined;
}

/** `1.2.0`, or a dash when the version is not known. */
export function formatVersion(version: string | null): string {
  return version ?? '—';
}

/** The state as the page and the card word it. */
export function describeState(service: ServiceUpgradeStatus): string {
  switch (service.state) {
    case 'current':
      return 'Up to date';
    case 'behind':
      return 'Behind';
    default:
      return 'Unknown';
  }
}

/** "3 files (1 added, 2 modified), 1 conflict", or "No file changes". */
export function summarizeChanges(changes: UpgradeChange[]): string {
  if (changes.length === 0) {
    return 'No file changes';
  }
  const counts = new Map<UpgradeChange['change'], number>();
  for (const c of changes) {
    counts.set(c.change, (counts.get(c.change) ?? 0) + 1);
  }
  const kinds = (['added', 'modified', 'removed', 'renamed'] as const)
    .filter(kind => counts.has(kind))
    .map(kind => `${counts.get(kind)} ${kind}`)
    .join(', ');
  const conflicts = changes.filter(c => c.conflict).length;
  return `${changes.length} ${
    changes.length === 1 ? 'file' : 'files'
  } (${kinds})${
    conflicts
      ? `, ${conflicts} ${conflicts === 1 ? 'conflict' : 'conflicts'}`
      : ''
  }`;
}

/** What an upgrade did, in one line: "Opened pull request #12", "Would change …". */
export function describeResult(result: UpgradeResult): string {
  const pr = result.pullRequest ? ` #${result.pullRequest.number}` : '';
  switch (result.result) {
    case 'opened':
      return `Opened pull request${pr}`;
    case 'updated':
      return `Updated pull request${pr}`;
    case 'none':
      return 'Already at the latest version: no pull request';
    default:
      return `Would change ${summarizeChanges(result.changes)}`;
  }
}

/**
 * The backend may answer an upgrade of a service that is already current with 409 instead of
 * result `none` (its contract allows both): read such a 409 as `none`.
 */
export function currentFromConflict(
  error: unknown,
  entityRef: string,
): UpgradeResult | undefined {
  if (ResponseError.is(error) && error.statusCode === 409) {
    return { entityRef, result: 'none', changes: [], summary: '' };
  }
  return undefined;
}

/**
 * An error in one line: the backend's own message (`{ error: { message } }`) when it sent
 * one, else the error's message, without the stack or the raw body.
 */
export function errorLine(error: unknown): string {
  if (ResponseError.is(error)) {
    const message = messageOfBody(error.cause.message) ?? error.cause.message;
    return firstLine(
      error.statusCode >= 500
        ? `The template-upgrades backend failed (${error.statusCode}): ${message}`
        : message,
    );
  }
  return firstLine(error instanceof Error ? error.message : String(error));
}

/**
 * `ResponseError` keeps a JSON body without Backstage's `response` field only as text inside
 * its message ("Request failed with status 403 Forbidden, {...}"); take the message out of it.
 */
function messageOfBody(message: string): string | undefined {
  const start = message.indexOf(', {');
  if (!message.startsWith('Request failed with status') || start < 0) {
    return undefined;
  }
  try {
    const body = JSON.parse(message.slice(start + 2));
    return typeof body?.error?.message === 'string'
      ? body.error.message
      : undefined;
  } catch {
    return undefined;
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}
