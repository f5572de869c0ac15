import type Cloudflare from 'cloudflare';
import type { APIError } from 'cloudflare';
import { InputError } from '@backstage/errors';
import type { WorkerBundle } from '@internal/image-worker/bundle';
import contract from '@internal/image-worker/contract';
import { CallContext, describeCloudflareError } from './errors';
import { RetryOptions, withRetry } from './retry';
import { loadCloudflareSdk } from './sdk';
import type { ScriptLimits } from './plan';
import {
  hostMatches,
  parsePattern,
  patternsOverlap,
  samePattern,
} from './routes';

/** A variable (`plain_text`) or secret (`secret_text`) binding of the Worker. */
export interface TextBinding {
  type: 'plain_text' | 'secret_text';
  name: string;
  text: string;
}

/**
 * An R2 bucket binding, as the script upload's metadata takes it: `{ type: 'r2_bucket', name,
 * bucket_name }` (https://developers.cloudflare.com/workers/configuration/multipart-upload-metadata/,
 * bindings; the `r2_bucket` kind in the Workers script upload reference).
 */
export interface R2BucketBinding {
  type: 'r2_bucket';
  name: string;
  bucket_name: string;
  /** The bucket's jurisdiction (SDK `WorkersBindingKindR2Bucket.jurisdiction`); left out for the default. */
  jurisdiction?: R2Jurisdiction;
}

/**
 * An R2 jurisdiction a bucket's data stays in, as the script upload's `r2_bucket` binding takes it
 * (`jurisdiction?: 'eu' | 'fedramp' | 'fedramp-high'` in the SDK's `ScriptUpdateParams`;
 * https://developers.cloudflare.com/r2/reference/data-location/#jurisdictional-restrictions).
 */
export type R2Jurisdiction = 'eu' | 'fedramp' | 'fedramp-high';

/** The jurisdictions, for the input schema. */
export const R2_JURISDICTIONS: [R2Jurisdiction, ...R2Jurisdiction[]] = [
  'eu',
  'fedramp',
  'fedramp-high',
];

/** A binding the action uploads with the script. */
export type WorkerBinding = TextBinding | R2BucketBinding;

/** The version serving a script's traffic, as far as the portal needs it. */
export interface ActiveVersion {
  deploymentId: string;
  versionId: string;
  /** True when the deployment splits traffic between two versions (a gradual rollout). */
  split: boolean;
  /** The version's `workers/tag` annotation; the portal writes its deploy hash there. */
  tag?: string;
  /** Names of its `secret_text` bindings (their values are never returned). */
  secretNames: string[];
}

/** The result of attaching the Worker to a route. */
export interface RouteResult {
  id: string;
  /** What happened: the route was `created`, pointed at this script (`updated`), or already right. */
  change: 'created' | 'updated' | 'unchanged';
}

export interface WorkerDeployerOptions {
  client: Cloudflare;
  accountId: string;
  scriptName: string;
  retry: RetryOptions;
  /** Receives progress messages (already free of secrets). */
  log: (message: string) => void;
}

/** The secret binding the Worker reads its URL-signing key from. */
export const SIGNING_KEY_BINDING = contract.bindings.signingKey;

/**
 * The Cloudflare calls that deploy one Worker script: each retried on rate limits and server
 * errors, and each failure turned into an error that says what to do.
 */
export class WorkerDeployer {
  private readonly client: Cloudflare;
  private readonly sdk = loadCloudflareSdk();
  private readonly accountId: string;
  private readonly scriptName: string;
  private readonly retry: RetryOptions;
  private readonly log: (message: string) => void;

  constructor(options: WorkerDeployerOptions) {
    this.client = options.client;
    this.accountId = options.accountId;
    this.scriptName = options.scriptName;
    this.retry = options.retry;
    this.log = options.log;
  }

  private async call<T>(
    ctx: Omit<CallContext, 'accountId'>,
    fn: () => Promise<T>,
  ): Promise<T> {
    let attempts = 1;
    try {
      return await withRetry(fn, this.retry, (attempt, delayMs, error) => {
        attempts = attempt + 1;
        const status =
          error instanceof this.sdk.APIError ? error.status : 'no answer';
        this.log(
          `Cloudflare API answered ${status} when trying to ${ctx.operation}; retrying in ${delayMs} ms (attempt ${attempts})`,
        );
      });
    } catch (error) {
      throw describeCloudflareError(error, {
        ...ctx,
        accountId: this.accountId,
        attempts: attempts > 1 ? attempts : undefined,
      });
    }
  }

  /**
   * Uploads the bundle's modules with their bindings (`PUT .../workers/scripts/:name`), which
   * creates a version and deploys it at once. `annotations['workers/tag']` labels that version
   * (https://developers.cloudflare.com/workers/configuration/multipart-upload-metadata/,
   * annotations); `keep_bindings: ['secret_text']` keeps the secrets of the version before
   * (same page, keep_bindings), so that a redeploy need not know the signing key.
   */
  async upload(options: {
    bundle: WorkerBundle;
    compatibilityDate: string;
    bindings: WorkerBinding[];
    tags: string[];
    versionTag: string;
    keepSecrets: boolean;
    /** The script's `limits` (`cpu_ms`), when set (lib/plan.ts `ScriptLimits`). */
    limits?: ScriptLimits;
  }): Promise<void> {
    const { bundle, compatibilityDate, bindings, tags } = options;
    const files = await Promise.all(
      bundle.modules.map(m =>
        this.sdk.toFile(m.content, m.name, { type: m.contentType }),
      ),
    );
    await this.call(
      {
        operation: `upload the Worker script '${this.scriptName}'`,
        scope: 'scripts',
      },
      () =>
        this.client.workers.scripts.update(this.scriptName, {
          account_id: this.accountId,
          metadata: {
            main_module: bundle.mainModule,
            compatibility_date: compatibilityDate,
            compatibility_flags: bundle.compatibilityFlags,
            bindings,
            tags,
            // Workers Logs, as `wrangler.jsonc` turns them on for `wrangler deploy`: the upload
            // metadata's `observability` (SDK `ScriptUpdateParams.Metadata.Observability`,
            // https://developers.cloudflare.com/workers/observability/logs/workers-logs/).
            observability: { enabled: true },
            // The CPU limit per request, the same value as the CPU_LIMIT_MS variable.
            ...(options.limits ? { limits: options.limits } : {}),
            annotations: {
              'workers/tag': options.versionTag,
              'workers/message':
                'Deployed by the portal (cloudflare:worker:deploy)',
            },
            ...(options.keepSecrets ? { keep_bindings: ['secret_text'] } : {}),
          },
          files,
        }),
    );
  }

  /**
   * Claims the name with a call that fails when a Worker of that name exists: "Create Worker"
   * of the Workers API (`POST /accounts/{account_id}/workers/workers`), whose counterpart
   * "Update Worker" "operates on an existing Worker"
   * (https://developers.cloudflare.com/api/resources/workers/subresources/beta/subresources/workers/methods/create/).
   * The claim carries the portal's tags, so another task that loses the race reads them.
   * Returns `exists` when Cloudflare answers 409.
   */
  async createScript(tags: string[]): Promise<'created' | 'exists'> {
    return this.call(
      {
        operation: `create the Worker '${this.scriptName}'`,
        scope: 'scripts',
      },
      async () => {
        try {
          await this.client.workers.beta.workers.create({
            account_id: this.accountId,
            name: this.scriptName,
            tags,
          });
          return 'created' as const;
        } catch (error) {
          if (error instanceof this.sdk.APIError && error.status === 409) {
            return 'exists' as const;
          }
          throw error;
        }
      },
    );
  }

  /** Replaces the script's tags (`PATCH .../script-settings`, `tags`). */
  async setTags(tags: string[]): Promise<void> {
    await this.call(
      {
        operation: `write the tags of the Worker script '${this.scriptName}'`,
        scope: 'scripts',
      },
      () =>
        this.client.workers.scripts.settings.edit(this.scriptName, {
          account_id: this.accountId,
          tags,
        }),
    );
  }

  /**
   * The version serving traffic: the first deployment of `GET .../deployments` ("The first
   * deployment in the list is the latest deployment actively serving traffic",
   * https://developers.cloudflare.com/api/resources/workers/subresources/scripts/subresources/deployments/methods/list/),
   * its version with the largest share, read with `GET .../versions/{version_id}`. Undefined when
   * nothing is deployed (a Worker only claimed so far).
   */
  async activeVersion(): Promise<ActiveVersion | undefined> {
    const deployments = await this.call(
      {
        operation: `read the deployments of '${this.scriptName}'`,
        scope: 'scripts',
      },
      () =>
        this.client.workers.scripts.deployments.list(this.scriptName, {
          account_id: this.accountId,
        }),
    );
    const deployment = deployments.deployments[0];
    const serving = [...(deployment?.versions ?? [])].sort(
      (a, b) => b.percentage - a.percentage,
    )[0];
    if (!deployment || !serving) {
      return undefined;
    }
    const version = await this.call(
      {
        operation: `read the version ${serving.version_id} of '${this.scriptName}'`,
        scope: 'scripts',
      },
      () =>
        this.client.workers.scripts.versions.get(
          this.scriptName,
          serving.version_id,
          { account_id: this.accountId },
        ),
    );
    // The SDK's type leaves the version's `annotations` out; the API returns them beside
    // `metadata` (wrangler reads `annotations["workers/tag"]` of this answer, packages/wrangler/src/versions/types.ts).
    const annotations = (
      version as { annotations?: Record<string, string | undefined> }
    ).annotations;
    return {
      deploymentId: deployment.id,
      versionId: serving.version_id,
      split: deployment.versions.length > 1,
      tag: annotations?.['workers/tag'],
      secretNames: (version.resources?.bindings ?? [])
        .filter(b => b.type === 'secret_text')
        .map(b => b.name),
    };
  }

  /** The tags of the script, or undefined when there is no such script yet. */
  async currentTags(): Promise<string[] | undefined> {
    return this.call(
      {
        operation: `read the settings of the Worker script '${this.scriptName}'`,
        scope: 'scripts',
      },
      async () => {
        try {
          const settings = await this.client.workers.scripts.settings.get(
            this.scriptName,
            { account_id: this.accountId },
          );
          return settings.tags ?? [];
        } catch (error) {
          if (
            error instanceof this.sdk.APIError &&
            error.status === 404 &&
            isScriptNotFound(error)
          ) {
            return undefined;
          }
          throw error;
        }
      },
    );
  }

  /** Turns on the script's workers.dev URL when it is off; returns the URL's subdomain parts. */
  async enableWorkersDev(): Promise<{
    accountSubdomain: string;
    changed: boolean;
  }> {
    const accountSubdomain = await this.call(
      {
        operation: `read the workers.dev subdomain of account '${this.accountId}'`,
        scope: 'scripts',
      },
      async () => {
        try {
          const result = await this.client.workers.subdomains.get({
            account_id: this.accountId,
          });
          return result.subdomain;
        } catch (error) {
          // The upload before this call proved the account exists: a 404 here means the
          // account never registered its workers.dev subdomain.
          if (error instanceof this.sdk.APIError && error.status === 404) {
            return undefined;
          }
          throw error;
        }
      },
    );
    if (!accountSubdomain) {
      throw new InputError(
        `Cloudflare account '${this.accountId}' has no workers.dev subdomain yet: open Workers & Pages in the Cloudflare dashboard once to register one, or deploy to a route instead`,
      );
    }
    const current = await this.call(
      {
        operation: `read the workers.dev setting of '${this.scriptName}'`,
        scope: 'scripts',
      },
      () =>
        this.client.workers.scripts.subdomain.get(this.scriptName, {
          account_id: this.accountId,
        }),
    );
    if (current.enabled) {
      return { accountSubdomain, changed: false };
    }
    await this.call(
      {
        operation: `enable workers.dev for '${this.scriptName}'`,
        scope: 'scripts',
      },
      () =>
        this.client.workers.scripts.subdomain.create(this.scriptName, {
          account_id: this.accountId,
          enabled: true,
          previews_enabled: false,
        }),
    );
    return { accountSubdomain, changed: true };
  }

  /**
   * Turns the script's workers.dev URL off when it is on (`POST .../scripts/{name}/subdomain`
   * with `enabled: false`, SDK `SubdomainCreateParams`), so that a Worker moved to a route stops
   * answering on workers.dev too. Returns whether it changed anything.
   */
  async disableWorkersDev(): Promise<{ changed: boolean }> {
    const current = await this.call(
      {
        operation: `read the workers.dev setting of '${this.scriptName}'`,
        scope: 'scripts',
      },
      () =>
        this.client.workers.scripts.subdomain.get(this.scriptName, {
          account_id: this.accountId,
        }),
    );
    if (!current.enabled) {
      return { changed: false };
    }
    await this.call(
      {
        operation: `turn off workers.dev for '${this.scriptName}'`,
        scope: 'scripts',
      },
      () =>
        this.client.workers.scripts.subdomain.create(this.scriptName, {
          account_id: this.accountId,
          enabled: false,
          previews_enabled: false,
        }),
    );
    return { changed: true };
  }

  /**
   * Checks, before the upload, that the derivative store's bucket exists where the binding will
   * look: "Get Bucket" (`GET /accounts/{account_id}/r2/buckets/{bucket_name}`), in a jurisdiction
   * through the `cf-r2-jurisdiction` header (the SDK's `r2.buckets.get` sends it;
   * https://developers.cloudflare.com/r2/reference/data-location/#jurisdictional-restrictions:
   * a jurisdictional bucket is only found with its jurisdiction). The header is set here rather
   * than through the SDK's `jurisdiction` parameter, whose type lacks `fedramp-high`. A token that
   * may not read buckets leaves the check to the upload, which refuses a missing bucket (10085).
   */
  async checkBucket(
    bucketName: string,
    jurisdiction: R2Jurisdiction | undefined,
  ): Promise<'found' | 'unchecked'> {
    const where = jurisdiction
      ? `jurisdiction ${jurisdiction}`
      : 'the default jurisdiction';
    return this.call(
      {
        operation: `read the R2 bucket '${bucketName}' in ${where}`,
        scope: 'r2',
      },
      async () => {
        try {
          await this.client.r2.buckets.get(
            bucketName,
            { account_id: this.accountId },
            jurisdiction
              ? { headers: { 'cf-r2-jurisdiction': jurisdiction } }
              : undefined,
          );
          return 'found' as const;
        } catch (error) {
          if (error instanceof this.sdk.APIError && error.status === 403) {
            this.log(
              `The token may not read R2 buckets (403; "Account > Workers R2 Storage > Read"), so the upload checks that '${bucketName}' exists in ${where}`,
            );
            return 'unchecked' as const;
          }
          if (error instanceof this.sdk.APIError && error.status === 404) {
            throw new InputError(
              `The R2 bucket '${bucketName}' does not exist in ${where} of account '${
                this.accountId
              }': create it there (\`wrangler r2 bucket create ${bucketName}${
                jurisdiction ? ` --jurisdiction ${jurisdiction}` : ''
              }\`), or ${
                jurisdiction
                  ? 'give the jurisdiction it was created in'
                  : 'give its jurisdiction when it was created in one (eu, fedramp, fedramp-high)'
              }. Nothing was uploaded`,
            );
          }
          throw error;
        }
      },
    );
  }

  /** The Workers routes of a zone (`GET /zones/{zone_id}/workers/routes`). */
  private async listRoutes(zoneId: string) {
    return this.call(
      {
        scope: 'routes',
        zoneId,
        operation: `list the Workers routes of zone '${zoneId}'`,
      },
      async () =>
        (
          await this.client.workers.routes.list({ zone_id: zoneId })
        ).getPaginatedItems(),
    );
  }

  /** The account's Custom Domains (`GET /accounts/{account_id}/workers/domains`). */
  private async listDomains() {
    return this.call(
      {
        scope: 'scripts',
        operation: `list the Workers Custom Domains of account '${this.accountId}'`,
      },
      async () =>
        (
          await this.client.workers.domains.list({
            account_id: this.accountId,
          })
        ).getPaginatedItems(),
    );
  }

  /**
   * Refuses, before anything is written, a route `pattern` of `zoneId` that would take requests
   * another Worker answers: a route of the same pattern that serves another script (or none), a
   * route of another script that matches some of the same URLs (more or less specific), or a
   * Custom Domain of another script on a host the pattern matches. Each is named, and allowed only
   * with `takeover`. Returns the route of the same pattern, when there is one.
   */
  async checkRoute(zoneId: string, pattern: string, takeover: boolean) {
    const routes = await this.listRoutes(zoneId);
    const existing = routes.find(r => samePattern(r.pattern, pattern));
    const conflicts: string[] = [];
    if (existing && existing.script !== this.scriptName) {
      conflicts.push(
        `Route '${
          existing.pattern
        }' in zone ${zoneId} already serves ${describeHolder(existing.script)}`,
      );
    }
    for (const route of routes) {
      if (
        route !== existing &&
        route.script &&
        route.script !== this.scriptName &&
        patternsOverlap(route.pattern, pattern)
      ) {
        conflicts.push(
          `route '${route.pattern}' of the Worker script '${route.script}' in zone ${zoneId} matches some of the same URLs as '${pattern}' (the more specific route would take them)`,
        );
      }
    }
    const parsed = parsePattern(pattern);
    for (const domain of await this.listDomains()) {
      if (
        domain.service !== this.scriptName &&
        hostMatches(parsed, domain.hostname)
      ) {
        conflicts.push(
          `the Custom Domain ${domain.hostname} serves the Worker script '${domain.service}', and a route on that host would take its requests`,
        );
      }
    }
    if (conflicts.length > 0 && !takeover) {
      const [first, ...rest] = conflicts;
      throw new InputError(
        `${first[0].toUpperCase()}${first.slice(1)}${rest
          .map(c => `; ${c}`)
          .join(
            '',
          )}. Pick another route, or ask a member of a takeover group to deploy with \`takeover: true\` once that is agreed`,
      );
    }
    return existing;
  }

  /**
   * Points the route `pattern` of `zoneId` at the script: creates it, or leaves it alone when it
   * already points here (after the checks of {@link checkRoute}). Never creates a duplicate.
   */
  async ensureRoute(
    zoneId: string,
    pattern: string,
    takeover: boolean,
  ): Promise<RouteResult> {
    const ctx = { scope: 'routes' as const, zoneId };
    const existing = await this.checkRoute(zoneId, pattern, takeover);
    if (existing && existing.script === this.scriptName) {
      return { id: existing.id, change: 'unchanged' };
    }
    if (existing) {
      this.log(
        `Taking over route ${existing.pattern}, which served ${describeHolder(
          existing.script,
        )}`,
      );
      const updated = await this.call(
        {
          ...ctx,
          operation: `point the route '${pattern}' at '${this.scriptName}'`,
        },
        () =>
          this.client.workers.routes.update(existing.id, {
            zone_id: zoneId,
            pattern: existing.pattern,
            script: this.scriptName,
          }),
      );
      return { id: updated.id, change: 'updated' };
    }
    // A create is not idempotent: should an attempt time out after Cloudflare stored the
    // route, the retry lists again and finds it rather than creating a second one.
    const created = await this.call(
      {
        ...ctx,
        operation: `create the route '${pattern}' for '${this.scriptName}'`,
      },
      async () => {
        const again = (
          await this.client.workers.routes.list({ zone_id: zoneId })
        ).getPaginatedItems();
        const found = again.find(r => samePattern(r.pattern, pattern));
        if (found) {
          return found;
        }
        return this.client.workers.routes.create({
          zone_id: zoneId,
          pattern,
          script: this.scriptName,
        });
      },
    );
    return { id: created.id, change: 'created' };
  }

  /**
   * Deletes the route `routeId` of `zoneId` when it still serves this script
   * (`DELETE /zones/{zone_id}/workers/routes/{route_id}`). A route that now serves another script
   * was changed by someone else and stays. Returns what happened.
   */
  async removeRoute(
    zoneId: string,
    routeId: string,
  ): Promise<{ result: 'removed' | 'gone' | 'kept'; pattern?: string }> {
    const existing = (await this.listRoutes(zoneId)).find(
      r => r.id === routeId,
    );
    if (!existing) {
      return { result: 'gone' };
    }
    if (existing.script !== this.scriptName) {
      this.log(
        `Route ${existing.pattern} in zone ${zoneId} now serves ${
          existing.script ? `'${existing.script}'` : 'no script'
        }; left as it is`,
      );
      return { result: 'kept', pattern: existing.pattern };
    }
    await this.call(
      {
        scope: 'routes',
        zoneId,
        operation: `delete the route '${existing.pattern}' of '${this.scriptName}'`,
      },
      () => this.client.workers.routes.delete(existing.id, { zone_id: zoneId }),
    );
    return { result: 'removed', pattern: existing.pattern };
  }
}

/** 10007: the script does not exist (as opposed to 7003, an account the request cannot route to). */
function isScriptNotFound(error: APIError): boolean {
  return (error.errors ?? []).some(
    e => (e as { code?: number }).code === 10007,
  );
}

/** `the Worker script 'x'`, or what a route without a script means. */
function describeHolder(script: string | undefined | null): string {
  return script
    ? `the Worker script '${script}'`
    : 'no Worker script (Workers are turned off on it)';
}
