import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { WorkerBundle } from '@internal/image-worker/bundle';
import { InputError } from '@backstage/errors';
import contract from '@internal/image-worker/contract';
import {
  SIGNING_KEY_BINDING,
  type R2BucketBinding,
  type R2Jurisdiction,
  type TextBinding,
  type WorkerBinding,
} from './workerDeployer';
import { routeUrl } from './validation';

/** Cloudflare's limit for a Worker on the free plan, after gzip (the Worker's contract). */
export const FREE_PLAN_GZIP_LIMIT_BYTES = contract.limits.bundleGzipBytes;

/** The Worker's variables, as the action's input gives them. */
export interface WorkerVars {
  engine: 'cloudflare' | 'wasm';
  allowedOrigins: string[];
  maxSourceBytes?: number;
  maxPixels?: number;
  originTimeoutMs?: number;
  /** CPU_LIMIT_MS: the CPU limit the Worker refuses against (the script's `limits.cpu_ms`). */
  cpuLimitMs?: number;
}

/** Prefix of the version tag that identifies a deploy's content (see {@link deployTag}). */
export const DEPLOY_TAG_PREFIX = 'portal-';

/** Raw and gzip size of a bundle, all modules together. */
export interface BundleSize {
  rawBytes: number;
  gzipBytes: number;
}

/** Sizes the upload: each module gzipped on its own, the way Cloudflare measures it. */
export function bundleSize(bundle: WorkerBundle): BundleSize {
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const module of bundle.modules) {
    rawBytes += module.content.byteLength;
    gzipBytes += gzipSync(module.content, { level: 9 }).byteLength;
  }
  return { rawBytes, gzipBytes };
}

/** `1234567` → `1205.6 KiB`. */
export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The Worker's `plain_text` bindings, by the names the Worker reads. */
export function varBindings(vars: WorkerVars): TextBinding[] {
  const names = contract.bindings;
  const entries: Array<[string, string | number | undefined]> = [
    [names.engine, vars.engine],
    [names.allowedOrigins, vars.allowedOrigins.join(',')],
    [names.maxSourceBytes, vars.maxSourceBytes],
    [names.maxPixels, vars.maxPixels],
    [names.originTimeoutMs, vars.originTimeoutMs],
    [names.cpuLimitMs, vars.cpuLimitMs],
  ];
  return entries
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([name, value]) => ({
      type: 'plain_text',
      name,
      text: String(value),
    }));
}

/** The optional R2 binding that stores each derivative once for all locations (the Worker's contract). */
export const DERIVATIVES_BINDING = contract.bindings.derivatives;

/** The `r2_bucket` binding of the derivative store, for a bucket name and its jurisdiction. */
export function derivativesBinding(
  bucketName: string,
  jurisdiction?: R2Jurisdiction,
): R2BucketBinding {
  return {
    type: 'r2_bucket',
    name: DERIVATIVES_BINDING,
    bucket_name: bucketName,
    ...(jurisdiction ? { jurisdiction } : {}),
  };
}

/**
 * A version tag (`workers/tag`, at most 100 bytes) that identifies everything one deploy uploads:
 * modules, settings, variables, the R2 bucket, and whether URLs are signed. When the version
 * serving traffic carries the same tag, uploading again would change nothing. The signing key
 * itself is not part of it: the portal generates the key and keeps it across uploads.
 */
export function deployTag(options: {
  bundle: WorkerBundle;
  compatibilityDate: string;
  bindings: TextBinding[];
  signUrls: boolean;
  /** The R2 bucket bound as the derivative store, when there is one. */
  derivativesBucket?: string;
  derivativesJurisdiction?: R2Jurisdiction;
  /** The script's `limits`, when the upload sets them. */
  limits?: ScriptLimits;
}): string {
  const { bundle, compatibilityDate, bindings } = options;
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      mainModule: bundle.mainModule,
      compatibilityDate,
      compatibilityFlags: bundle.compatibilityFlags,
      modules: bundle.modules.map(m => [
        m.name,
        m.contentType,
        createHash('sha256').update(m.content).digest('hex'),
      ]),
      bindings: bindings.map(b => [b.type, b.name, b.text]),
      derivativesBucket: options.derivativesBucket ?? null,
      ...(options.derivativesJurisdiction
        ? { derivativesJurisdiction: options.derivativesJurisdiction }
        : {}),
      signUrls: options.signUrls,
      ...(options.limits ? { limits: options.limits } : {}),
      // Workers Logs are turned on by every upload since they were added; versions deployed
      // before that carry another tag and are uploaded once more.
      observability: true,
    }),
  );
  return `${DEPLOY_TAG_PREFIX}${hash.digest('hex').slice(0, 32)}`;
}

/**
 * The script's `limits` in the upload metadata: `cpu_ms`, the CPU time a request may use (SDK
 * `ScriptUpdateParams.Metadata.Limits`; "On the Workers Paid plan, you can increase the maximum
 * CPU time from the default 30 seconds to 5 minutes (300,000 ms)",
 * https://developers.cloudflare.com/workers/platform/limits/#cpu-time, read 2026-12-07).
 */
export interface ScriptLimits {
  cpu_ms: number;
}

/** Where the Worker answers: one route of a zone, or the account's workers.dev subdomain. */
export type Placement =
  | { type: 'route'; zoneId: string; pattern: string }
  | { type: 'workersDev' };

/** What the input asks for; `auto` is resolved by lib/engineChoice.ts from the account's plan. */
export type EngineChoice = 'auto' | 'cloudflare' | 'wasm';

/** Everything one deploy will send, worked out before anything is sent. */
export interface DeployPlan {
  bundle: WorkerBundle;
  size: BundleSize;
  compatibilityDate: string;
  engine: 'cloudflare' | 'wasm';
  /** The Worker's variables (`plain_text`), without the secret. */
  vars: TextBinding[];
  /**
   * What is uploaded besides the signing key: the variables, plus `DERIVATIVES` (`r2_bucket`)
   * when a bucket is given.
   */
  bindings: WorkerBinding[];
  /** Whether the Worker gets a `SIGNING_KEY` secret (generated by the portal). */
  signUrls: boolean;
  /** The R2 bucket bound as `DERIVATIVES`, checked before anything is written. */
  derivatives?: { bucketName: string; jurisdiction?: R2Jurisdiction };
  /** The script's `limits` (`cpu_ms`, equal to CPU_LIMIT_MS), when the upload sets them. */
  limits?: ScriptLimits;
  /** The version tag of this content (see {@link deployTag}). */
  deployTag: string;
  placement: Placement;
  /** The URL the Worker answers on, when it is known without asking Cloudflare (a route). */
  url?: string;
  /** One line for the task log, free of secrets. */
  summary: string[];
}

/**
 * Works out a deploy from the action's input: engine, variables, bindings, tags, size and URL.
 * Throws an `InputError` saying what to change when the combination cannot work, and an error
 * when the bundle is over Cloudflare's free-plan size limit.
 */
export function planWorkerDeploy(options: {
  bundle: WorkerBundle;
  placement: Placement;
  /** The engine lib/engineChoice.ts picked for this account. */
  engine: 'cloudflare' | 'wasm';
  /** Why that engine, one line each, for the summary. */
  engineReasons?: string[];
  allowedOrigins: string[];
  limits?: Omit<WorkerVars, 'engine' | 'allowedOrigins'>;
  compatibilityDate?: string;
  signUrls: boolean;
  /** R2 bucket to bind as the Worker's derivative store; no binding when left out. */
  derivativesBucket?: string;
  /** The bucket's jurisdiction, when it is not the default one. */
  derivativesJurisdiction?: R2Jurisdiction;
  /**
   * `limits.cpu_ms` to send (lib/engineChoice.ts `chooseCpuLimit`); it must equal
   * `limits.cpuLimitMs`, the CPU_LIMIT_MS variable, so that the Worker refuses against the limit
   * it runs under.
   */
  cpuLimitMs?: number;
}): DeployPlan {
  const { bundle, placement, signUrls } = options;
  const { engine } = options;
  if (engine === 'cloudflare' && placement.type === 'workersDev') {
    throw new InputError(
      'The cloudflare engine resizes with Image Transformations, which work only on a route of a zone: deploy to a route, or pick the wasm engine for workers.dev',
    );
  }

  const size = bundleSize(bundle);
  if (size.gzipBytes > FREE_PLAN_GZIP_LIMIT_BYTES) {
    throw new Error(
      `The Worker bundle is ${formatBytes(
        size.gzipBytes,
      )} gzip, over Cloudflare's free-plan limit of ${formatBytes(
        FREE_PLAN_GZIP_LIMIT_BYTES,
      )}`,
    );
  }
  const compatibilityDate =
    options.compatibilityDate ?? bundle.compatibilityDate;
  const vars = varBindings({
    engine,
    allowedOrigins: options.allowedOrigins,
    ...options.limits,
  });
  if (
    options.cpuLimitMs !== undefined &&
    options.cpuLimitMs !== options.limits?.cpuLimitMs
  ) {
    throw new Error(
      `limits.cpu_ms (${options.cpuLimitMs}) and ${contract.bindings.cpuLimitMs} (${options.limits?.cpuLimitMs}) must be the same value`,
    );
  }
  const limits: ScriptLimits | undefined =
    options.cpuLimitMs !== undefined
      ? { cpu_ms: options.cpuLimitMs }
      : undefined;
  const { derivativesBucket, derivativesJurisdiction } = options;
  const bindings: WorkerBinding[] = [
    ...vars,
    ...(derivativesBucket
      ? [derivativesBinding(derivativesBucket, derivativesJurisdiction)]
      : []),
  ];
  const tag = deployTag({
    bundle,
    compatibilityDate,
    bindings: vars,
    signUrls,
    derivativesBucket,
    derivativesJurisdiction,
    limits,
  });
  const target =
    placement.type === 'route'
      ? `route ${placement.pattern} in zone ${placement.zoneId}`
      : 'workers.dev';
  return {
    bundle,
    size,
    compatibilityDate,
    engine,
    vars,
    bindings,
    signUrls,
    derivatives: derivativesBucket
      ? { bucketName: derivativesBucket, jurisdiction: derivativesJurisdiction }
      : undefined,
    limits,
    deployTag: tag,
    placement,
    url: placement.type === 'route' ? routeUrl(placement.pattern) : undefined,
    summary: [
      `Worker bundle: ${bundle.modules.length} module(s), ${formatBytes(
        size.rawBytes,
      )} raw, ${formatBytes(
        size.gzipBytes,
      )} gzip (free-plan limit ${formatBytes(FREE_PLAN_GZIP_LIMIT_BYTES)})`,
      `Bindings: ${vars.map(b => `${b.name}=${b.text}`).join(', ')}${
        signUrls ? `, ${SIGNING_KEY_BINDING} (secret)` : ''
      }${
        derivativesBucket
          ? `, ${DERIVATIVES_BINDING}=R2 bucket ${derivativesBucket}${
              derivativesJurisdiction
                ? ` (jurisdiction ${derivativesJurisdiction})`
                : ''
            }`
          : ''
      }; compatibility date ${compatibilityDate}`,
      `Target: ${target}; engine ${engine}; Workers Logs on (observability)${
        limits
          ? `; CPU limit ${limits.cpu_ms} ms per request (limits.cpu_ms)`
          : ''
      }`,
      ...(options.engineReasons ?? []),
    ],
  };
}
