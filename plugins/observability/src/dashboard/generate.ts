/*
 * Writes the Grafana files kept in grafana/ from the shared code in
 * @internal/plugin-observability-common: the service overview dashboard and the alerting rules.
 * Run with `yarn generate:dashboard`; tests fail when either file is stale.
 */
import { writeFileSync } from 'fs';
import { resolve } from 'path';
// eslint-disable-next-line @backstage/no-undeclared-imports -- build-time code, dev dependency on purpose
import { stringify } from 'yaml';
import { prometheusRuleGroups } from '@internal/plugin-observability-common';
import {
  buildServiceOverviewDashboard,
  serializeDashboard,
} from '@internal/plugin-observability-common/dashboard';

export const DASHBOARD_FILE = resolve(
  __dirname,
  '../../grafana/dashboards/service-overview.json',
);

export const RULES_FILE = resolve(
  __dirname,
  '../../grafana/alerts/service.rules.yml',
);

const RULES_HEADER = `# Generated from ALERT_RULES in plugins/observability-common/src/alertRules.ts by
# \`yarn workspace @internal/plugin-observability generate:dashboard\`; edit that file, not this one.
#
# Alerting rules for every service on the golden path. They group by cluster, namespace and app,
# so a new service is covered as soon as its pods run: no per-service rule. Load them into
# Prometheus (rule_files) or the Prometheus Operator (a PrometheusRule with this \`groups\` list);
# Alertmanager routes on the \`namespace\`/\`app\` labels. Checked by \`promtool check rules\` and the
# unit tests in service.rules.test.yml.
`;

/** The rule file's text. */
export function serializeRules(): string {
  return `${RULES_HEADER}${stringify(prometheusRuleGroups(), {
    lineWidth: 0,
  })}`;
}

if (require.main === module) {
  // The package script then formats both files with Prettier, as the repository formats them.
  writeFileSync(
    DASHBOARD_FILE,
    serializeDashboard(buildServiceOverviewDashboard()),
  );
  writeFileSync(RULES_FILE, serializeRules());
  process.stdout.write(`wrote ${DASHBOARD_FILE} and ${RULES_FILE}\n`);
}
