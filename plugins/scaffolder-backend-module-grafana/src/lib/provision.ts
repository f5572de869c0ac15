/*
 * Puts one entity's folder, dashboard and alert rules into Grafana, idempotently: everything is
 * read first, nothing is written when something in the way was not created by the portal, and
 * only what differs from the dashboard-as-code is written.
 */
import { ConflictError } from '@backstage/errors';
import { GrafanaApi, GrafanaConnection } from './grafanaApi';
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
  let folderChange: Change = 'unchanged';
  if (!existingFolder) {
    await api.createFolder(folder);
    folderChange = 'created';
  }

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
    } else if (!holds(existing, rule)) {
      await api.updateAlertRule(rule);
      change = 'updated';
    }
    ruleChanges.push({ uid: rule.uid, title: rule.title, change });
  }

  return {
    folder: { ...folder, change: folderChange },
    dashboard: {
      uid: dashboard.uid,
      url: `${connection.url.replace(/\/+$/, '')}/d/${dashboard.uid}`,
      change: dashboardChange,
    },
    alertRules: ruleChanges,
  };
}
