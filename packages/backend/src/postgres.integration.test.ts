import { startPostgres, type PostgresServer } from './testing/postgres';
import {
  PRODUCTION_CONFIG as PRODUCTION,
  productionEnv,
} from './testing/production';
import {
  freePort,
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
