/*
 * Puts one entity's folder, dashboard and alert rules into Grafana, idempotently: everything is
 * read first, nothing is written when something in the way was not created by the portal, and
 * only what differs from the dashboard-as-code is written.
 */
import { ConflictError, isError } from '@backstage/errors';
import { GrafanaApi, GrafanaConnection, GrafanaFolder } from './grafanaApi';
import {
  MARK_LABEL,
  PORTAL_MARK,
  ProvisioningTarget,
  alertRulesFor,
  checkTarget,
  dashboardFor,
  folderFor,
} from './resources';

/** What happened to one Grafana object. */
export type Change = 'created' | 'updated' | 'unchanged';

/** The outcome for one entity. */
export interface ProvisioningResult {
  folder: { uid: string; title: string; change: Change };
  dashboard: { uid: string; url: string; change: Change };
  alertRules: Array<{ uid: string; title: string; change: Change }>;
}

/** JSON with object keys sorted, so that key order does not count as a difference. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** Whether `actual` holds every key of `desired` with the same value (Grafana adds its own). */
function holds(actual: Record<string, any>, desired: Record<string, any>) {
  return Object.entries(desired).every(
    ([key, value]) => canonical(actual[key]) === canonical(value),
  );
}

/**
 * Whether `actual` contains `desired`: the same primitives, arrays of the same length whose items
 * contain the desired items, objects with at least the desired keys. Grafana stores an alert
 * rule's queries normalised: `AlertQuery.PreSave` (grafana/grafana
 * `pkg/services/ngalert/models/alert_query.go`) adds `intervalMs` and `maxDataPoints` to every
 * model and `queryType` to every query, and the rule gains `id`, `orgID`, `updated`,
 * `provenance`. Keys the portal writes keep their values, so containment is what "unchanged"
 * means for a rule.
 */
function contains(actual: unknown, desired: unknown): boolean {
  if (Array.isArray(desired)) {
    return (
      Array.isArray(actual) &&
      actual.length === desired.length &&
      desired.every((item, i) => contains(actual[i], item))
    );
  }
  if (desired && typeof desired === 'object') {
    return (
      !!actual &&
      typeof actual === 'object' &&
      !Array.isArray(actual) &&
      Object.entries(desired).every(([key, value]) =>
        contains((actual as Record<string, unknown>)[key], value),
      )
    );
  }
  return actual === desired;
}

/**
 * The owner's folder in Grafana: the one with the portal's uid for that owner, else a new one
 * under the first of its titles no other folder has (Grafana keeps titles unique below a parent,
 * see folderFor). A race with someone taking the title meanwhile moves on to the next title.
 */
async function ensureFolder(
  api: GrafanaApi,
  folder: ReturnType<typeof folderFor>,
  existing: GrafanaFolder | undefined,
): Promise<{ uid: string; title: string; change: Change }> {
  if (existing) {
    return { uid: existing.uid, title: existing.title, change: 'unchanged' };
  }
  const taken = new Set(
    (await api.listFolders()).map(f => f.title.toLowerCase()),
  );
  for (const title of folder.titles) {
    if (taken.has(title.toLowerCase())) continue;
    try {
      await api.createFolder({ uid: folder.uid, title });
      return { uid: folder.uid, title, change: 'created' };
    } catch (error) {
      if (!(isError(error) && error.name === 'ConflictError')) throw error;
      // Another run may have created the owner's folder meanwhile: then that is the one.
      const created = await api.getFolder(folder.uid);
      if (created) {
        return { uid: created.uid, title: created.title, change: 'unchanged' };
      }
    }
  }
  throw new ConflictError(
    `Grafana has folders titled ${folder.titles
      .map(t => `"${t}"`)
      .join(', ')}, none of them the portal's (uid ${
      folder.uid
    }): rename one of them, then run the step again.`,
  );
}

/**
 * Provisions one entity. Throws a ConflictError, before writing anything, when its dashboard uid
 * or one of its rule uids is taken by an object without the portal's mark.
 */
export async function provisionEntity(options: {
  connection: GrafanaConnection;
  target: ProvisioningTarget;
  api?: GrafanaApi;
}): Promise<ProvisioningResult> {
  const { connection, target } = options;
  checkTarget(target);
  const api = options.api ?? new GrafanaApi(connection);
  const folder = folderFor(target);
  const dashboard = dashboardFor(target);
  const rules = alertRulesFor(
    target,
    connection.prometheusDatasourceUid,
    folder.uid,
    connection.portalBaseUrl,
  );

  // Read everything first.
  const existingFolder = await api.getFolder(folder.uid);
  const existingDashboard = await api.getDashboard(dashboard.uid);
  const existingRules = await Promise.all(
    rules.map(rule => api.getAlertRule(rule.uid)),
  );

  if (
    existingDashboard &&
    !existingDashboard.dashboard.tags?.includes(PORTAL_MARK)
  ) {
    throw new ConflictError(
      `Grafana already has a dashboard with uid ${dashboard.uid} ("${existingDashboard.dashboard.title}") without the tag "${PORTAL_MARK}": the portal did not create it and leaves it alone. Delete or re-uid that dashboard to let the portal provision ${target.entityRef}.`,
    );
  }
  existingRules.forEach((existing, i) => {
    if (existing && existing.labels?.[MARK_LABEL] !== PORTAL_MARK) {
      throw new ConflictError(
        `Grafana already has an alert rule with uid ${rules[i].uid} ("${existing.title}") without the label ${MARK_LABEL}=${PORTAL_MARK}: the portal did not create it and leaves it alone.`,
      );
    }
  });

  // Then write what is missing or differs.
  const ownerFolder = await ensureFolder(api, folder, existingFolder);

  let dashboardChange: Change = 'unchanged';
  if (
    !existingDashboard ||
    !holds(existingDashboard.dashboard, dashboard) ||
    existingDashboard.meta.folderUid !== folder.uid
  ) {
    await api.saveDashboard({
      dashboard,
      folderUid: folder.uid,
      message: `Provisioned by the portal for ${target.entityRef}`,
      overwrite: Boolean(existingDashboard),
    });
    dashboardChange = existingDashboard ? 'updated' : 'created';
  }

  const ruleChanges: ProvisioningResult['alertRules'] = [];
  for (const [i, rule] of rules.entries()) {
    const existing = existingRules[i];
    let change: Change = 'unchanged';
    if (!existing) {
      await api.createAlertRule(rule);
      change = 'created';
    } else if (!contains(existing, rule)) {
      await api.updateAlertRule(rule);
      change = 'updated';
    }
    ruleChanges.push({ uid: rule.uid, title: rule.title, change });
  }

  return {
    folder: ownerFolder,
    dashboard: {
      uid: dashboard.uid,
      url: `${connection.url.replace(/\/+$/, '')}/d/${dashboard.uid}`,
      change: dashboardChange,
    },
    alertRules: ruleChanges,
  };
}

/** The uids of the dashboard and rules the portal keeps for one entity. */
export function uidsOf(target: ProvisioningTarget): string[] {
  return [
    dashboardFor(target).uid,
    ...alertRulesFor(target, 'unused', 'unused').map(rule => rule.uid),
  ];
}

/**
 * Removes the dashboards and alert rules carrying the portal's mark whose uid is not in `keep`:
 * those of entities that were removed or renamed (a rename gives new uids). Objects without the
 * mark are never touched. Returns what was removed.
 */
export async function removeOrphans(options: {
  connection: GrafanaConnection;
  keep: Set<string>;
  api?: GrafanaApi;
}): Promise<
  Array<{ kind: 'dashboard' | 'alert rule'; uid: string; title: string }>
> {
  const api = options.api ?? new GrafanaApi(options.connection);
  const removed: Array<{
    kind: 'dashboard' | 'alert rule';
    uid: string;
    title: string;
  }> = [];
  for (const rule of await api.listAlertRules()) {
    if (
      rule.labels?.[MARK_LABEL] === PORTAL_MARK &&
      !options.keep.has(rule.uid)
    ) {
      await api.deleteAlertRule(rule.uid);
      removed.push({ kind: 'alert rule', uid: rule.uid, title: rule.title });
    }
  }
  for (const dashboard of await api.searchDashboardsByTag(PORTAL_MARK)) {
    if (!options.keep.has(dashboard.uid)) {
      // The search matches tags exactly; read it back so only a marked dashboard goes.
      const stored = await api.getDashboard(dashboard.uid);
      if (stored?.dashboard.tags?.includes(PORTAL_MARK)) {
        await api.deleteDashboard(dashboard.uid);
        removed.push({
          kind: 'dashboard',
          uid: dashboard.uid,
          title: dashboard.title,
        });
      }
    }
  }
  return removed;
}
