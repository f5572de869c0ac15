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
import { R2_JURISDICTIONS, WorkerDeployer } from '../lib/workerDeployer';
import {
  AccountPlanReader,
  dryRunFacts,
  readConfiguredPlans,
  readPlanFacts,
} from '../lib/accountPlan';
import {
  checkCpuMs,
  checkEngineForPlacement,
  chooseCpuLimit,
  chooseEngine,
} from '../lib/engineChoice';
import { createCloudflareClient } from '../lib/cloudflareClient';
import {
  checkMayDeployFor,
  checkMayTakeOver,
  readAccessConfig,
  missingToken,
  resolveApiToken,
  userClaims,
} from '../lib/access';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { InputError } from '@backstage/errors';
import { checkInput } from '../lib/input';
import { runDeploySteps } from '../lib/steps';
import {
  defaultEntityWait,
  findEntity,
  identityOf,
  type EntityWait,
} from '../lib/entity';
import type { WorkerIdentity } from '../lib/ownership';
import type { SigningKeyVault } from '../lib/signingKeys';
import {
  readUnconfiguredServices,
  skippedMessage,
} from '@internal/plugin-scaffolder-portal-node';
import { examples } from './workerDeploy.examples';

/** The action's id. */
export const WORKER_DEPLOY_ACTION_ID = 'cloudflare:worker:deploy';

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
  /** The catalog, read with the task user's credentials: who owns the Worker's entity now. */
  catalog: CatalogService;
  /** Keeps a generated signing key until its user has seen it once. */
  signingKeys: SigningKeyVault;
  /** The URL where the user sees a generated key, for a reveal id. */
  signingKeyUrl: (revealId: string) => Promise<string>;
  /** How long to wait for an entity that was just registered; shortened in tests. */
  entityWait?: Partial<EntityWait>;
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
  const entityWait: EntityWait = {
    ...defaultEntityWait,
    ...options.entityWait,
  };
  // Read once at start-up, so that a wrong setting stops the backend with a message naming it.
  const access = readAccessConfig(options.config);
  const configuredPlans = readConfiguredPlans(options.config);
  const unconfigured = readUnconfiguredServices(options.config);

  return createTemplateAction({
    id: WORKER_DEPLOY_ACTION_ID,
    description:
      'Deploys the image-optimizing Worker (built from worker/) of a catalog entity to Cloudflare with the token of the group that owns the entity now, on a zone route or on workers.dev. Only members of that group may run it; it claims a new name with a create-only call and updates only a script the portal deployed for the same entity and owner. Re-running with the same input changes nothing.',
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
              'The catalog entity the Worker is deployed for, e.g. `component:default/shop-images`. It must be in the catalog (the action waits a minute for one just registered), with the annotations cloudflare.com/worker-name and cloudflare.com/account-id naming this script and account. Its ref, uid and owner are written on the script as tags',
            ),
        owner: z =>
          z
            .string()
            .optional()
            .describe(
              "Optional: the group that owns the Worker, e.g. `group:default/web-team`; it must be the entity's spec.owner. The owner's token from `cloudflare.teamTokens` is used (or the portal token, for groups in `cloudflare.portalTokenGroups`); whoever runs the task must be a member",
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
              "ENGINE variable. `cloudflare` resizes with Image Transformations (a zone route with Transformations on, accepting every ALLOWED_ORIGINS host as a source; Images Free stops at 5,000 unique transformations a month, nothing billed, Images Paid bills $0.50 per 1,000 past 5,000), `wasm` inside the Worker (its CPU time needs Workers Paid). Before uploading, the action reads the account's Workers plan and the zone's Transformations settings (or cloudflare.accounts where the token may not) and refuses an engine that cannot work there, saying what to change. `auto`, the default, picks `cloudflare` on a route where it works, else `wasm`",
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
              cpuMs: z
                .number()
                .int()
                .min(contract.limits.cpuLimitMs.min)
                .max(contract.limits.cpuLimitMs.max)
                .optional()
                .describe(
                  `CPU time a request may use, in ms, ${contract.limits.cpuLimitMs.min} to ${contract.limits.cpuLimitMs.max}: sent as the script's limits.cpu_ms and as ${contract.bindings.cpuLimitMs}, the same value, so that the wasm engine refuses (422 cpu-limit) what it estimates would run past it; default ${contract.defaults.cpuLimitMs}, Workers Paid's default. Workers Free's limit is fixed at 10 ms: nothing is sent there, and another value is refused`,
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
              'Require signed URLs: the portal generates the SIGNING_KEY secret when the Worker has none, keeps it on redeploys, and shows a new key once through the output signingKeyUrl. When false or left out, the Worker has no SIGNING_KEY',
            ),
        rotateSigningKey: z =>
          z
            .boolean()
            .optional()
            .describe(
              'With signUrls: generate a new signing key even when the Worker has one (the old one stops working at once)',
            ),
        derivativesBucket: z =>
          z
            .string()
            .regex(R2_BUCKET_NAME_PATTERN)
            .optional()
            .describe(
              `R2 bucket bound as ${contract.bindings.derivatives}: the Worker keeps each transformed image there once for all Cloudflare locations. The bucket must already exist in the account. Left out, the Worker has no derivative store (a binding added by hand is removed on the next deploy)`,
            ),
        derivativesJurisdiction: z =>
          z
            .enum(R2_JURISDICTIONS)
            .optional()
            .describe(
              'The jurisdiction the derivativesBucket was created in (`eu`, `fedramp`, `fedramp-high`); left out for a bucket in the default one. The bucket is looked up and bound in that jurisdiction',
            ),
        imagesPerMonth: z =>
          z
            .number()
            .int()
            .min(0)
            .optional()
            .describe(
              'Expected unique transformations a month (image × size × options). Prices the engine in the task log, and refuses the cloudflare engine on Images Free past its 5,000 a month',
            ),
        keepWorkersDev: z =>
          z
            .boolean()
            .optional()
            .describe(
              "On a route: leave the script's workers.dev URL on. Left out, a Worker on a route answers only there (workers.dev is turned off)",
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
              "Replace a script or route that the portal did not deploy for this entity and owner. Only for members of `cloudflare.takeoverGroups` who are also members of the entity's owner group",
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
        signingKeyUrl: z =>
          z
            .string()
            .optional()
            .describe(
              'Set when a new signing key was generated: where the user who ran the task reads it, once, within 15 minutes. Not the key itself',
            ),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      // Every credential in reach, used or not, is kept out of logs and errors.
      const hidden: Array<string | undefined> = [
        access.portalToken,
        ...access.teamTokens.values(),
      ];
      const log = (message: string) => ctx.logger.info(redact(message, hidden));

      try {
        const request = checkInput(input);
        checkCpuMs(input.limits?.cpuMs);
        const claims = userClaims(ctx.user);
        const hasUser = Boolean(ctx.user?.entity);
        if (input.takeover && (hasUser || !ctx.isDryRun)) {
          checkMayTakeOver(access, claims);
        }
        const entity = await findEntity({
          catalog: options.catalog,
          entityRef: request.entityRef,
          credentials: await ctx.getInitiatorCredentials(),
          // A dry run of the image optimizer has registered nothing: nothing to wait for.
          wait: ctx.isDryRun ? { ...entityWait, timeoutMs: 0 } : entityWait,
        });
        let identity: WorkerIdentity;
        if (entity) {
          identity = identityOf({
            entity,
            scriptName: input.scriptName,
            accountId: input.accountId,
            inputOwner: request.owner,
          });
        } else if (ctx.isDryRun && request.owner) {
          log(
            `Dry run: ${request.entityRef} is not in the catalog yet; a real run waits for it and takes its owner from it`,
          );
          identity = {
            entityRef: request.entityRef,
            uid: 'dry-run',
            owner: request.owner,
          };
        } else {
          throw new InputError(
            `The catalog has no entity ${request.entityRef} that you may read${
              ctx.isDryRun ? '' : ` (waited ${entityWait.timeoutMs / 1000} s)`
            }: a Worker is deployed for a registered entity, whose owner group decides who may deploy it. Register its catalog-info.yaml first (the image optimizer template does so before deploying)`,
          );
        }
        if (hasUser || !ctx.isDryRun) {
          checkMayDeployFor(identity.owner, claims, identity.entityRef);
        } else {
          log(
            'Dry run without a catalog user: membership of the owner group is checked when the task runs',
          );
        }
        // Locally (goldenPath.unconfiguredServices: skip) a missing token skips the deploy; in
        // production resolveApiToken fails with the same cause.
        const missing = missingToken(access, identity.owner);
        if (missing && unconfigured === 'skip' && !ctx.isDryRun) {
          ctx.logger.warn(skippedMessage(missing));
          ctx.output('scriptName', input.scriptName);
          return;
        }
        const token = resolveApiToken(access, identity.owner);
        // What the account and zone allow decides the engine, before anything is written.
        const configured = configuredPlans.get(input.accountId);
        const engineRequest = {
          engine: input.engine ?? 'auto',
          placement: request.placement,
          allowedOrigins: input.allowedOrigins,
          imagesPerMonth: input.imagesPerMonth,
        };
        // What the input alone rules out, before anything is asked of Cloudflare.
        checkEngineForPlacement(engineRequest);
        const facts = ctx.isDryRun
          ? dryRunFacts(configured, request.placement)
          : await readPlanFacts({
              reader: new AccountPlanReader({
                client: createClient(token.token),
                retry,
              }),
              accountId: input.accountId,
              configured,
              placement: request.placement,
            });
        facts.notes.forEach(log);
        const decision = chooseEngine(engineRequest, facts);
        const cpu = chooseCpuLimit(input.limits?.cpuMs, facts);
        const plan = planWorkerDeploy({
          bundle: await readBundle(),
          placement: request.placement,
          engine: decision.engine,
          engineReasons: [
            ...decision.reasons,
            cpu.reason,
            ...(decision.cost
              ? [
                  `Cost for ${input.imagesPerMonth} a month: ${decision.cost.text}`,
                ]
              : []),
          ],
          allowedOrigins: input.allowedOrigins,
          limits: {
            maxSourceBytes: input.limits?.maxSourceBytes,
            maxPixels: input.limits?.maxPixels,
            originTimeoutMs: input.limits?.originTimeoutMs,
            cpuLimitMs: cpu.bindingMs,
          },
          cpuLimitMs: cpu.limitMs,
          compatibilityDate: input.compatibilityDate,
          signUrls: input.signUrls === true,
          derivativesBucket: input.derivativesBucket || undefined,
          derivativesJurisdiction: input.derivativesBucket
            ? input.derivativesJurisdiction
            : undefined,
        });
        plan.summary.forEach(log);
        log(
          `Owner: ${identity.owner} (from the catalog entity ${identity.entityRef})`,
        );
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

        const userRef = ctx.user?.ref;
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
          identity,
          takeover: input.takeover === true,
          keepWorkersDev: input.keepWorkersDev === true,
          rotateSigningKey: input.rotateSigningKey === true,
          sealSigningKey: async key => {
            if (!userRef) {
              throw new Error(
                'A generated signing key can only be shown to a signed-in user',
              );
            }
            return options.signingKeys.put(key, userRef);
          },
          hide: secret => hidden.push(secret),
          checkpoint: ctx.checkpoint,
          log,
        });
        ctx.output('url', result.url);
        if (result.deploymentId) {
          ctx.output('deploymentId', result.deploymentId);
        }
        if (result.signingKeyRevealId) {
          ctx.output(
            'signingKeyUrl',
            await options.signingKeyUrl(result.signingKeyRevealId),
          );
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
