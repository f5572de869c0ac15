import { ConfigReader } from '@backstage/config';
import {
  checkDatabase,
  checkGrafanaOrigins,
  configFilesFor,
  describeMissingVariables,
  findMissingVariables,
} from './preflight';

const yaml = `
backend:
  baseUrl: \${PORTAL_BASE_URL}
  database:
    connection:
      host: \${POSTGRES_HOST}
      password: \${ POSTGRES_PASSWORD }
      port: \${POSTGRES_PORT:-5432}
integrations:
  github:
    - host: github.com
      token: \${GITHUB_TOKEN}
literal: $\${NOT_A_VARIABLE}
`;

describe('findMissingVariables', () => {
  it('names each unset variable with the setting that uses it', () => {
    const missing = findMissingVariables(
      '/etc/app-config.production.yaml',
      yaml,
      {
        PORTAL_BASE_URL: 'https://portal.example.com',
        POSTGRES_PASSWORD: '   ',
      },
    );
    expect(missing).toEqual([
      {
        variable: 'POSTGRES_HOST',
        setting: 'backend.database.connection.host',
        file: '/etc/app-config.production.yaml',
      },
      {
        variable: 'POSTGRES_PASSWORD',
        setting: 'backend.database.connection.password',
        file: '/etc/app-config.production.yaml',
      },
      {
        variable: 'GITHUB_TOKEN',
        setting: 'integrations.github.0.token',
        file: '/etc/app-config.production.yaml',
      },
    ]);
  });

  it('accepts variables with a default and escaped references', () => {
    const missing = findMissingVariables('a.yaml', yaml, {
      PORTAL_BASE_URL: 'x',
      POSTGRES_HOST: 'db',
      POSTGRES_PASSWORD: 'pw',
      GITHUB_TOKEN: 't',
    });
    expect(missing).toEqual([]);
  });

  it('reads every document of a multi-document file', () => {
    const missing = findMissingVariables(
      'a.yaml',
      'a: 1\n---\nb: ${B_VAR}\n',
      {},
    );
    expect(missing.map(m => m.variable)).toEqual(['B_VAR']);
  });
});

describe('describeMissingVariables', () => {
  it('lists the variables in one message that says how to fix it', () => {
    const message = describeMissingVariables([
      {
        variable: 'POSTGRES_HOST',
        setting: 'backend.database.connection.host',
        file: '/x/app-config.production.yaml',
      },
    ]);
    expect(message).toBe(
      [
        'Configuration error: 1 required environment variable(s) not set:',
        '  - POSTGRES_HOST (used by backend.database.connection.host in app-config.production.yaml)',
        'Set them (see README.md, "Configuration") or remove the settings that use them.',
      ].join('\n'),
    );
  });
});

describe('configFilesFor', () => {
  it('takes the --config arguments in order', () => {
    expect(
      configFilesFor(
        ['node', 'index', '--config', '/a.yaml', '--config=/b.yaml'],
        '/root',
      ),
    ).toEqual(['/a.yaml', '/b.yaml']);
  });
});

describe('checkDatabase', () => {
  it('has nothing to check for SQLite', async () => {
    const config = new ConfigReader({
      backend: {
        database: { client: 'better-sqlite3', connection: ':memory:' },
      },
    });
    await expect(checkDatabase(config)).resolves.toBeUndefined();
  });

  it('names the setting and the address when PostgreSQL cannot be reached', async () => {
    const config = new ConfigReader({
      backend: {
        database: {
          client: 'pg',
          connection: {
            host: '127.0.0.1',
            port: 1,
            user: 'app',
            password: 'secret-pw',
          },
        },
      },
    });
    const message = await checkDatabase(config, 2000);
    expect(message).toMatch(
      /^Configuration error: cannot connect to PostgreSQL at app@127\.0\.0\.1:1 \(backend\.database\.connection\): .*ECONNREFUSED/,
    );
    expect(message).not.toContain('secret-pw');
  });
});

describe('checkGrafanaOrigins', () => {
  const config = (grafanaUrl: string) =>
    new ConfigReader({
      app: { baseUrl: 'https://portal.example.com' },
      backend: { baseUrl: 'https://portal.example.com' },
      observability: {
        grafana: {
          instances: [
            { name: 'main', url: 'https://grafana.example.com' },
            { name: 'bad', url: grafanaUrl },
          ],
        },
      },
    });

  it("refuses a Grafana instance on the portal's own origin, naming the setting and the fix", () => {
    expect(
      checkGrafanaOrigins(config('https://portal.example.com/grafana')),
    ).toBe(
      'Configuration error: observability.grafana.instances[1].url (https://portal.example.com/grafana) ' +
        "is on the portal's own origin (app.baseUrl https://portal.example.com). Grafana's panels run " +
        "scripts in frames that keep their origin, which on the portal's origin could act as the " +
        'signed-in user. Serve Grafana on an origin of its own (e.g. https://grafana.example.com).',
    );
  });

  it('accepts Grafana on another origin, another port included', () => {
    expect(
      checkGrafanaOrigins(config('https://portal.example.com:3030')),
    ).toBeUndefined();
    expect(
      checkGrafanaOrigins(config('https://grafana.example.com')),
    ).toBeUndefined();
  });

  it('checks the local default config: Grafana on port 3030, the portal on 3000 and 7007', () => {
    expect(
      checkGrafanaOrigins(
        new ConfigReader({
          app: { baseUrl: 'http://localhost:3000' },
          backend: { baseUrl: 'http://localhost:7007' },
          observability: {
            grafana: {
              instances: [{ name: 'x', url: 'http://localhost:7007/grafana' }],
            },
          },
        }),
      ),
    ).toContain('(backend.baseUrl http://localhost:7007)');
  });
});
