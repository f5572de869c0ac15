import { InputError } from '@backstage/errors';
import {
  BENCHMARK,
  cheapestSetting,
  costliestSetting,
  engineMonthlyCost,
  fitsWorkersFree,
  PRICES,
  type MonthlyCost,
} from '@internal/image-worker/cost';
import contract from '@internal/image-worker/contract';
import { READ_PERMISSIONS, type PlanFacts } from './accountPlan';

/** An engine the Worker runs with. */
export type Engine = 'cloudflare' | 'wasm';

/** What a deploy (or the form) asks for. */
export interface EngineRequest {
  engine: 'auto' | Engine;
  placement: { type: 'route'; pattern: string } | { type: 'workersDev' };
  /** ALLOWED_ORIGINS: hosts, optionally with a port. */
  allowedOrigins: string[];
  /** Expected unique transformations a month, when the user gave it. */
  imagesPerMonth?: number;
}

/** The engine picked, why, and what it costs for the expected volume. */
export interface EngineDecision {
  engine: Engine;
  /** One line each: why this engine, on this account. */
  reasons: string[];
  /** For the expected volume, when given. */
  cost?: MonthlyCost;
}

/** Why each engine cannot run here (empty when it can). */
export interface EngineProblems {
  cloudflare: string[];
  wasm: string[];
}

const count = (n: number) => n.toLocaleString('en-US');

/** `assets.example.com:8443` → `assets.example.com`. */
const hostOf = (origin: string) => origin.replace(/:\d+$/, '').toLowerCase();

/**
 * Whether the zone's Transformations accept images from `host`: any origin when the setting is
 * `open` or the Sources list is `*`; otherwise hosts of the zone itself ("Cloudflare will always
 * allow source images from the same zone where your transformations are served") and hosts on
 * the Sources list, an entry `*.example.com` standing for its subdomains
 * (https://developers.cloudflare.com/images/transform-images/sources/). Undefined when the
 * settings could not be read.
 */
export function sourceAccepted(
  host: string,
  zone: NonNullable<PlanFacts['zone']>,
): boolean | undefined {
  if (zone.transformations === 'open' || zone.allowedOrigins === '*') {
    return true;
  }
  if (
    zone.zoneName &&
    (host === zone.zoneName || host.endsWith(`.${zone.zoneName}`))
  ) {
    return true;
  }
  if (zone.allowedOrigins === undefined) {
    return undefined;
  }
  return zone.allowedOrigins.some(entry =>
    entry.startsWith('*.')
      ? host.endsWith(entry.slice(1)) && host !== entry.slice(2)
      : host === entry,
  );
}

const WORKERS_DEV_PROBLEM =
  'the cloudflare engine resizes with Image Transformations, which work only on a route of a zone: deploy to a route, or pick the wasm engine for workers.dev';

/** Refuses what the input alone rules out: the cloudflare engine on workers.dev. */
export function checkEngineForPlacement(request: EngineRequest): void {
  if (
    request.engine === 'cloudflare' &&
    request.placement.type === 'workersDev'
  ) {
    throw new InputError(
      `The cloudflare engine resizes with Image Transformations, which work only on a route of a zone: deploy to a route, or pick the wasm engine for workers.dev`,
    );
  }
}

/** Why the cloudflare engine (Image Transformations) cannot serve this deploy. */
function cloudflareProblems(
  request: EngineRequest,
  facts: PlanFacts,
): string[] {
  if (request.placement.type === 'workersDev') {
    return [WORKERS_DEV_PROBLEM];
  }
  const zone = facts.zone!;
  if (zone.transformations === undefined) {
    return [
      `whether Image Transformations are enabled on zone ${zone.zoneId} could not be read: give the token "${READ_PERMISSIONS.zoneSettings}"`,
    ];
  }
  if (zone.transformations === 'off') {
    return [
      `Image Transformations are off on zone ${
        zone.zoneName ?? zone.zoneId
      } (zone setting transformations): enable them in the dashboard (Images > Transformations > the zone > Enable for zone)`,
    ];
  }
  const problems: string[] = [];
  const hosts = [...new Set(request.allowedOrigins.map(hostOf))];
  const refused = hosts.filter(h => sourceAccepted(h, zone) === false);
  const unknown = hosts.filter(h => sourceAccepted(h, zone) === undefined);
  if (refused.length > 0) {
    problems.push(
      `the Transformations of zone ${
        zone.zoneName ?? zone.zoneId
      } do not accept images from ${refused.join(
        ', ',
      )} (zone setting transformations_allowed_origins${
        Array.isArray(zone.allowedOrigins) && zone.allowedOrigins.length > 0
          ? `: ${zone.allowedOrigins.join(', ')}`
          : ': only the zone itself'
      }): add ${
        refused.length > 1 ? 'them' : 'it'
      } under Images > Transformations > the zone > Sources, or allow any origin`,
    );
  }
  if (unknown.length > 0) {
    problems.push(
      `whether the Transformations of zone ${
        zone.zoneId
      } accept images from ${unknown.join(
        ', ',
      )} could not be read: give the token "${READ_PERMISSIONS.zoneSettings}"`,
    );
  }
  const free = PRICES.images.freeTransformationsPerMonth;
  if (
    request.imagesPerMonth !== undefined &&
    request.imagesPerMonth > free &&
    facts.imagesPlan !== 'paid'
  ) {
    problems.push(
      facts.imagesPlan === 'free'
        ? `the account is on Images Free, which stops at ${count(
            free,
          )} unique transformations a month (nothing billed; error ${
            PRICES.images.freePlanStopError
          } past that), and ${count(
            request.imagesPerMonth,
          )} are expected: buy Images Paid and set imagesPlan: paid in cloudflare.accounts`
        : `the Images plan is not known (no API call answers it) and ${count(
            request.imagesPerMonth,
          )} unique transformations a month are expected, more than Images Free's ${count(
            free,
          )}: set imagesPlan in cloudflare.accounts for this account`,
    );
  }
  return problems;
}

/** Why the wasm engine cannot serve this deploy. */
function wasmProblems(facts: PlanFacts): string[] {
  const cheapest = cheapestSetting();
  const costliest = costliestSetting();
  const cpu = `the wasm engine takes ${count(cheapest.cpuMs)}–${count(
    costliest.cpuMs,
  )} ms of CPU per image in the benchmark, over Workers Free's ${
    PRICES.workers.freeCpuMsPerRequest
  } ms per request`;
  if (facts.workersPlan === 'paid' || fitsWorkersFree(costliest.cpuMs)) {
    return [];
  }
  if (facts.workersPlan === 'free') {
    return [
      `the account is on Workers Free (${facts.workersPlanSource}) and ${cpu}: upgrade it to Workers Paid ($${PRICES.workers.paidPlanPerMonth} a month)`,
    ];
  }
  return [
    `the Workers plan is not known (${facts.workersPlanSource}) and ${cpu}: give the token "${READ_PERMISSIONS.billing}", or set workersPlan in cloudflare.accounts for this account`,
  ];
}

/** Why each engine cannot run with this request on this account. */
export function engineProblems(
  request: EngineRequest,
  facts: PlanFacts,
): EngineProblems {
  return {
    cloudflare: cloudflareProblems(request, facts),
    wasm: wasmProblems(facts),
  };
}

/** What a month of the expected volume costs on `engine`. */
export function monthlyCost(
  engine: Engine,
  imagesPerMonth: number,
  facts: PlanFacts,
): MonthlyCost {
  return engine === 'cloudflare'
    ? engineMonthlyCost({
        engine,
        transformations: imagesPerMonth,
        imagesPlan: facts.imagesPlan,
      })
    : engineMonthlyCost({
        engine,
        transformations: imagesPerMonth,
        // The costliest setting of the benchmark: an upper bound for the mix.
        cpuMs: costliestSetting().cpuMs,
      });
}

const sentence = (problems: string[]) =>
  problems.map(p => `${p[0].toUpperCase()}${p.slice(1)}`).join('. ');

/**
 * Picks the engine that works on this account and zone, or refuses, before anything is
 * uploaded, with what to change. `auto` takes the cloudflare engine on a route when it can serve
 * (nothing to pay up to 5,000 a month), else wasm; an explicit engine that cannot work is refused.
 */
export function chooseEngine(
  request: EngineRequest,
  facts: PlanFacts,
): EngineDecision {
  const problems = engineProblems(request, facts);
  const viable = (engine: Engine) => problems[engine].length === 0;
  let engine: Engine;
  const reasons: string[] = [];
  if (request.engine !== 'auto') {
    if (!viable(request.engine)) {
      const alternative: Engine =
        request.engine === 'wasm' ? 'cloudflare' : 'wasm';
      throw new InputError(
        `The ${
          request.engine
        } engine cannot work here, so nothing was uploaded: ${sentence(
          problems[request.engine],
        )}${
          viable(alternative)
            ? `. The ${alternative} engine would: pick it, or Automatic`
            : ''
        }`,
      );
    }
    engine = request.engine;
    reasons.push(`Engine ${engine}, as asked`);
  } else {
    const order: Engine[] =
      request.placement.type === 'route'
        ? ['cloudflare', 'wasm']
        : ['wasm', 'cloudflare'];
    const pick = order.find(viable);
    if (!pick) {
      throw new InputError(
        `No engine can work here, so nothing was uploaded. cloudflare engine: ${sentence(
          problems.cloudflare,
        )}. wasm engine: ${sentence(problems.wasm)}`,
      );
    }
    engine = pick;
    const other: Engine = pick === 'cloudflare' ? 'wasm' : 'cloudflare';
    reasons.push(
      `Engine ${engine}, chosen for this account and placement${
        problems[other].length > 0
          ? ` (the ${other} engine cannot: ${problems[other].join('; ')})`
          : ''
      }`,
    );
  }
  if (engine === 'wasm') {
    reasons.push(
      `Workers plan: ${facts.workersPlan ?? 'not known'} (${
        facts.workersPlanSource
      }); the benchmark's ${count(
        costliestSetting().cpuMs,
      )} ms per image at most (${BENCHMARK.run})`,
    );
  } else {
    reasons.push(
      `Images plan: ${facts.imagesPlan ?? 'not known'} (${
        facts.imagesPlanSource
      })${
        facts.imagesPlan !== 'paid'
          ? `; Images Free stops at ${count(
              PRICES.images.freeTransformationsPerMonth,
            )} unique transformations a month, nothing billed (error ${
              PRICES.images.freePlanStopError
            } past that)`
          : ''
      }`,
    );
  }
  return {
    engine,
    reasons,
    cost:
      request.imagesPerMonth === undefined
        ? undefined
        : monthlyCost(engine, request.imagesPerMonth, facts),
  };
}

/**
 * The CPU limit per request a deploy sets: `limits.cpu_ms` in the upload metadata and the
 * Worker's CPU_LIMIT_MS variable, one value for both (the wasm engine refuses, with 422
 * `cpu-limit`, a request its estimate puts above most of it).
 */
export interface CpuLimitDecision {
  /** CPU_LIMIT_MS, when it is sent. */
  bindingMs?: number;
  /** `limits.cpu_ms`, when it is sent: only on Workers Paid, equal to `bindingMs`. */
  limitMs?: number;
  /** One line for the task log. */
  reason: string;
}

const CPU_INPUT = 'limits.cpuMs';

/**
 * Refuses a CPU limit outside what Cloudflare accepts for `limits.cpu_ms` (the Worker's contract:
 * up to 300,000 ms, 5 minutes, on Workers Paid, whose default is 30,000 ms;
 * https://developers.cloudflare.com/workers/platform/limits/#cpu-time, read 2026-12-07), before
 * anything is asked of Cloudflare.
 */
export function checkCpuMs(cpuMs: number | undefined): void {
  if (cpuMs === undefined) return;
  const { min, max } = contract.limits.cpuLimitMs;
  if (!Number.isSafeInteger(cpuMs) || cpuMs < min || cpuMs > max) {
    throw new InputError(
      `${CPU_INPUT} must be a whole number of ms from ${count(min)} to ${count(
        max,
      )} (Cloudflare's limits.cpu_ms allows up to 5 minutes on Workers Paid), got ${cpuMs}; nothing was uploaded`,
    );
  }
}

/**
 * The CPU limit for this account's Workers plan. Workers Paid: the one asked for, or the
 * contract's default (Workers Paid's own, 30,000 ms), sent as both `limits.cpu_ms` and
 * CPU_LIMIT_MS. Workers Free: its CPU limit is 10 ms and cannot be changed, so no `limits` is
 * sent (CPU_LIMIT_MS says 10 ms), and asking for another limit is refused. An unknown plan sends
 * neither and refuses a limit asked for, as the engine choice refuses to guess the plan.
 */
export function chooseCpuLimit(
  cpuMs: number | undefined,
  facts: PlanFacts,
): CpuLimitDecision {
  checkCpuMs(cpuMs);
  const free = PRICES.workers.freeCpuMsPerRequest;
  const binding = contract.bindings.cpuLimitMs;
  if (facts.workersPlan === 'paid') {
    const ms = cpuMs ?? contract.defaults.cpuLimitMs;
    return {
      bindingMs: ms,
      limitMs: ms,
      reason: `CPU limit: ${count(
        ms,
      )} ms per request (limits.cpu_ms and ${binding}${
        cpuMs === undefined ? ", Workers Paid's default" : ''
      })`,
    };
  }
  if (facts.workersPlan === 'free') {
    if (cpuMs !== undefined && cpuMs !== free) {
      throw new InputError(
        `${CPU_INPUT} ${count(
          cpuMs,
        )} cannot be set: the account is on Workers Free (${
          facts.workersPlanSource
        }), whose CPU limit is ${free} ms per request and cannot be changed. Leave ${CPU_INPUT} out, or upgrade the account to Workers Paid ($${
          PRICES.workers.paidPlanPerMonth
        } a month); nothing was uploaded`,
      );
    }
    return {
      bindingMs: free,
      reason: `CPU limit: Workers Free's ${free} ms per request (${binding}=${free}; limits.cpu_ms is not sent, Workers Free cannot change it)`,
    };
  }
  if (cpuMs !== undefined) {
    throw new InputError(
      `${CPU_INPUT} cannot be set: only Workers Paid may change the CPU limit, and the Workers plan is not known (${facts.workersPlanSource}): give the token "${READ_PERMISSIONS.billing}", or set workersPlan in cloudflare.accounts for this account; nothing was uploaded`,
    );
  }
  return {
    reason: `CPU limit: not set (the Workers plan is not known: ${facts.workersPlanSource})`,
  };
}
