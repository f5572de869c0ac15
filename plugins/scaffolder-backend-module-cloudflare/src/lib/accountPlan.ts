import type Cloudflare from 'cloudflare';
import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { describeCloudflareError } from './errors';
import { RetryOptions, withRetry } from './retry';
import { loadCloudflareSdk } from './sdk';

/** An account's Workers plan: Free (10 ms of CPU per request) or Paid. */
export type WorkersPlan = 'free' | 'paid';
/** An account's Images plan: Free (stops at 5,000 unique transformations a month) or Paid. */
export type ImagesPlan = 'free' | 'paid';

/** What `cloudflare.accounts[]` in app-config says about one account. */
export interface ConfiguredPlan {
  workersPlan?: WorkersPlan;
  imagesPlan?: ImagesPlan;
}

/** The zone setting `transformations`: off, on (sources restricted), or open (any origin). */
export type TransformationsSetting = 'on' | 'off' | 'open';

/** What the zone of a route allows for Image Transformations. */
export interface ZoneFacts {
  zoneId: string;
  /** The zone's name (`example.com`); undefined when the token may not read the zone. */
  zoneName?: string;
  /** Undefined when it could not be read (see `notes`). */
  transformations?: TransformationsSetting;
  /**
   * The zone's Transformations > Sources list (`transformations_allowed_origins`): `'*'` for any
   * origin, a list of hosts otherwise (the zone's own hosts are always accepted); undefined when
   * it could not be read.
   */
  allowedOrigins?: '*' | string[];
}

/** What the account and zone allow, and where each fact came from. */
export interface PlanFacts {
  /** Undefined when neither the API nor configuration says. */
  workersPlan?: WorkersPlan;
  /** Where `workersPlan` came from, in words for the log. */
  workersPlanSource: string;
  imagesPlan?: ImagesPlan;
  imagesPlanSource: string;
  /** For a route: what its zone allows. */
  zone?: ZoneFacts;
  /** Lines for the task log: facts the API would not give, and what was used instead. */
  notes: string[];
}

const PLANS = ['free', 'paid'] as const;

function planValue<T extends string>(
  entry: Config,
  key: string,
  index: number,
): T | undefined {
  const value = entry.getOptionalString(key);
  if (value !== undefined && !(PLANS as readonly string[]).includes(value)) {
    throw new Error(
      `cloudflare.accounts[${index}].${key}: '${value}' is not a plan; write free or paid`,
    );
  }
  return value as T | undefined;
}

/**
 * Reads `cloudflare.accounts`: per account id, the Workers and Images plans the operator states,
 * for what the token may not read (the Workers plan without Billing Read) and what no API call
 * answers (the Images plan). Throws naming the setting when a value is wrong.
 */
export function readConfiguredPlans(root: Config): Map<string, ConfiguredPlan> {
  const plans = new Map<string, ConfiguredPlan>();
  (root.getOptionalConfigArray('cloudflare.accounts') ?? []).forEach(
    (entry, index) => {
      const accountId = entry.getString('accountId');
      if (!/^[0-9a-f]{32}$/.test(accountId)) {
        throw new Error(
          `cloudflare.accounts[${index}].accountId: '${accountId}' is not a Cloudflare account id (32 hex digits)`,
        );
      }
      plans.set(accountId, {
        workersPlan: planValue<WorkersPlan>(entry, 'workersPlan', index),
        imagesPlan: planValue<ImagesPlan>(entry, 'imagesPlan', index),
      });
    },
  );
  return plans;
}

/**
 * The rate plan of Workers Paid in an account's subscriptions. The SDK's `RatePlan.id` enum lists
 * only zone plans; `workers_paid` is the id the account subscriptions list is reported to give
 * for Workers Paid (README, "Not run against Cloudflare").
 */
export const WORKERS_PAID_RATE_PLAN = 'workers_paid';

/** Subscription states that do not give the plan (SDK `Shared.Subscription.state`). */
const ENDED_STATES = new Set(['Cancelled', 'Failed', 'Expired']);

/** The permission each read needs, in the dashboard's words. */
export const READ_PERMISSIONS = {
  billing: 'Account > Billing > Read',
  zone: 'Zone > Zone > Read',
  zoneSettings: 'Zone > Zone Settings > Read',
} as const;

type Read<T> =
  | { ok: true; value: T }
  | { ok: false; status: 403 | 404; message: string };

/**
 * Finds out what an account and a zone allow before a deploy: the Workers plan from the account's
 * subscriptions, the zone's name and its Image Transformations settings, each through the API
 * where the token may read it and from `cloudflare.accounts` where it may not. The Images plan
 * comes from configuration only: no documented call answers it.
 */
export class AccountPlanReader {
  private readonly client: Cloudflare;
  private readonly sdk = loadCloudflareSdk();
  private readonly retry: RetryOptions;

  constructor(options: { client: Cloudflare; retry: RetryOptions }) {
    this.client = options.client;
    this.retry = options.retry;
  }

  /** A read that answers 403 or 404 as a value; other failures throw, explained. */
  private async read<T>(
    operation: string,
    ctx: { accountId: string; zoneId?: string },
    fn: () => Promise<T>,
  ): Promise<Read<T>> {
    try {
      return { ok: true, value: await withRetry(fn, this.retry) };
    } catch (error) {
      if (
        error instanceof this.sdk.APIError &&
        (error.status === 403 || error.status === 404)
      ) {
        return {
          ok: false,
          status: error.status,
          message: (error.errors ?? [])
            .map(e => (e as { message?: string }).message)
            .filter(Boolean)
            .join('; '),
        };
      }
      throw describeCloudflareError(error, {
        operation,
        scope: ctx.zoneId ? 'routes' : 'scripts',
        accountId: ctx.accountId,
        zoneId: ctx.zoneId,
      });
    }
  }

  /**
   * Workers Paid or Free, from "List Subscriptions" (`GET /accounts/{account_id}/subscriptions`,
   * SDK `accounts.subscriptions.get`, https://developers.cloudflare.com/api/resources/accounts/subscriptions/methods/get/),
   * which needs Billing Read; from configuration when the token may not read it.
   */
  async workersPlan(
    accountId: string,
    configured: ConfiguredPlan | undefined,
    notes: string[],
  ): Promise<{ plan?: WorkersPlan; source: string }> {
    const answer = await this.read(
      `read the subscriptions of account '${accountId}'`,
      { accountId },
      async () =>
        (
          await this.client.accounts.subscriptions.get({
            account_id: accountId,
          })
        ).getPaginatedItems(),
    );
    if (answer.ok) {
      const paid = answer.value.some(
        s =>
          s.rate_plan?.id === (WORKERS_PAID_RATE_PLAN as string) &&
          !ENDED_STATES.has(s.state ?? ''),
      );
      if (paid) {
        return { plan: 'paid', source: "the account's subscriptions" };
      }
      if (configured?.workersPlan === 'paid') {
        // Enterprise contracts may carry Workers under another rate plan.
        notes.push(
          `The account's subscriptions list no Workers Paid; cloudflare.accounts says paid, which is used`,
        );
        return {
          plan: 'paid',
          source: 'cloudflare.accounts (the subscriptions list none)',
        };
      }
      return { plan: 'free', source: "the account's subscriptions" };
    }
    const why = `the token may not read the account's subscriptions (${
      answer.status
    }${answer.message ? `: ${answer.message}` : ''}; it needs "${
      READ_PERMISSIONS.billing
    }")`;
    if (configured?.workersPlan) {
      notes.push(
        `Workers plan: ${why}; using cloudflare.accounts, which says ${configured.workersPlan}`,
      );
      return {
        plan: configured.workersPlan,
        source: 'cloudflare.accounts (configuration)',
      };
    }
    notes.push(
      `Workers plan not known: ${why}, and cloudflare.accounts has no workersPlan for ${accountId}`,
    );
    return { source: `unknown: ${why}` };
  }

  /**
   * The zone's name ("Zone Details", `GET /zones/{zone_id}`), and its Image Transformations
   * settings ("Get zone setting", `GET /zones/{zone_id}/settings/{setting_id}`, SDK
   * `zones.settings.get`: `transformations` is `on`, `off` or `open`, and
   * `transformations_allowed_origins` is "Comma-separated list of allowed origin domains ... Use
   * "*" to allow all origins",
   * https://developers.cloudflare.com/api/resources/zones/subresources/transformations_allowed_origins/).
   * "By default, Cloudflare accepts only source images from the zone where your transformations
   * are served" (https://developers.cloudflare.com/images/transform-images/sources/).
   */
  async zone(
    accountId: string,
    zoneId: string,
    notes: string[],
  ): Promise<ZoneFacts> {
    const ctx = { accountId, zoneId };
    const facts: ZoneFacts = { zoneId };
    const zone = await this.read(`read the zone '${zoneId}'`, ctx, () =>
      this.client.zones.get({ zone_id: zoneId }),
    );
    if (!zone.ok && zone.status === 404) {
      throw new InputError(
        `Cloudflare zone '${zoneId}' was not found when trying to read it: check the zone id, and that the token has access to it. Cloudflare said: ${zone.message}`,
      );
    }
    if (zone.ok) {
      facts.zoneName = zone.value.name;
    } else {
      notes.push(
        `Zone ${zoneId}: the token may not read it (${zone.status}; "${READ_PERMISSIONS.zone}"), so only hosts on its Sources list count as accepted`,
      );
    }
    const setting = await this.read(
      `read the Transformations setting of zone '${zoneId}'`,
      ctx,
      () =>
        this.client.zones.settings.get('transformations', { zone_id: zoneId }),
    );
    if (setting.ok) {
      facts.transformations = settingValue(
        setting.value,
      ) as TransformationsSetting;
    } else if (setting.status === 404) {
      // No such setting on the zone: Transformations were never enabled there.
      facts.transformations = 'off';
    } else {
      notes.push(
        `Zone ${zoneId}: the token may not read whether Transformations are enabled (403; it needs "${READ_PERMISSIONS.zoneSettings}")`,
      );
    }
    if (facts.transformations === 'on') {
      const origins = await this.read(
        `read the Transformations sources of zone '${zoneId}'`,
        ctx,
        () =>
          this.client.zones.settings.get('transformations_allowed_origins', {
            zone_id: zoneId,
          }),
      );
      if (origins.ok) {
        facts.allowedOrigins = parseAllowedOrigins(
          String(settingValue(origins.value) ?? ''),
        );
      } else if (origins.status === 404) {
        // Never set: only the zone's own hosts.
        facts.allowedOrigins = [];
      } else {
        notes.push(
          `Zone ${zoneId}: the token may not read the Transformations sources (403; it needs "${READ_PERMISSIONS.zoneSettings}")`,
        );
      }
    }
    return facts;
  }
}

/** The `value` of a zone setting (the SDK's union has members without one). */
function settingValue(setting: object): unknown {
  return 'value' in setting ? setting.value : undefined;
}

/** `a.com, b.com` → `['a.com', 'b.com']`; `*` → `'*'`. */
export function parseAllowedOrigins(value: string): '*' | string[] {
  const entries = value
    .split(',')
    .map(e => e.trim().toLowerCase())
    .filter(Boolean);
  return entries.includes('*') ? '*' : entries;
}

/**
 * The facts of a dry run, which asks Cloudflare nothing: what `cloudflare.accounts` states, and
 * for the rest what lets each engine work, said so in the notes. The real run reads them and
 * refuses an engine that cannot work.
 */
export function dryRunFacts(
  configured: ConfiguredPlan | undefined,
  placement: { type: 'route'; zoneId: string } | { type: 'workersDev' },
): PlanFacts {
  const unchecked = 'dry run: not asked of Cloudflare';
  const notes: string[] = [];
  if (!configured?.workersPlan) {
    notes.push(
      "Dry run: the Workers plan is not checked; the task reads it from the account's subscriptions and refuses the wasm engine on Workers Free",
    );
  }
  if (placement.type === 'route') {
    notes.push(
      "Dry run: the zone's Transformations settings are not checked; the task reads them and refuses the cloudflare engine where they cannot serve",
    );
  }
  return {
    workersPlan: configured?.workersPlan ?? 'paid',
    workersPlanSource: configured?.workersPlan
      ? 'cloudflare.accounts (configuration)'
      : unchecked,
    imagesPlan: configured?.imagesPlan,
    imagesPlanSource: configured?.imagesPlan
      ? 'cloudflare.accounts (configuration)'
      : 'unknown: cloudflare.accounts has no imagesPlan for this account',
    zone:
      placement.type === 'route'
        ? {
            zoneId: placement.zoneId,
            transformations: 'on',
            allowedOrigins: '*',
          }
        : undefined,
    notes,
  };
}

/** Reads everything a deploy's engine depends on. */
export async function readPlanFacts(options: {
  reader: AccountPlanReader;
  accountId: string;
  configured?: ConfiguredPlan;
  placement: { type: 'route'; zoneId: string } | { type: 'workersDev' };
}): Promise<PlanFacts> {
  const { reader, accountId, configured, placement } = options;
  const notes: string[] = [];
  const workers = await reader.workersPlan(accountId, configured, notes);
  const zone =
    placement.type === 'route'
      ? await reader.zone(accountId, placement.zoneId, notes)
      : undefined;
  return {
    workersPlan: workers.plan,
    workersPlanSource: workers.source,
    imagesPlan: configured?.imagesPlan,
    // No documented API call answers the Images plan (README, "Plan and engine").
    imagesPlanSource: configured?.imagesPlan
      ? 'cloudflare.accounts (configuration; no API call answers it)'
      : 'unknown: cloudflare.accounts has no imagesPlan for this account, and no API call answers it',
    zone,
    notes,
  };
}
