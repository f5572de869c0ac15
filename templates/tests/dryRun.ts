/*
 * Runs a software template through the real scaffolder backend's dry-run API
 * (`POST /api/scaffolder/v2/dry-run`), the same endpoint the template editor uses.
 *
 * Usage, one backend per test file (booting takes about a second; a dry run far less):
 *
 *   const backend = await startDryRunBackend({ features: [import('my-module')] });
 *   const result = await backend.dryRun({ templateDir, values });
 *   await backend.stop();
 *
 * or `dryRunTemplate({ templateDir, values, features })` for a single run.
 */
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import azureModule from '@backstage/plugin-scaffolder-backend-module-azure';
import githubModule from '@backstage/plugin-scaffolder-backend-module-github';
import azurePipelinesModule from '@internal/plugin-scaffolder-backend-module-azure-devops';
import portalCatalogModule from '@internal/plugin-scaffolder-backend-module-portal-catalog';
import localGitModule from '@internal/plugin-scaffolder-backend-module-local-git';

/** A backend feature, or a dynamic import of a package whose default export is one. */
export type FeatureInput =
  | BackendFeature
  | Promise<{ default: BackendFeature }>;

export interface DryRunOptions {
  /** Folder that holds `template.yaml` (and whatever it fetches, e.g. `skeleton/`). */
  templateDir: string;
  /** Every parameter value: the dry-run API applies no defaults from the schema. */
  values: Record<string, unknown>;
  /** Secrets made available to the steps as `${{ secrets.x }}`. */
  secrets?: Record<string, string>;
}

export interface DryRunResult {
  /** HTTP status of the dry-run request: 200, or 400 for values the schema refuses. */
  status: number;
  /** The response body as JSON: `{ output, log, steps, directoryContents }` or `{ errors }`. */
  body: any;
  /** Files of the workspace after the last step, by POSIX path, decoded as UTF-8. */
  files: Map<string, string>;
  /** The task log lines, in order, without terminal colours. */
  log: string[];
  /**
   * Each step's action and its rendered input, as the dry run logs it (secrets
   * redacted), including steps whose action was skipped for not supporting dry runs.
   */
  steps: Array<{ action: string; input: unknown }>;
}

export interface DryRunBackend {
  dryRun(options: DryRunOptions): Promise<DryRunResult>;
  /** The input JSON schema of every action the backend has installed, by action id. */
  actionInputSchemas(): Promise<Map<string, unknown>>;
  stop(): Promise<void>;
}

/**
 * The portal's own settings the template steps check against, from the repository's
 * app-config.yaml: which service connections and environments each owner group may use
 * (`azurePipelines.teams`, `grantedBy`). Tests read them rather than repeat them.
 */
export function portalConfig(): Record<string, any> {
  const appConfig = parseYaml(
    fs.readFileSync(path.resolve(__dirname, '../../app-config.yaml'), 'utf8'),
  );
  const { teams, grantedBy } = appConfig.azurePipelines ?? {};
  return { azurePipelines: { teams, grantedBy } };
}

/** The signed-in user the dry runs are made as; it exists in the mock catalog. */
export const DRY_RUN_USER = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name: 'mock', namespace: 'default' },
  spec: { memberOf: ['group:default/platform-team'] },
};

// Task log lines carry the terminal colours of the backend's logger.
function stripColors(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

const STEP_INPUT =
  /^info: Running (\S+) in dry-run mode with inputs \(secrets redacted\): ([\s\S]*)$/;

function stepInputs(log: string[]) {
  return log.flatMap(line => {
    const match = STEP_INPUT.exec(line);
    return match ? [{ action: match[1], input: JSON.parse(match[2]) }] : [];
  });
}

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return listFiles(full, base);
    }
    return entry.isFile() ? [path.relative(base, full)] : [];
  });
}

/** Reads a template folder into the request body's `template` and `directoryContents`. */
export function readTemplateDir(templateDir: string) {
  const template = parseYaml(
    fs.readFileSync(path.join(templateDir, 'template.yaml'), 'utf8'),
  );
  const directoryContents = listFiles(templateDir).map(file => ({
    path: file.split(path.sep).join('/'),
    base64Content: fs
      .readFileSync(path.join(templateDir, file))
      .toString('base64'),
  }));
  return { template, directoryContents };
}

/**
 * Boots a test backend with the scaffolder, the Azure DevOps and GitHub
 * publishing modules, the Azure pipeline actions, `portal:catalog:register`, `publish:local-git`
 * (with `parseRepoUrl` for its host) and any extra `features`, and returns a dry-run client.
 */
export async function startDryRunBackend(
  options: {
    features?: FeatureInput[];
    /** Catalog entities besides the dry-run user, e.g. one that `catalog:fetch` reads. */
    entities?: Array<Record<string, any>>;
    /** Configuration on top of {@link portalConfig}, top-level keys replaced. */
    config?: Record<string, any>;
  } = {},
): Promise<DryRunBackend> {
  // An in-memory SQLite database of our own: the default test database goes
  // through backend-test-utils' own better-sqlite3 12, whose native module
  // aborts the process on Node 24 when a statement is garbage-collected.
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
  const backend = await startTestBackend({
    features: [
      mockServices.database.factory({ knex }),
      mockServices.rootConfig.factory({
        data: { ...portalConfig(), ...options.config },
      }),
      scaffolderPlugin,
      azureModule,
      githubModule,
      azurePipelinesModule,
      portalCatalogModule,
      localGitModule,
      catalogServiceMock.factory({
        entities: [DRY_RUN_USER, ...((options.entities ?? []) as any[])],
      }),
      ...(options.features ?? []),
    ],
  });

  return {
    async dryRun({ templateDir, values, secrets }) {
      const { template, directoryContents } = readTemplateDir(templateDir);
      const res = await request(backend.server)
        .post('/api/scaffolder/v2/dry-run')
        .send({ template, values, secrets, directoryContents });
      const files = new Map<string, string>();
      for (const file of res.body?.directoryContents ?? []) {
        files.set(
          file.path,
          Buffer.from(file.base64Content, 'base64').toString('utf8'),
        );
      }
      const log: string[] = (res.body?.log ?? []).map(
        (entry: { body: { message: string } }) =>
          stripColors(entry.body.message),
      );
      return {
        status: res.status,
        body: res.body,
        files,
        log,
        steps: stepInputs(log),
      };
    },
    async actionInputSchemas() {
      const res = await request(backend.server).get(
        '/api/scaffolder/v2/actions',
      );
      if (res.status !== 200) {
        throw new Error(`Listing the actions answered ${res.status}`);
      }
      return new Map(
        res.body.map((action: { id: string; schema?: { input?: unknown } }) => [
          action.id,
          action.schema?.input ?? {},
        ]),
      );
    },
    async stop() {
      await backend.stop();
      await knex.destroy();
    },
  };
}

/**
 * The errors of a refused dry run (`result.body.errors`) without the wrappers
 * that only say which `allOf` branch failed (the branch's own error is listed
 * beside its wrapper).
 */
export function ruleErrors<T extends { name: string }>(errors: T[]): T[] {
  return errors.filter(e => e.name !== 'allOf');
}

/** One dry run on a backend of its own. */
export async function dryRunTemplate(
  options: DryRunOptions & { features?: FeatureInput[] },
): Promise<DryRunResult> {
  const backend = await startDryRunBackend({ features: options.features });
  try {
    return await backend.dryRun(options);
  } finally {
    await backend.stop();
  }
}
