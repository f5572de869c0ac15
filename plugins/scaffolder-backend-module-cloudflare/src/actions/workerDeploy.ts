import Cloudflare from 'cloudflare';
import { InputError } from '@backstage/errors';
import type { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { readWorkerBundle as readBuiltWorker } from '@internal/image-worker/bundle';
import type { WorkerBundle } from '@internal/image-worker/bundle';
import { redact } from '../lib/redact';
import { defaultRetryOptions, RetryOptions } from '../lib/retry';
import {
  bundleSize,
  DEPLOY_TAG_PREFIX,
  deployTag,
  formatBytes,
  FREE_PLAN_GZIP_LIMIT_BYTES,
  varBindings,
} from '../lib/plan';
import {
  checkScriptName,
  CLOUDFLARE_ID_PATTERN,
  DATE_PATTERN,
  HOST_PATTERN,
  ROUTE_PATTERN,
  routeUrl,
  workersDevUrl,
} from '../lib/validation';
import {
  SIGNING_KEY_BINDING,
  TextBinding,
  WorkerDeployer,
} from '../lib/workerDeployer';
import { examples } from './workerDeploy.examples';

/** The action's id. */
export const WORKER_DEPLOY_ACTION_ID = 'cloudflare:worker:deploy';

/** Task secret names the action reads unless the input names others. */
export const DEFAULT_SECRET_NAMES = {
  apiToken: 'cloudflareApiToken',
  signingKey: 'signingKey',
} as const;

/** Options of {@link createCloudflareWorkerDeployAction}. @public */
export interface CloudflareWorkerDeployActionOptions {
  /** Root config; `cloudflare.apiToken` is the token used when a template passes none. */
  config: Config;
  /** Reads the Worker's build output; the image Worker's own reader unless replaced. */
  readWorkerBundle?: () => Promise<WorkerBundle>;
  /** Creates the API client for a token; replaced to point the SDK elsewhere. */
  createClient?: (apiToken: string) => Cloudflare;
  /** Retry pauses for rate limits and server errors; shortened in tests. */
  retry?: Partial<RetryOptions>;
}

/**
 * Creates `cloudflare:worker:deploy`: deploys the image Worker from `worker/` to a Cloudflare
 * account, on a route of a zone or on workers.dev.
 * @public
 */
export function createCloudflareWorkerDeployAction(
  options: CloudflareWorkerDeployActionOptions,
) {
  const readBundle = options.readWorkerBundle ?? readBuiltWorker;
  const createClient =
    options.createClient ??
    ((apiToken: string) =>
      // Explicit nulls keep the SDK from picking other credentials out of the environment;
      // retries are done by the action, whose pauses can be tuned.
      new Cloudflare({
        apiToken,
        apiKey: null,
        apiEmail: null,
        userServiceKey: null,
        maxRetries: 0,
      }));
  const retry: RetryOptions = { ...defaultRetryOptions, ...options.retry };

  return createTemplateAction({
    id: WORKER_DEPLOY_ACTION_ID,
    description:
      'Deploys the image-optimizing Worker (built from worker/) to Cloudflare with its variables and URL-signing key, on a zone route or on workers.dev. Re-running with the same input changes nothing.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        scriptName: z =>
          z
            .string()
            .max(63)
            .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/)
            .describe(
              'Name of the Worker script: lower-case letters, digits and dashes, at most 63 characters',
            ),
        accountId: z =>
          z
            .string()
            .regex(CLOUDFLARE_ID_PATTERN)
            .describe(
              'Cloudflare account id (32 hex digits) that owns the Worker',
            ),
        compatibilityDate: z =>
          z
            .string()
            .regex(DATE_PATTERN)
            .optional()
            .describe(
              "Workers compatibility date (YYYY-MM-DD); defaults to the one in the Worker's wrangler.jsonc",
            ),
        engine: z =>
          z
            .enum(['cloudflare', 'wasm'])
            .describe(
              'ENGINE variable: `cloudflare` resizes with Cloudflare Images (needs a zone with Image Transformations), `wasm` inside the Worker',
            ),
        allowedOrigins: z =>
          z
            .array(z.string().regex(HOST_PATTERN))
            .min(1)
            .describe(
              'ALLOWED_ORIGINS variable: host names (optionally with port) the Worker may fetch source images from',
            ),
        limits: z =>
          z
            .object({
              maxSourceBytes: z
                .number()
                .int()
                .positive()
                .optional()
                .describe(
                  'MAX_SOURCE_BYTES: largest source image accepted, in bytes',
                ),
              maxPixels: z
                .number()
                .int()
                .positive()
                .optional()
                .describe(
                  'MAX_PIXELS: largest source image accepted, in pixels',
                ),
              originTimeoutMs: z
                .number()
                .int()
                .positive()
                .optional()
                .describe(
                  'ORIGIN_TIMEOUT_MS: how long to wait for the image origin, in ms',
                ),
            })
            .optional()
            .describe(
              "Limits of the Worker; those left out keep the Worker's defaults",
            ),
        signUrls: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Require signed URLs: sets the SIGNING_KEY secret from the task secret named by signingKeySecret. When false or left out, the Worker has no SIGNING_KEY',
            ),
        signingKeySecret: z =>
          z
            .string()
            .optional()
            .describe(
              `Name of the task secret (a Secret form field) holding the URL-signing key; default \`${DEFAULT_SECRET_NAMES.signingKey}\``,
            ),
        apiTokenSecret: z =>
          z
            .string()
            .optional()
            .describe(
              `Name of the task secret holding a Cloudflare API token; default \`${DEFAULT_SECRET_NAMES.apiToken}\`. Without it, cloudflare.apiToken from app-config is used`,
            ),
        route: z =>
          z
            .object({
              zoneId: z
                .string()
                .regex(CLOUDFLARE_ID_PATTERN)
                .describe(
                  'Id of the zone (32 hex digits) the route belongs to',
                ),
              pattern: z
                .string()
                .regex(ROUTE_PATTERN)
                .describe(
                  'Route pattern with a concrete host, e.g. `images.example.com/*`',
                ),
            })
            .optional()
            .describe(
              'Serve the Worker on this route of a zone; give either route or workersDev',
            ),
        workersDev: z =>
          z
            .boolean()
            .optional()
            .describe(
              "Serve the Worker on the account's workers.dev subdomain; give either route or workersDev",
            ),
      },
      output: {
        url: z => z.string().optional().describe('URL the Worker answers on'),
        scriptName: z =>
          z.string().describe('Name of the deployed Worker script'),
        deploymentId: z =>
          z
            .string()
            .optional()
            .describe('Id of the Worker deployment now serving'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const secretNames = {
        apiToken: input.apiTokenSecret || DEFAULT_SECRET_NAMES.apiToken,
        signingKey: input.signingKeySecret || DEFAULT_SECRET_NAMES.signingKey,
      };
      const configToken = options.config.getOptionalString(
        'cloudflare.apiToken',
      );
      const apiToken =
        ctx.secrets?.[secretNames.apiToken] || configToken || undefined;
      const signingKey = input.signUrls
        ? ctx.secrets?.[secretNames.signingKey]
        : undefined;
      // Every credential in reach, used or not, is kept out of logs and errors.
      const hidden = [
        apiToken,
        configToken,
        ctx.secrets?.[secretNames.apiToken],
        ctx.secrets?.[secretNames.signingKey],
      ];
      const log = (message: string) => ctx.logger.info(redact(message, hidden));

      try {
        const nameProblem = checkScriptName(input.scriptName);
        if (nameProblem) {
          throw new InputError(nameProblem);
        }
        if (Boolean(input.route) === Boolean(input.workersDev)) {
          throw new InputError(
            'Give exactly one place for the Worker: either `route` (zone id and pattern) or `workersDev: true`',
          );
        }
        if (input.signUrls && !signingKey) {
          throw new InputError(
            `signUrls is true but the task has no secret '${secretNames.signingKey}' holding the URL-signing key`,
          );
        }
        if (!apiToken && !ctx.isDryRun) {
          throw new InputError(
            `No Cloudflare API token: set cloudflare.apiToken in app-config or pass one in the task secret '${secretNames.apiToken}'`,
          );
        }

        const bundle = await readBundle();
        const size = bundleSize(bundle);
        const compatibilityDate =
          input.compatibilityDate ?? bundle.compatibilityDate;
        const vars = varBindings({
          engine: input.engine,
          allowedOrigins: input.allowedOrigins,
          ...input.limits,
        });
        const tag = deployTag({
          bundle,
          compatibilityDate,
          bindings: vars,
          signingKey,
        });

        log(
          `Worker bundle: ${bundle.modules.length} module(s), ${formatBytes(
            size.rawBytes,
          )} raw, ${formatBytes(
            size.gzipBytes,
          )} gzip (free-plan limit ${formatBytes(FREE_PLAN_GZIP_LIMIT_BYTES)})`,
        );
        if (size.gzipBytes > FREE_PLAN_GZIP_LIMIT_BYTES) {
          throw new Error(
            `The Worker bundle is ${formatBytes(
              size.gzipBytes,
            )} gzip, over Cloudflare's free-plan limit of ${formatBytes(
              FREE_PLAN_GZIP_LIMIT_BYTES,
            )}`,
          );
        }
        log(
          `Bindings: ${vars.map(b => `${b.name}=${b.text}`).join(', ')}${
            signingKey ? `, ${SIGNING_KEY_BINDING} (secret)` : ''
          }; compatibility date ${compatibilityDate}`,
        );
        const target = input.route
          ? `route ${input.route.pattern} in zone ${input.route.zoneId}`
          : 'workers.dev';

        ctx.output('scriptName', input.scriptName);
        if (ctx.isDryRun) {
          log(
            `Dry run: would deploy '${input.scriptName}' to account ${input.accountId} on ${target}; nothing was sent to Cloudflare`,
          );
          if (input.route) {
            ctx.output('url', routeUrl(input.route.pattern));
          }
          return;
        }

        const deployer = new WorkerDeployer({
          client: createClient(apiToken!),
          accountId: input.accountId,
          scriptName: input.scriptName,
          retry,
          log,
        });
        const key = (step: string) =>
          `cloudflare-worker-deploy:${input.accountId}:${input.scriptName}:${step}`;

        const uploaded = await ctx.checkpoint({
          key: key(`upload:${tag}`),
          fn: async () => {
            const tags = await deployer.currentTags();
            if (tags?.includes(tag)) {
              log(
                `Worker '${input.scriptName}' already runs this code and configuration; not uploaded again`,
              );
              return false;
            }
            const bindings: TextBinding[] = signingKey
              ? [
                  ...vars,
                  {
                    type: 'secret_text',
                    name: SIGNING_KEY_BINDING,
                    text: signingKey,
                  },
                ]
              : vars;
            await deployer.upload({
              bundle,
              compatibilityDate,
              bindings,
              // Tags set by others stay; only the previous deploy's tag is replaced.
              tags: [
                ...(tags ?? []).filter(t => !t.startsWith(DEPLOY_TAG_PREFIX)),
                tag,
              ],
            });
            log(
              `Uploaded Worker '${input.scriptName}' to account ${input.accountId}`,
            );
            return true;
          },
        });

        let url: string;
        if (input.route) {
          const { zoneId, pattern } = input.route;
          const route = await ctx.checkpoint({
            key: key(`route:${zoneId}:${pattern}`),
            fn: async () => ({
              ...(await deployer.ensureRoute(zoneId, pattern)),
            }),
          });
          log(`Route ${pattern} (${route.id}): ${route.change}`);
          url = routeUrl(pattern);
        } else {
          const dev = await ctx.checkpoint({
            key: key('workers-dev'),
            fn: async () => ({ ...(await deployer.enableWorkersDev()) }),
          });
          log(`workers.dev ${dev.changed ? 'enabled' : 'was already enabled'}`);
          url = workersDevUrl(input.scriptName, dev.accountSubdomain);
        }

        const deploymentId = await deployer.latestDeploymentId();
        ctx.output('url', url);
        if (deploymentId) {
          ctx.output('deploymentId', deploymentId);
        }
        log(
          `Worker '${input.scriptName}' ${
            uploaded ? 'deployed' : 'unchanged'
          }: ${url}${deploymentId ? ` (deployment ${deploymentId})` : ''}`,
        );
      } catch (error) {
        throw scrub(error, hidden);
      }
    },
  });
}

/** The same error with every secret taken out of its message and stack. */
function scrub(error: unknown, secrets: Array<string | undefined>): Error {
  if (!(error instanceof Error)) {
    return new Error(redact(String(error), secrets));
  }
  error.message = redact(error.message, secrets);
  if (error.stack) {
    error.stack = redact(error.stack, secrets);
  }
  if (error.cause !== undefined) {
    // The SDK attaches the failed request's details as the cause; they are not needed here.
    error.cause = undefined;
  }
  return error;
}
