import type Cloudflare from 'cloudflare';
import type { Config } from '@backstage/config';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { readWorkerBundle as readBuiltWorker } from '@internal/image-worker/bundle';
import type { WorkerBundle } from '@internal/image-worker/bundle';
import contract from '@internal/image-worker/contract';
import { redact } from '../lib/redact';
import { defaultRetryOptions, RetryOptions } from '../lib/retry';
import { planWorkerDeploy } from '../lib/plan';
import {
  CLOUDFLARE_ID_PATTERN,
  DATE_PATTERN,
  HOST_PATTERN,
  R2_BUCKET_NAME_PATTERN,
  SCRIPT_NAME_PATTERN,
} from '../lib/validation';
import { WorkerDeployer } from '../lib/workerDeployer';
import { createCloudflareClient } from '../lib/cloudflareClient';
import {
  checkMayDeployFor,
  checkMayTakeOver,
  readAccessConfig,
  resolveApiToken,
  userClaims,
} from '../lib/access';
import { checkInput } from '../lib/input';
import { runDeploySteps } from '../lib/steps';
import { examples } from './workerDeploy.examples';

/** The action's id. */
export const WORKER_DEPLOY_ACTION_ID = 'cloudflare:worker:deploy';

/** The task secret the action reads the URL-signing key from unless the input names another. */
export const DEFAULT_SIGNING_KEY_SECRET = 'signingKey';

/** Options of {@link createCloudflareWorkerDeployAction}. @public */
export interface CloudflareWorkerDeployActionOptions {
  /** Root config: the `cloudflare` section says which token each owner group deploys with. */
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
 * account, on a route of a zone or on workers.dev, with the token of the Worker's owner group.
 * @public
 */
export function createCloudflareWorkerDeployAction(
  options: CloudflareWorkerDeployActionOptions,
) {
  const readBundle = options.readWorkerBundle ?? readBuiltWorker;
  const createClient = options.createClient ?? createCloudflareClient;
  const retry: RetryOptions = { ...defaultRetryOptions, ...options.retry };
  // Read once at start-up, so that a wrong setting stops the backend with a message naming it.
  const access = readAccessConfig(options.config);

  return createTemplateAction({
    id: WORKER_DEPLOY_ACTION_ID,
    description:
      'Deploys the image-optimizing Worker (built from worker/) to Cloudflare with the token of its owner group, on a zone route or on workers.dev. Updates only a script the portal deployed for the same catalog entity. Re-running with the same input changes nothing.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        scriptName: z =>
          z
            .string()
            .max(63)
            .regex(SCRIPT_NAME_PATTERN)
            .describe(
              'Name of the Worker script: lower-case letters, digits and dashes, at most 63 characters',
            ),
        entityRef: z =>
          z
            .string()
            .describe(
              'The catalog entity the Worker is deployed for, e.g. `component:default/shop-images`. Written on the script as a tag; only a script carrying the same tag is ever updated',
            ),
        owner: z =>
          z
            .string()
            .describe(
              'The group that owns the Worker, e.g. `group:default/web-team`. Its token from `cloudflare.teamTokens` is used (or the portal token, for groups in `cloudflare.portalTokenGroups`); whoever runs the task must be a member',
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
            .enum(['auto', 'cloudflare', 'wasm'])
            .optional()
            .describe(
              'ENGINE variable. `cloudflare` resizes with Image Transformations (needs a zone route; free for 5,000 unique transformations a month), `wasm` inside the Worker (its CPU time needs Workers Paid). `auto`, the default, picks `cloudflare` on a route and `wasm` on workers.dev',
            ),
        allowedOrigins: z =>
          z
            .array(z.string().regex(HOST_PATTERN))
            .min(contract.limits.allowedOrigins.minItems)
            .max(contract.limits.allowedOrigins.maxItems)
            .describe(
              'ALLOWED_ORIGINS variable: host names (optionally with port) the Worker may fetch source images from',
            ),
        limits: z =>
          z
            .object({
              maxSourceBytes: z
                .number()
                .int()
                .min(contract.limits.maxSourceBytes.min)
                .max(contract.limits.maxSourceBytes.max)
                .optional()
                .describe(
                  `MAX_SOURCE_BYTES: largest source image accepted, in bytes, ${contract.limits.maxSourceBytes.min} to ${contract.limits.maxSourceBytes.max}; default ${contract.defaults.maxSourceBytes}`,
                ),
              maxPixels: z
                .number()
                .int()
                .min(contract.limits.maxPixels.min)
                .max(contract.limits.maxPixels.max)
                .optional()
                .describe(
                  `MAX_PIXELS: largest source image accepted, in pixels, ${contract.limits.maxPixels.min} to ${contract.limits.maxPixels.max}; default ${contract.defaults.maxPixels}`,
                ),
              originTimeoutMs: z
                .number()
                .int()
                .min(contract.limits.originTimeoutMs.min)
                .max(contract.limits.originTimeoutMs.max)
                .optional()
                .describe(
                  `ORIGIN_TIMEOUT_MS: how long to wait for the image origin, in ms, ${contract.limits.originTimeoutMs.min} to ${contract.limits.originTimeoutMs.max}; default ${contract.defaults.originTimeoutMs}`,
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
              `Name of the task secret (a Secret form field) holding the URL-signing key; default \`${DEFAULT_SIGNING_KEY_SECRET}\``,
            ),
        derivativesBucket: z =>
          z
            .string()
            .regex(R2_BUCKET_NAME_PATTERN)
            .optional()
            .describe(
              `R2 bucket bound as ${contract.bindings.derivatives}: the Worker keeps each transformed image there once for all Cloudflare locations. The bucket must already exist in the account. Left out, the Worker has no derivative store (a binding added by hand is removed on the next deploy)`,
            ),
        placement: z =>
          z
            .object({
              type: z
                .enum(['route', 'workersDev'])
                .describe(
                  "`route`: a route of one of your zones; `workersDev`: the account's workers.dev subdomain",
                ),
              zoneId: z
                .string()
                .optional()
                .describe(
                  'For `route`: id of the zone (32 hex digits) the route belongs to',
                ),
              pattern: z
                .string()
                .optional()
                .describe(
                  'For `route`: route pattern with a concrete host, e.g. `images.example.com/*`',
                ),
            })
            .describe(
              'Where the Worker answers. Moving it from a route removes the route the portal created before',
            ),
        takeover: z =>
          z
            .boolean()
            .optional()
            .describe(
              'Replace a script or route that the portal did not deploy for this entity. Only members of `cloudflare.takeoverGroups` may set it',
            ),
      },
      output: {
        url: z => z.string().optional().describe('URL the Worker answers on'),
        scriptName: z =>
          z.string().describe('Name of the deployed Worker script'),
        engine: z =>
          z
            .enum(['cloudflare', 'wasm'])
            .describe('The engine the Worker runs with (`auto` resolved)'),
        deploymentId: z =>
          z
            .string()
            .optional()
            .describe('Id of the Worker deployment now serving'),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const signingKeySecret =
        input.signingKeySecret || DEFAULT_SIGNING_KEY_SECRET;
      const signingKey = input.signUrls
        ? ctx.secrets?.[signingKeySecret]
        : undefined;
      // Every credential in reach, used or not, is kept out of logs and errors.
      const hidden = [
        access.portalToken,
        ...access.teamTokens.values(),
        ctx.secrets?.[signingKeySecret],
      ];
      const log = (message: string) => ctx.logger.info(redact(message, hidden));

      try {
        const request = checkInput(input, signingKey, signingKeySecret);
        const claims = userClaims(ctx.user);
        if (ctx.user?.entity || !ctx.isDryRun) {
          checkMayDeployFor(access, request.owner, claims);
          if (input.takeover) {
            checkMayTakeOver(access, claims);
          }
        } else {
          log(
            'Dry run without a catalog user: membership of the owner group is checked when the task runs',
          );
        }
        const token = resolveApiToken(access, request.owner);
        const plan = planWorkerDeploy({
          bundle: await readBundle(),
          entityRef: request.entityRef,
          placement: request.placement,
          engine: input.engine ?? 'auto',
          allowedOrigins: input.allowedOrigins,
          limits: input.limits,
          compatibilityDate: input.compatibilityDate,
          signingKey,
          derivativesBucket: input.derivativesBucket || undefined,
        });
        plan.summary.forEach(log);
        log(`Token: ${token.source}`);

        ctx.output('scriptName', input.scriptName);
        ctx.output('engine', plan.engine);
        if (ctx.isDryRun) {
          log(
            `Dry run: would deploy '${input.scriptName}' to account ${input.accountId}; nothing was sent to Cloudflare`,
          );
          if (plan.url) {
            ctx.output('url', plan.url);
          }
          return;
        }

        const result = await runDeploySteps({
          deployer: new WorkerDeployer({
            client: createClient(token.token),
            accountId: input.accountId,
            scriptName: input.scriptName,
            retry,
            log,
          }),
          plan,
          scriptName: input.scriptName,
          accountId: input.accountId,
          entityRef: request.entityRef,
          takeover: input.takeover === true,
          checkpoint: ctx.checkpoint,
          log,
        });
        ctx.output('url', result.url);
        if (result.deploymentId) {
          ctx.output('deploymentId', result.deploymentId);
        }
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
