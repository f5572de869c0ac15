// Starts the portal for the newcomer browser test (e2e/newcomer.spec.ts) as ./scripts/start.sh
// does: app-config.yaml alone, and the local git server run by the same start script
// (plugins/local-git-node/src/serve.ts) with a token for this run. None of the stand-ins of
// e2e/serve.mjs. Overridden is only what a second portal on this machine must change: its ports
// and base URLs (the app's production build is served by the backend), the SQLite and repository
// directories (fresh ones), and the local git server's port, in localGit.baseUrl and in the
// registerable location that names it.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const port = Number(process.env.E2E_NEWCOMER_PORT ?? 7027);
const gitPort = Number(process.env.E2E_NEWCOMER_GIT_PORT ?? 7028);
if (!fs.existsSync(path.join(root, 'packages/app/dist/index.html'))) {
  console.error(
    'packages/app/dist is missing: run `yarn workspace app build` first',
  );
  process.exit(1);
}
const data = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-newcomer-'));
const start = parse(
  fs.readFileSync(path.join(root, 'app-config.yaml'), 'utf8'),
);
const localGit = new URL(start.localGit.baseUrl);
const gitBaseUrl = `http://${localGit.hostname}:${gitPort}`;
const overrides = path.join(data, 'app-config.newcomer-run.yaml');
fs.writeFileSync(
  overrides,
  JSON.stringify({
    app: { baseUrl: `http://localhost:${port}` },
    backend: {
      baseUrl: `http://localhost:${port}`,
      listen: { port },
      cors: { origin: `http://localhost:${port}` },
      database: {
        client: 'better-sqlite3',
        connection: { directory: path.join(data, 'sqlite') },
      },
    },
    localGit: { baseUrl: gitBaseUrl },
    permission: {
      portalPolicy: {
        registerableLocations:
          start.permission.portalPolicy.registerableLocations.map(prefix =>
            prefix === `${localGit.origin}/` ? `${gitBaseUrl}/` : prefix,
          ),
      },
    },
  }),
);
const configArgs = [path.join(root, 'app-config.yaml'), overrides].flatMap(
  f => ['--config', f],
);
const env = {
  ...process.env,
  NODE_ENV: 'development',
  LOCAL_GIT_TOKEN: randomBytes(24).toString('hex'),
};
const gitServer = spawn(
  process.execPath,
  [
    '--disable-warning=MODULE_TYPELESS_PACKAGE_JSON',
    path.join(root, 'plugins/local-git-node/src/serve.ts'),
    ...configArgs,
    '--root',
    path.join(data, 'git'),
  ],
  { cwd: root, stdio: 'inherit', env },
);
const backend = spawn(
  process.execPath,
  [
    '--enable-source-maps',
    '--require',
    path.join(
      root,
      'node_modules/@backstage/cli-node/config/nodeTransform.cjs',
    ),
    'src/index.ts',
    ...configArgs,
  ],
  { cwd: path.join(root, 'packages/backend'), stdio: 'inherit', env },
);
const stop = () => {
  backend.kill('SIGTERM');
  gitServer.kill('SIGTERM');
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
gitServer.on('exit', code => {
  if (code) {
    console.error(`the local git server exited with ${code}`);
    backend.kill('SIGTERM');
  }
});
backend.on('exit', code => {
  gitServer.kill('SIGTERM');
  fs.rmSync(data, { recursive: true, force: true });
  process.exit(code ?? 0);
});
