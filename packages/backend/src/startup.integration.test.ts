import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  BACKEND_DIR,
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
import { repoEntityRefs } from './testing/repoEntities';

jest.setTimeout(240_000);

const sqliteIn = (directory: string, more: object = {}) => ({
  backend: {
    ...more,
    database: { client: 'better-sqlite3', connection: { directory } },
  },
});

/** Plugin and module packages that packages/backend/src/index.ts adds. */
function addedPackages(): string[] {
  const source = fs.readFileSync(
    path.join(BACKEND_DIR, 'src/index.ts'),
    'utf8',
  );
  return [...source.matchAll(/backend\.add\(\s*import\('([^']+)'\)/g)].map(
    m => m[1],
  );
}

describe('the backend on its local defaults (SQLite)', () => {
  let dataDir: string;
  let backend: BackendProcess | undefined;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sqlite-'));
  });
  afterEach(async () => {
    await backend?.stop();
    backend = undefined;
  });

  it('starts every plugin it adds and serves the entities the repository registers', async () => {
    backend = await startBackendProcess({ config: sqliteIn(dataDir) });

    const ready = await fetch(
      `${backend.baseUrl}/.backstage/health/v1/readiness`,
    );
    expect(ready.status).toBe(200);
    expect(backend.output()).not.toMatch(
      /startup failed|threw an error during startup/i,
    );

    // Readiness only turns 200 once every added plugin and module has started; the main
    // plugins also answer on their own routes.
    expect(addedPackages().length).toBeGreaterThanOrEqual(15);
    for (const pkg of addedPackages()) {
      expect(() =>
        require.resolve(pkg, { paths: [BACKEND_DIR] }),
      ).not.toThrow();
    }
    const probes: Array<[string, number]> = [
      ['/api/catalog/entities?limit=1', 200],
      ['/api/scaffolder/v2/actions', 200],
      ['/api/kubernetes/clusters', 200],
      ['/api/auth/guest/refresh', 200],
    ];
    for (const [route, status] of probes) {
      const res = await backend.request(route);
      const body = res.status === status ? '' : ` ${await res.text()}`;
      expect(`${route} → ${res.status}${body}`).toBe(`${route} → ${status}`);
    }

    const expected = repoEntityRefs();
    expect(expected).toEqual(
      expect.arrayContaining([
        'component:default/golden-path-portal',
        'system:default/developer-platform',
        'component:default/sales-dashboard',
        'group:default/platform-team',
        'user:default/guest',
      ]),
    );
    const served = await waitForEntities(backend, expected);
    expect(expected.filter(ref => !served.has(ref))).toEqual([]);
  });

  it('keeps a registered entity across a restart', async () => {
    const origin = await startEntityServer();
    const config = sqliteIn(dataDir, origin.readingConfig);
    try {
      backend = await startBackendProcess({ config });
      const ref = await registerComponent(backend, origin, 'kept-in-sqlite');
      expect(await waitForEntities(backend, [ref])).toContain(ref);
      await backend.stop();

      backend = await startBackendProcess({ config });
      expect(await catalogRefs(backend)).toContain(ref);
    } finally {
      await origin.stop();
    }
  });
});

describe('the backend with the production config', () => {
  it('stops with one message naming every missing variable', async () => {
    const { code, output } = await runBackendUntilExit({
      configFiles: ['app-config.yaml', 'app-config.production.yaml'],
      env: { POSTGRES_HOST: '', POSTGRES_PASSWORD: '' },
    });
    expect(code).toBe(1);
    expect(output).toContain('required environment variable(s) not set');
    expect(output).toMatch(
      /POSTGRES_HOST \(used by backend\.database\.connection\.host in app-config\.production\.yaml\)/,
    );
    expect(output).toContain('POSTGRES_PASSWORD');
    expect(output).not.toMatch(/startup failed/);
  });
});
