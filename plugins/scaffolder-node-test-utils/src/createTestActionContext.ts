import type { LoggerService } from '@backstage/backend-plugin-api';
import type { JsonObject, JsonValue } from '@backstage/types';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';

/**
 * A task context for calling an action's handler directly, recording what the action reports:
 * its log lines, its outputs and its checkpoints. (`@backstage/plugin-scaffolder-node-test-utils`
 * has no release that matches the pinned `@backstage/plugin-scaffolder-node` 1.0.0.)
 *
 * @public
 */
export function createTestActionContext<TInput extends JsonObject>(options: {
  input: TInput;
  secrets?: Record<string, string>;
  isDryRun?: boolean;
  /** The user who started the task, as the scaffolder gives it: the catalog entity and its ref. */
  user?: { ref: string; memberOf: string[] };
  /** Checkpoint store; share one between calls to act like a retried task. */
  checkpoints?: Map<string, JsonValue | void>;
}) {
  const logLines: string[] = [];
  const outputs: Record<string, unknown> = {};
  const checkpoints =
    options.checkpoints ?? new Map<string, JsonValue | void>();
  const write =
    (level: string) =>
    (message: string, meta?: Error | JsonObject | unknown) => {
      logLines.push(
        `${level}: ${message}${
          meta === undefined ? '' : ` ${JSON.stringify(meta)}`
        }`,
      );
    };
  const logger: LoggerService = {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: () => logger,
  };
  const ctx = {
    input: options.input,
    secrets: options.secrets,
    isDryRun: options.isDryRun,
    user: options.user && {
      ref: options.user.ref,
      entity: {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: options.user.ref.split('/').pop() },
        spec: { memberOf: options.user.memberOf },
        relations: options.user.memberOf.map(targetRef => ({
          type: 'memberOf',
          targetRef,
        })),
      },
    },
    logger,
    workspacePath: '/tmp/unused-workspace',
    task: { id: 'task-1' },
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    checkpoint: async ({
      key,
      fn,
    }: {
      key: string;
      fn: () => Promise<any>;
    }) => {
      if (checkpoints.has(key)) {
        return checkpoints.get(key);
      }
      const value = await fn();
      checkpoints.set(key, value);
      return value;
    },
    createTemporaryDirectory: async () => {
      throw new Error('not used by the action');
    },
    getInitiatorCredentials: async () => {
      throw new Error('not used by the action');
    },
  } as unknown as ActionContext<TInput>;
  return { ctx, logLines, outputs, checkpoints };
}
