/*
 * Runs the local git server that `./scripts/start.sh` starts next to the portal:
 *
 *   node plugins/local-git-node/src/serve.ts [--config app-config.yaml ...] [--root .data/git]
 *
 * It reads the same configuration files the backend reads (app-config.yaml and
 * app-config.local.yaml unless --config is given) and listens where `localGit.baseUrl` says, with
 * `localGit.token` (LOCAL_GIT_TOKEN). Repositories live under --root, `.data/git` by default.
 */
import path from 'node:path';
import { readLocalGitConfig } from './lib/config.ts';
import { startLocalGitServer } from './server/localGitServer.ts';

async function main() {
  const argv = process.argv.slice(2);
  const rootArg = argv.indexOf('--root');
  const root = path.resolve(rootArg >= 0 ? argv[rootArg + 1] : '.data/git');
  const { ConfigSources } = await import('@backstage/config-loader');
  const config = await ConfigSources.toConfig(
    ConfigSources.default({ argv, rootDir: process.cwd() }),
  );
  const settings = readLocalGitConfig(config);
  config.close();
  if (!settings) {
    throw new Error(
      'localGit is not configured: the local git server runs with the local defaults (app-config.yaml) only',
    );
  }
  if (!settings.token) {
    throw new Error(
      'localGit.token is empty: set LOCAL_GIT_TOKEN (./scripts/start.sh generates one for each run)',
    );
  }
  const url = new URL(settings.baseUrl);
  const server = await startLocalGitServer({
    root,
    token: settings.token,
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port),
  });
  process.stdout.write(
    `local git server: ${server.url}, repositories in ${path.relative(
      process.cwd(),
      root,
    )}/\n`,
  );
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch(error => {
  process.stderr.write(
    `local git server: ${error instanceof Error ? error.message : error}\n`,
  );
  process.exit(1);
});
