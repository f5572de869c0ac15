/*
 * `yarn workspace @internal/plugin-template-upgrades-backend upgrade-all [--dry-run]
 * [--template <name>]`: asks a running portal for every service made from its templates and
 * opens or updates the pull requests of those behind (docs/template-upgrades.md). Prints one
 * line per service; exits with 1 when any failed.
 */
import { formatFleetLine, upgradeFleet } from './fleet';

async function main() {
  const baseUrl = process.env.PORTAL_API_URL;
  const token = process.env.PORTAL_TOKEN;
  if (!baseUrl || !token) {
    process.stderr.write(
      'Set PORTAL_API_URL (e.g. https://portal.example.com/api/template-upgrades) and PORTAL_TOKEN (a static external-access token whose subject is in templateUpgrades.fleetSubjects; see docs/template-upgrades.md)\n',
    );
    return 2;
  }
  const args = process.argv.slice(2);
  const templateAt = args.indexOf('--template');
  const lines = await upgradeFleet({
    baseUrl,
    token,
    dryRun: args.includes('--dry-run'),
    template: templateAt >= 0 ? args[templateAt + 1] : undefined,
    onLine: line => process.stdout.write(`${formatFleetLine(line)}\n`),
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
