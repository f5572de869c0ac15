/*
 * Start-up checks that run before any plugin: a production start with a missing environment
 * variable or an unreachable database stops here with one message that names what to fix,
 * instead of a dozen plugin stack traces (or, worse, a silent fall-back to localhost).
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { ConfigSources } from '@backstage/config-loader';
import type { Config } from '@backstage/config';
import { parseAllDocuments } from 'yaml';
import { Client } from 'pg';

/** A `${VAR}` reference in a config file whose variable is not set. */
export interface MissingVariable {
  variable: string;
  setting: string;
  file: string;
}

// `${NAME}` without a `:-default`; `$${NAME}` is an escaped literal.
const REQUIRED_REFERENCE = /(?<!\$)\$\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}/g;

/** The config files a backend started with `argv` reads, as the config loader picks them. */
export function configFilesFor(argv: string[], rootDir: string): string[] {
  const targets = ConfigSources.parseArgs(argv);
  if (targets.length > 0) {
    return targets.flatMap(t => (t.type === 'path' ? [t.target] : []));
  }
  return ['app-config.yaml', 'app-config.local.yaml']
    .map(name => path.join(rootDir, name))
    .filter(file => fs.existsSync(file));
}

/** Every required `${VAR}` in the given YAML text whose variable is unset or empty. */
export function findMissingVariables(
  file: string,
  yamlText: string,
  env: Record<string, string | undefined>,
): MissingVariable[] {
  const missing: MissingVariable[] = [];
  const visit = (value: unknown, at: string[]) => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(REQUIRED_REFERENCE)) {
        const variable = match[1];
        if (!env[variable]?.trim()) {
          missing.push({ variable, setting: at.join('.'), file });
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, [...at, String(i)]));
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value))
        visit(item, [...at, key]);
    }
  };
  for (const doc of parseAllDocuments(yamlText)) {
    visit(doc.toJS(), []);
  }
  return missing;
}

/** One message for all missing variables, naming each variable and the setting it feeds. */
export function describeMissingVariables(missing: MissingVariable[]): string {
  const lines = missing.map(
    m => `  - ${m.variable} (used by ${m.setting} in ${path.basename(m.file)})`,
  );
  return [
    `Configuration error: ${missing.length} required environment variable(s) not set:`,
    ...lines,
    'Set them (see README.md, "Configuration") or remove the settings that use them.',
  ].join('\n');
}

/**
 * Connects once to the configured PostgreSQL server. Returns a message naming the setting to fix
 * when it cannot be reached, or undefined when it can (or when the database is not PostgreSQL).
 */
export async function checkDatabase(
  config: Config,
  timeoutMs = 5000,
): Promise<string | undefined> {
  if (config.getOptionalString('backend.database.client') !== 'pg') {
    return undefined;
  }
  const connection = config.getOptional('backend.database.connection');
  if (typeof connection === 'string') {
    return probe({ connectionString: connection }, 'the connection string');
  }
  const host = config.getOptionalString('backend.database.connection.host');
  const port = Number(
    config.getOptional('backend.database.connection.port') ?? 5432,
  );
  const user = config.getOptionalString('backend.database.connection.user');
  return probe(
    {
      host,
      port,
      user,
      password: config.getOptionalString(
        'backend.database.connection.password',
      ),
      database: 'postgres',
    },
    `${user ?? '(no user)'}@${host ?? 'localhost'}:${port}`,
  );

  async function probe(
    options: ConstructorParameters<typeof Client>[0] & object,
    where: string,
  ): Promise<string | undefined> {
    const client = new Client({
      ...options,
      connectionTimeoutMillis: timeoutMs,
    });
    try {
      await client.connect();
      await client.query('select 1');
      return undefined;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return (
        `Configuration error: cannot connect to PostgreSQL at ${where} ` +
        `(backend.database.connection): ${reason}. ` +
        'Check POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER and POSTGRES_PASSWORD, ' +
        'and that the server accepts connections from this host.'
      );
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/**
 * Refuses a Grafana instance on the portal's own origin. The Observability tab frames Grafana's
 * panels with `sandbox="allow-scripts allow-same-origin"` (panels need both); on the portal's
 * origin those frames could script the portal itself, with the signed-in user's session.
 */
export function checkGrafanaOrigins(config: Config): string | undefined {
  const portal = ['app.baseUrl', 'backend.baseUrl'].flatMap(key => {
    const value = config.getOptionalString(key);
    try {
      return value ? [{ key, origin: new URL(value).origin }] : [];
    } catch {
      return [];
    }
  });
  const instances =
    config.getOptionalConfigArray('observability.grafana.instances') ?? [];
  for (const [i, instance] of instances.entries()) {
    const url = instance.getOptionalString('url');
    let origin: string;
    try {
      origin = new URL(url ?? '').origin;
    } catch {
      continue; // the plugin's own config check names a malformed URL
    }
    const clash = portal.find(p => p.origin === origin);
    if (clash) {
      return (
        `Configuration error: observability.grafana.instances[${i}].url (${url}) is on the ` +
        `portal's own origin (${clash.key} ${clash.origin}). Grafana's panels run scripts in ` +
        "frames that keep their origin, which on the portal's origin could act as the signed-in " +
        'user. Serve Grafana on an origin of its own (e.g. https://grafana.example.com).'
      );
    }
  }
  return undefined;
}

/** Runs every check; resolves with the first problem's message, or undefined when all pass. */
export async function runPreflightChecks(
  argv: string[] = process.argv,
  env: Record<string, string | undefined> = process.env,
  rootDir: string = resolvePackagePath('backend', '../..'),
): Promise<string | undefined> {
  const missing = configFilesFor(argv, rootDir).flatMap(file =>
    findMissingVariables(file, fs.readFileSync(file, 'utf8'), env),
  );
  if (missing.length > 0) {
    return describeMissingVariables(missing);
  }
  const config = await ConfigSources.toConfig(
    ConfigSources.default({ argv, env, rootDir }),
  );
  try {
    return checkGrafanaOrigins(config) ?? (await checkDatabase(config));
  } finally {
    config.close();
  }
}
