import fs from 'node:fs';
import path from 'node:path';
import { findMissingVariables } from './preflight';
import { startPostgres, type PostgresServer } from './testing/postgres';
import {
  freePort,
  REPO_ROOT,
  runBackendUntilExit,
  startBackendProcess,
  type BackendProcess,
} from './testing/backendProcess';
import {
  catalogRefs,
  registerComponent,
  startEntityServer,
  waitForEntities,
} from './testing/catalog';

jest.setTimeout(240_000);

const PRODUCTION = ['app-config.yaml', 'app-config.production.yaml'];

/**
 * The real database settings, and a placeholder for every other variable the production config
 * requires (sign-in, integrations, Grafana: none of them is contacted at start-up).
 */
/** A value of the right shape for a variable nothing in these tests connects to. */
function placeholder(variable: string): string {
  // Grafana must not share the portal's origin (preflight refuses that).
  if (variable === 'GRAFANA_URL') return 'http://127.0.0.1:3030';
  if (/URL$/.test(variable)) return 'http://127.0.0.1:7007';
  // Grafana uids are at most 40 characters.
  if (/UID$/.test(variable)) return 'placeholder-uid';
  return `placeholder-${variable.toLowerCase()}`;
}

function productionEnv(
  pg: Pick<PostgresServer, 'host' | 'port' | 'user' | 'password'>,
) {
  const file = path.join(REPO_ROOT, 'app-config.production.yaml');
  const placeholders = Object.fromEntries(
    findMissingVariables(file, fs.readFileSync(file, 'utf8'), {}).map(m => [
      m.variable,
      placeholder(m.variable),
    ]),
  );
  return {
    ...placeholders,
    POSTGRES_HOST: pg.host,
    POSTGRES_PORT: String(pg.port),
    POSTGRES_USER: pg.user,
    POSTGRES_PASSWORD: pg.password,
  };
}

describe('the backend on PostgreSQL (app-config.production.yaml)', () => {
  let pg: PostgresServer;
  let backend: BackendProcess | undefined;

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('keeps a registered entity across a restart', async () => {
    const origin = await startEntityServer();
    const options = {
      configFiles: PRODUCTION,
      env: productionEnv(pg),
      config: { backend: origin.readingConfig },
    };
    try {
      backend = await startBackendProcess(options);
      expect(backend.output()).not.toMatch(/startup failed/i);
      const ref = await registerComponent(backend, origin, 'kept-in-postgres');
      expect(await waitForEntities(backend, [ref])).toContain(ref);
      await backend.stop();

      backend = await startBackendProcess(options);
      expect(await catalogRefs(backend)).toContain(ref);
    } finally {
      await origin.stop();
    }
  });

  it('stops with a message naming the database setting when the server is unreachable', async () => {
    const closedPort = await freePort();
    const { code, output } = await runBackendUntilExit({
      configFiles: PRODUCTION,
      env: { ...productionEnv(pg), POSTGRES_PORT: String(closedPort) },
    });
    expect(code).toBe(1);
    expect(output).toContain(
      `cannot connect to PostgreSQL at backstage@127.0.0.1:${closedPort} (backend.database.connection)`,
    );
    expect(output).not.toContain(pg.password);
  });

  it('stops with a message when the password is wrong, without echoing it', async () => {
    const { code, output } = await runBackendUntilExit({
      configFiles: PRODUCTION,
      env: { ...productionEnv(pg), POSTGRES_PASSWORD: 'not-the-password' },
    });
    expect(code).toBe(1);
    expect(output).toMatch(
      /cannot connect to PostgreSQL .*password authentication failed/,
    );
    expect(output).not.toContain('not-the-password');
  });
});
