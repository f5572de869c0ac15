import type Cloudflare from 'cloudflare';
import type { APIError } from 'cloudflare';
import { InputError } from '@backstage/errors';
import type { WorkerBundle } from '@internal/image-worker/bundle';
import contract from '@internal/image-worker/contract';
import { CallContext, describeCloudflareError } from './errors';
import { RetryOptions, withRetry } from './retry';
import { loadCloudflareSdk } from './sdk';

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
}

/** A binding the action uploads with the script. */
export type WorkerBinding = TextBinding | R2BucketBinding;

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

  /** Uploads the bundle's modules with their bindings (`PUT .../workers/scripts/:name`). */
  async upload(options: {
    bundle: WorkerBundle;
    compatibilityDate: string;
    bindings: WorkerBinding[];
    tags: string[];
  }): Promise<{ etag?: string }> {
    const { bundle, compatibilityDate, bindings, tags } = options;
    const files = await Promise.all(
      bundle.modules.map(m =>
        this.sdk.toFile(m.content, m.name, { type: m.contentType }),
      ),
    );
    const result = await this.call(
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
          },
          files,
        }),
    );
    return { etag: result.etag };
  }

  /** The tags of the deployed script, or undefined when there is no such script yet. */
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
            {
              account_id: this.accountId,
            },
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

  /**
   * Refuses, before anything is written, a route `pattern` of `zoneId` that serves another
   * script (or none), naming it, unless `takeover` is set. Returns the route when it exists.
   */
  async checkRoute(zoneId: string, pattern: string, takeover: boolean) {
    const existing = (await this.listRoutes(zoneId)).find(
      r => r.pattern === pattern,
    );
    if (existing && existing.script !== this.scriptName && !takeover) {
      throw new InputError(
        `Route '${pattern}' in zone ${zoneId} already serves ${describeHolder(
          existing.script,
        )}. Pick another route, or ask a member of a takeover group to deploy with \`takeover: true\` once that is agreed`,
      );
    }
    return existing;
  }

  /**
   * Points the route `pattern` of `zoneId` at the script: creates it, or leaves it alone when it
   * already points here. A route that serves another script (or none) is refused with a message
   * naming that script, unless `takeover` is set. Never creates a duplicate.
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
        `Taking over route ${pattern}, which served ${describeHolder(
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
            pattern,
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
        const found = again.find(r => r.pattern === pattern);
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
   * Deletes the route `pattern` of `zoneId` when it still serves this script
   * (`DELETE /zones/{zone_id}/workers/routes/{route_id}`). A route that now serves another script
   * was changed by someone else and stays. Returns what happened.
   */
  async removeRoute(
    zoneId: string,
    pattern: string,
  ): Promise<'removed' | 'gone' | 'kept'> {
    const existing = (await this.listRoutes(zoneId)).find(
      r => r.pattern === pattern,
    );
    if (!existing) {
      return 'gone';
    }
    if (existing.script !== this.scriptName) {
      this.log(
        `Route ${pattern} in zone ${zoneId} now serves ${
          existing.script ? `'${existing.script}'` : 'no script'
        }; left as it is`,
      );
      return 'kept';
    }
    await this.call(
      {
        scope: 'routes',
        zoneId,
        operation: `delete the route '${pattern}' of '${this.scriptName}'`,
      },
      () => this.client.workers.routes.delete(existing.id, { zone_id: zoneId }),
    );
    return 'removed';
  }

  /** The id of the script's newest deployment. */
  async latestDeploymentId(): Promise<string | undefined> {
    const result = await this.call(
      {
        operation: `read the deployments of '${this.scriptName}'`,
        scope: 'scripts',
      },
      () =>
        this.client.workers.scripts.deployments.list(this.scriptName, {
          account_id: this.accountId,
        }),
    );
    const newest = [...result.deployments].sort((a, b) =>
      b.created_on.localeCompare(a.created_on),
    )[0];
    return newest?.id;
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
