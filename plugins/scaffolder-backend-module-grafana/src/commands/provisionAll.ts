/*
 * `yarn workspace @internal/plugin-scaffolder-backend-module-grafana provision-all`: provisions
 * every catalog entity with the Kubernetes annotations. Reads its settings from the environment
 * (README.md); prints one line per entity and exits with 1 when any failed.
 */
import { provisionCatalog } from './provisionCatalog';

const REQUIRED = [
  'CATALOG_URL',
  'GRAFANA_URL',
  'GRAFANA_PROVISIONING_TOKEN',
  'GRAFANA_PROMETHEUS_DATASOURCE_UID',
] as const;

async function main() {
  const missing = REQUIRED.filter(name => !process.env[name]);
  if (missing.length > 0) {
    process.stderr.write(
      `Set ${missing.join(
        ', ',
      )} (see plugins/scaffolder-backend-module-grafana/README.md)\n`,
    );
    return 2;
  }
  const lines = await provisionCatalog({
    catalogBaseUrl: process.env.CATALOG_URL!,
    catalogToken: process.env.CATALOG_TOKEN,
    connection: {
      url: process.env.GRAFANA_URL!,
      token: process.env.GRAFANA_PROVISIONING_TOKEN!,
      prometheusDatasourceUid: process.env.GRAFANA_PROMETHEUS_DATASOURCE_UID!,
      // For absolute runbook links in the rules, as the action writes them.
      portalBaseUrl: process.env.PORTAL_BASE_URL,
    },
    onLine: line =>
      process.stdout.write(
        `${line.outcome.padEnd(11)} ${line.entityRef}: ${line.detail}\n`,
      ),
  });
  return lines.some(l => l.outcome === 'failed') ? 1 : 0;
}

main().then(
  code => process.exit(code),
  error => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
