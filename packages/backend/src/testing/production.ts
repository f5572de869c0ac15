import fs from 'node:fs';
import path from 'node:path';
import { findMissingVariables } from '../preflight';
import { REPO_ROOT } from './backendProcess';
import type { PostgresServer } from './postgres';

/** The config files of a production start, in order. */
export const PRODUCTION_CONFIG = [
  'app-config.yaml',
  'app-config.production.yaml',
];

/** A value of the right shape for a variable nothing in these tests connects to. */
function placeholder(variable: string): string {
  // Grafana must not share the portal's origin (preflight refuses that).
  if (variable === 'GRAFANA_URL') return 'http://127.0.0.1:3030';
  if (/URL$/.test(variable)) return 'http://127.0.0.1:7007';
  // Grafana uids are at most 40 characters.
  if (/UID$/.test(variable)) return 'placeholder-uid';
  return `placeholder-${variable.toLowerCase()}`;
}

/**
 * The real database settings, and a placeholder for every other variable the production config
 * requires (sign-in, integrations, Grafana: none of them is contacted at start-up).
 */
export function productionEnv(
  pg: Pick<PostgresServer, 'host' | 'port' | 'user' | 'password'>,
): Record<string, string> {
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
