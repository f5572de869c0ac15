/* Writes grafana/dashboards/service-overview.json; run with `yarn generate:dashboard`. */
import { writeFileSync } from 'fs';
import { resolve } from 'path';
import {
  buildServiceOverviewDashboard,
  serializeDashboard,
} from './serviceOverview';

export const DASHBOARD_FILE = resolve(
  __dirname,
  '../../grafana/dashboards/service-overview.json',
);

if (require.main === module) {
  // The package script then formats the file with Prettier, as the repository formats JSON.
  writeFileSync(
    DASHBOARD_FILE,
    serializeDashboard(buildServiceOverviewDashboard()),
  );
  process.stdout.write(`wrote ${DASHBOARD_FILE}\n`);
}
