/*
 * `yarn workspace @internal/plugin-template-upgrades-backend upgrade-all [--dry-run]`: asks a
 * running portal for every service made from its templates and opens or updates the pull
 * requests of those behind (README.md). Prints one line per service; exits with 1 when any
 * failed.
 */
import type {
  ServiceUpgradeStatus,
  UpgradeResult,
} from '@internal/plugin-template-upgrades-common';

async function main() {
  const baseUrl = process.env.PORTAL_API_URL;
  const token = process.env.PORTAL_TOKEN;
  if (!baseUrl || !token) {
    process.stderr.write(
      "Set PORTAL_API_URL (e.g. https://portal.example.com/api/template-upgrades) and PORTAL_TOKEN (a signed-in admin's token; see plugins/template-upgrades-backend/README.md)\n",
    );
    return 2;
  }
  const dryRun = process.argv.includes('--dry-run');
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
  const listed = await fetch(`${baseUrl}/services`, { headers });
  if (!listed.ok) {
    throw new Error(`Listing the services answered ${listed.status}`);
  }
  const { items } = (await listed.json()) as { items: ServiceUpgradeStatus[] };
  let failed = false;
  for (const item of items) {
    const at = `${item.template.name} ${item.template.version ?? '?'} (latest ${
      item.template.latest ?? '?'
    })`;
    if (item.state !== 'behind') {
      process.stdout.write(
        `${item.state.padEnd(8)} ${item.entityRef}: ${at}${
          item.problem ? `: ${item.problem}` : ''
        }\n`,
      );
      continue;
    }
    const [namespace, rest] = item.entityRef.split('/');
    const [kind, ns] = namespace.split(':');
    const res = await fetch(
      `${baseUrl}/services/${ns}/${kind}/${rest}/upgrade`,
      { method: 'POST', headers, body: JSON.stringify({ dryRun }) },
    );
    const body = (await res.json()) as UpgradeResult & {
      error?: { message: string };
    };
    if (!res.ok) {
      failed = true;
      process.stdout.write(
        `failed   ${item.entityRef}: ${body.error?.message ?? res.status}\n`,
      );
      continue;
    }
    process.stdout.write(
      `${body.result.padEnd(8)} ${item.entityRef}: ${at}${
        body.pullRequest ? ` ${body.pullRequest.url}` : ''
      }\n`,
    );
    for (const change of body.changes) {
      process.stdout.write(
        `           ${change.change}${change.conflict ? ' (conflict)' : ''} ${
          change.path
        }${change.from ? ` (from ${change.from})` : ''}\n`,
      );
    }
  }
  return failed ? 1 : 0;
}

main().then(
  code => process.exit(code),
  error => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
