/*
 * The fleet command's work, apart from its process: lists every service through the portal's
 * routes and opens or updates the pull requests of those behind (docs/template-upgrades.md).
 */
import type {
  ServiceUpgradeStatus,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';

/** One service's outcome, as the command prints it. */
export interface FleetLine {
  entityRef: string;
  /** `current`/`unknown` as listed, the upgrade's result, or `failed`. */
  outcome: ServiceUpgradeStatus['state'] | UpgradeResult['result'] | 'failed';
  /** Template, version and latest, then the pull request, the problem or the error. */
  detail: string;
  changes: UpgradeResult['changes'];
}

async function errorOf(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const message = JSON.parse(text)?.error?.message;
    if (message) return `${res.status}: ${message}`;
  } catch {
    // not JSON: the status says it
  }
  return `${res.status} ${res.statusText}`.trim();
}

/**
 * Lists the services (`GET /services`) and upgrades each one behind
 * (`POST /services/:namespace/:kind/:name/upgrade`); one failure does not stop the others.
 * `token` is a static external-access token whose subject is in `templateUpgrades.fleetSubjects`.
 */
export async function upgradeFleet(options: {
  /** The plugin's base URL, e.g. https://portal.example.com/api/template-upgrades. */
  baseUrl: string;
  token: string;
  dryRun?: boolean;
  template?: string;
  onLine?: (line: FleetLine) => void;
}): Promise<FleetLine[]> {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers = {
    authorization: `Bearer ${options.token}`,
    'content-type': 'application/json',
  };
  const query = options.template
    ? `?template=${encodeURIComponent(options.template)}`
    : '';
  const listed = await fetch(`${baseUrl}/services${query}`, { headers }).catch(
    error => {
      const cause = (error as Error & { cause?: Error }).cause?.message;
      throw new Error(
        `Cannot reach the portal at ${baseUrl}/services (${
          cause ?? (error as Error).message
        }). Check PORTAL_API_URL: the portal's URL followed by /api/template-upgrades`,
      );
    },
  );
  if (!listed.ok) {
    throw new Error(
      `Listing the services at ${baseUrl}/services answered ${await errorOf(
        listed,
      )}. Check PORTAL_API_URL (ending in /api/template-upgrades), and that PORTAL_TOKEN is a static external-access token whose subject is in templateUpgrades.fleetSubjects`,
    );
  }
  const { items } = (await listed.json()) as { items: ServiceUpgradeStatus[] };
  const lines: FleetLine[] = [];
  for (const item of items) {
    const at = `${item.template.name} ${item.template.version ?? '?'} (latest ${
      item.template.latest ?? '?'
    })`;
    let line: FleetLine;
    if (item.state !== 'behind') {
      line = {
        entityRef: item.entityRef,
        outcome: item.state,
        detail: item.problem ? `${at}: ${item.problem}` : at,
        changes: [],
      };
    } else {
      const [kind, namespaceAndName] = item.entityRef.split(':');
      const [namespace, name] = namespaceAndName.split('/');
      const res = await fetch(
        `${baseUrl}/services/${[namespace, kind, name]
          .map(encodeURIComponent)
          .join('/')}/upgrade`,
        {
          method: 'POST',
          headers,
          body: JSON.stringify({ dryRun: options.dryRun ?? false }),
        },
      );
      if (res.ok) {
        const result = (await res.json()) as UpgradeResult;
        line = {
          entityRef: item.entityRef,
          outcome: result.result,
          detail: result.pullRequest ? `${at} ${result.pullRequest.url}` : at,
          changes: result.changes,
        };
      } else {
        line = {
          entityRef: item.entityRef,
          outcome: 'failed',
          detail: `${at}: ${await errorOf(res)}`,
          changes: [],
        };
      }
    }
    lines.push(line);
    options.onLine?.(line);
  }
  return lines;
}

/** A line as the command prints it, with one indented line per changed file. */
export function formatFleetLine(line: FleetLine): string {
  return [
    `${line.outcome.padEnd(8)} ${line.entityRef}: ${line.detail}`,
    ...line.changes.map(
      c =>
        `         ${c.change}${c.conflict ? ' (conflict)' : ''} ${c.path}${
          c.from ? ` (from ${c.from})` : ''
        }`,
    ),
  ].join('\n');
}
