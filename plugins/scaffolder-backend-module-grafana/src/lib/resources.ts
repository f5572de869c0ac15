/*
 * What the portal puts into Grafana for one catalog entity, built from the shared
 * dashboard-as-code (@internal/plugin-observability-common): the service overview dashboard with
 * its namespace and app fixed to the entity's, and one Grafana-managed alert rule per rule of
 * ALERT_RULES with its value query scoped to the entity. Pure functions; nothing here calls Grafana.
 */
import { createHash } from 'crypto';
import {
  ALERT_NAME_LABEL,
  ALERT_RULES,
  AlertRuleDefinition,
  forTemplateVersion,
  isDns1123Label,
  isKubernetesLabelValue,
  scopedRuleValue,
} from '@internal/plugin-observability-common';
import { InputError } from '@backstage/errors';
import { isTemplateVersion } from '@internal/plugin-template-upgrades-common';

/**
 * The mark on everything the portal creates in Grafana: a dashboard tag and an alert rule label.
 * The portal changes only what carries it.
 */
export const PORTAL_MARK = 'backstage-portal';

/** The alert rule label holding the mark; Grafana label names cannot contain dashes. */
export const MARK_LABEL = 'managed_by';

/** The alert rule label holding the entity ref, so alerts can be matched to their entity. */
export const ENTITY_LABEL = 'backstage_entity';

/** One entity to provision. */
export interface ProvisioningTarget {
  /** Full entity ref, e.g. `component:default/sales-dashboard`. */
  entityRef: string;
  /** Full ref of the owning group or user, e.g. `group:default/platform-team`. */
  ownerRef: string;
  /** `backstage.io/kubernetes-namespace`. */
  namespace: string;
  /** `backstage.io/kubernetes-id`: the pods' `app.kubernetes.io/name`. */
  app: string;
  /**
   * The service template version the service's code is at (the entity's
   * `portal.golden-path/template-version`): only the panels and rules of that version are
   * provisioned. Absent: the template's current version, as for a service being created.
   */
  templateVersion?: string;
}

const ENTITY_REF =
  /^[a-z0-9-]+:[a-z0-9][a-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/i;

/** Checks a target; throws an InputError naming the value and the fix. */
export function checkTarget(target: ProvisioningTarget): void {
  for (const key of ['entityRef', 'ownerRef'] as const) {
    if (!ENTITY_REF.test(target[key])) {
      throw new InputError(
        `${key} ${JSON.stringify(
          target[key],
        )} is not a full entity ref; write it as kind:namespace/name, e.g. component:default/sales-dashboard`,
      );
    }
  }
  if (!isDns1123Label(target.namespace)) {
    throw new InputError(
      `namespace ${JSON.stringify(
        target.namespace,
      )} is not a Kubernetes namespace name (lowercase letters, digits and hyphens, at most 63)`,
    );
  }
  if (
    target.templateVersion !== undefined &&
    !isTemplateVersion(target.templateVersion)
  ) {
    throw new InputError(
      `templateVersion ${JSON.stringify(
        target.templateVersion,
      )} is not a template version; write it as MAJOR.MINOR.PATCH, e.g. 1.0.0 (the entity's portal.golden-path/template-version)`,
    );
  }
  if (!isKubernetesLabelValue(target.app) || target.app === '') {
    throw new InputError(
      `app ${JSON.stringify(
        target.app,
      )} is not a Kubernetes label value (the backstage.io/kubernetes-id annotation)`,
    );
  }
}

/** A Grafana uid (at most 40 characters) derived from a key, the same on every run. */
export function stableUid(kind: 'folder' | 'dashboard' | 'rule', key: string) {
  const hash = createHash('sha256').update(`${kind}:${key}`).digest('hex');
  return `portal-${hash.slice(0, 24)}`;
}

/**
 * The dashboard-as-code, loaded when a dashboard is first built rather than when the backend
 * starts: the Grafana foundation SDK behind it holds about 3 MB of heap (docs/deployment.md,
 * "Memory"). `require` rather than `import()`, which Backstage's Jest set-up runs only under
 * --experimental-vm-modules.
 */
function loadDashboardAsCode(): typeof import('@internal/plugin-observability-common/dashboard') {
  return require('@internal/plugin-observability-common/dashboard');
}

/**
 * The owner's folder: one per owner, its uid derived from the owner ref (the portal's mark on a
 * folder: a folder with that uid is the one the portal made for that owner). Grafana keeps folder
 * titles unique below one parent, so `titles` lists what to call it, in order of preference: the
 * owner's name, then the full owner ref, then the ref with the uid (unique, since the uid is).
 */
export function folderFor(target: ProvisioningTarget) {
  const uid = stableUid('folder', target.ownerRef.toLowerCase());
  const name = target.ownerRef.split('/').pop()!;
  return {
    uid,
    title: name,
    titles: [name, target.ownerRef, `${target.ownerRef} (${uid})`],
  };
}

/**
 * Where the rules' runbook links point: the entity's TechDocs page `operations`, below the
 * portal's base URL (Backstage's TechDocs route is `/docs/:namespace/:kind/:name`). Grafana and
 * its notifications show the link outside the portal, so it must be absolute; without a base URL
 * it stays relative to the entity's docs.
 */
export function runbookUrl(
  target: ProvisioningTarget,
  rule: AlertRuleDefinition,
  portalBaseUrl?: string,
): string {
  if (!portalBaseUrl) {
    return rule.runbook;
  }
  const [kindAndNamespace, name] = target.entityRef.split('/');
  const [kind, namespace] = kindAndNamespace.split(':');
  const path = [namespace, kind, name]
    .map(s => encodeURIComponent(s.toLowerCase()))
    .join('/');
  return `${portalBaseUrl.replace(/\/+$/, '')}/docs/${path}/${rule.runbook}`;
}

/**
 * A rule's title. Grafana up to 11.x refuses a second rule with the same title in one folder
 * (`ErrAlertRuleUniqueConstraintViolation`, "rule title under the same organisation and folder
 * should be unique", grafana/grafana `pkg/services/ngalert/models/alert_rule.go`; the constraint
 * was removed in 12.0.0, PR #102067), and an owner's services share one folder: so the title
 * names the entity. The plain alert name stays in the label
 * {@link ALERT_NAME_LABEL}.
 */
export const ruleTitle = (
  target: ProvisioningTarget,
  rule: AlertRuleDefinition,
) => `${rule.alert} (${target.entityRef})`;

/**
 * The entity's dashboard: the service overview with its own uid and title, the portal's mark,
 * and the namespace and app variables fixed to the entity's (hidden constants).
 */
export function dashboardFor(target: ProvisioningTarget) {
  const base = JSON.parse(
    JSON.stringify(
      loadDashboardAsCode().buildServiceOverviewDashboard({
        templateVersion: target.templateVersion,
      }),
    ),
  );
  const name = target.entityRef.split('/').pop()!;
  const fixed: Record<string, string> = {
    namespace: target.namespace,
    app: target.app,
  };
  return {
    ...base,
    uid: stableUid('dashboard', target.entityRef.toLowerCase()),
    title: `${name} (${target.namespace})`,
    tags: [...(base.tags ?? []), PORTAL_MARK],
    templating: {
      list: (base.templating?.list ?? []).map((variable: any) =>
        variable.name in fixed
          ? {
              type: 'constant',
              name: variable.name,
              label: variable.label,
              hide: 2,
              query: fixed[variable.name],
              current: {
                text: fixed[variable.name],
                value: fixed[variable.name],
              },
            }
          : variable,
      ),
    },
  };
}

/** The rules a service at the target's template version has the code for. */
export function rulesOfVersion(
  rules: readonly AlertRuleDefinition[],
  target: ProvisioningTarget,
): AlertRuleDefinition[] {
  return target.templateVersion
    ? forTemplateVersion(rules, target.templateVersion)
    : [...rules];
}

/** Grafana's threshold evaluator for a rule's comparison. */
function evaluator(rule: AlertRuleDefinition) {
  return {
    type: rule.comparison.op === '>' ? 'gt' : 'lt',
    params: [rule.comparison.threshold],
  };
}

/** Grafana writes a query's value as `$values.A.Value`, not Prometheus' `$value`. */
const grafanaTemplate = (text: string) =>
  text.replace(/\$value\b/g, '$values.A.Value');

/** The rule group of an entity's rules; Grafana evaluates a group every minute by default. */
export const ruleGroupFor = (target: ProvisioningTarget) =>
  target.entityRef.split('/').pop()!;

/**
 * The entity's Grafana-managed alert rules (the provisioning API's `ProvisionedAlertRule`):
 * query A is the rule's value scoped to the entity, B the threshold, `for` as in the rule file.
 */
export function alertRulesFor(
  target: ProvisioningTarget,
  prometheusDatasourceUid: string,
  folderUid: string,
  portalBaseUrl?: string,
  rules: readonly AlertRuleDefinition[] = ALERT_RULES,
) {
  return rulesOfVersion(rules, target).map(rule => ({
    uid: stableUid('rule', `${target.entityRef.toLowerCase()}/${rule.alert}`),
    title: ruleTitle(target, rule),
    folderUID: folderUid,
    ruleGroup: ruleGroupFor(target),
    condition: 'B',
    data: [
      {
        refId: 'A',
        relativeTimeRange: { from: 600, to: 0 },
        datasourceUid: prometheusDatasourceUid,
        model: {
          refId: 'A',
          expr: scopedRuleValue(rule, target),
          instant: true,
        },
      },
      {
        refId: 'B',
        relativeTimeRange: { from: 0, to: 0 },
        datasourceUid: '__expr__',
        model: {
          refId: 'B',
          type: 'threshold',
          expression: 'A',
          conditions: [{ evaluator: evaluator(rule) }],
        },
      },
    ],
    // No series: for most rules nothing matches the condition (the service is fine); for a rule
    // whose input must always exist (`up` of the service's pods) it means the input is missing.
    noDataState: rule.noData === 'alert' ? 'NoData' : 'OK',
    execErrState: 'Error',
    for: rule.for ?? '0s',
    isPaused: false,
    labels: {
      severity: rule.severity,
      [ALERT_NAME_LABEL]: rule.alert,
      // Every alert of the rule then carries the entity's labels, also the DatasourceNoData and
      // DatasourceError alerts Grafana raises without series: the alerts card finds them too.
      namespace: target.namespace,
      app: target.app,
      [MARK_LABEL]: PORTAL_MARK,
      [ENTITY_LABEL]: target.entityRef,
    },
    annotations: {
      summary: grafanaTemplate(rule.summary),
      description: grafanaTemplate(rule.description),
      runbook_url: runbookUrl(target, rule, portalBaseUrl),
    },
  }));
}

/** One provisioned alert rule. */
export type ProvisionedAlertRule = ReturnType<typeof alertRulesFor>[number];
