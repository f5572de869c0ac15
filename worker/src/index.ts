import { cloudflareEngine } from './engines/cloudflare';
import type { Engine, Target, TransformResult } from './engines/engine';
import { wasmEngine } from './engines/wasm';
import { formatBucket } from './lib/accept';
import { readConfig, type Config, type Env } from './lib/config';
import {
  derivativeKey,
  readDerivative,
  storeDerivative,
} from './lib/derivatives';
import { codecFailure, HttpError, type FailureCause } from './lib/errors';
import { isolateBudget, type Lease } from './engines/memoryBudget';
import {
  normalizedKey,
  parseOptions,
  type TransformOptions,
} from './lib/options';
import { checkSourceUrl } from './lib/origin';
import { verifySignature } from './lib/signing';

export type { Env } from './lib/config';

const ENGINES: Record<Config['engine'], Engine> = {
  cloudflare: cloudflareEngine,
  wasm: wasmEngine,
};
const SUCCESS_CACHE_CONTROL = 'public, max-age=31536000';
const noop = () => undefined;

/** One structured log line per request. Holds no secrets, signatures or full source URLs. */
interface LogLine {
  status: number;
  engine?: string;
  format?: string;
  bytesIn?: number;
  bytesOut?: number;
  ms: number;
  cache: 'hit' | 'miss' | 'none';
  /** The R2 derivative store, when bound: `hit` served from it, `miss` computed and stored. */
  stored?: 'hit' | 'miss' | 'error';
  wasmPeakBytes?: number;
  sourceHost?: string;
  /** The failure's message (client-safe) and its cause, one word to count by. */
  error?: string;
  cause?: FailureCause;
  /** wasm engine: the estimated peak the request reserved, and how long it waited for it. */
  memoryReservedBytes?: number;
  memoryWaitMs?: number;
  /** A fetch by Cloudflare's resizer (`Via: image-resizing`), passed to the origin untransformed. */
  resizerPassThrough?: boolean;
}

function targetFor(
  options: TransformOptions,
  accept: string | null,
): { target: Target; bucket: string } {
  if (options.format !== 'auto')
    return { target: options.format, bucket: 'fixed' };
  const bucket = formatBucket(accept);
  return { target: bucket, bucket };
}

async function etagOf(body: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
  const text = btoa(String.fromCharCode(...digest.subarray(0, 18)));
  return `"${text.replace(/\+/g, '-').replace(/\//g, '_')}"`;
}

/** True when `If-None-Match` lists the ETag (weak comparison, as RFC 9110 asks for GET). */
export function etagMatches(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '');
  return header.split(',').some(tag => tag.trim().replace(/^W\//, '') === bare);
}

function notModified(response: Response): Response {
  const headers = new Headers();
  for (const name of ['ETag', 'Cache-Control', 'Vary', 'X-Cache']) {
    const value = response.headers.get(name);
    if (value) headers.set(name, value);
  }
  return new Response(null, { status: 304, headers });
}

function errorResponse(
  status: number,
  message: string,
  extra: Record<string, string> = {},
): Response {
  return new Response(`${message}\n`, {
    status,
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...extra,
    },
  });
}

/**
 * The resizer fetches sources with `image-resizing` in `Via`; such a request is passed to the
 * origin untransformed, as cloudflare-docs `images/transform-images/transform-via-workers.mdx`
 * ("Prevent request loops") shows, so that a source under the Worker's own route is served
 * rather than transformed again. On workers.dev there is no origin behind the Worker, so it is
 * refused there (508, as Cloudflare's own loop error 9403).
 */
function isResizerFetch(request: Request): boolean {
  return /image-resizing/i.test(request.headers.get('Via') ?? '');
}

async function passToOrigin(request: Request, log: LogLine): Promise<Response> {
  log.resizerPassThrough = true;
  const url = new URL(request.url);
  if (url.hostname.endsWith('.workers.dev')) {
    throw new HttpError(
      508,
      "A fetch by Cloudflare's resizer reached the image Worker on workers.dev, which has no origin to pass it to; the source URL must not point at this Worker",
      'transform-loop',
    );
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    throw new HttpError(405, 'Only GET and HEAD are supported', 'method');
  }
  return fetch(request);
}

async function handle(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  log: LogLine,
): Promise<Response> {
  if (isResizerFetch(request)) return passToOrigin(request, log);
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    log.error = 'Only GET and HEAD are supported';
    log.cause = 'method';
    const response = errorResponse(405, 'Only GET and HEAD are supported');
    response.headers.set('Allow', 'GET, HEAD');
    return response;
  }
  let config: Config;
  try {
    config = readConfig(env);
  } catch (error) {
    log.error = error instanceof Error ? error.message : 'bad configuration';
    log.cause = 'misconfigured';
    return errorResponse(500, 'The image Worker is misconfigured');
  }
  log.engine = config.engine;
  const url = new URL(request.url);
  if (config.signingKey) await verifySignature(url, config.signingKey);
  const options = parseOptions(url.searchParams);
  log.sourceHost = options.source.hostname;
  checkSourceUrl(options.source, {
    allowList: config.allowList,
    timeoutMs: config.originTimeoutMs,
  });

  const { target, bucket } = targetFor(options, request.headers.get('Accept'));
  log.format = target;
  const cacheKey = new Request(
    `${url.origin}/__image-cache/${config.engine}/${bucket}?${normalizedKey(
      options,
    )}`,
  );
  const cache = caches.default;
  const cached = await cache.match(cacheKey);
  if (cached) {
    log.cache = 'hit';
    log.bytesOut = Number(cached.headers.get('Content-Length')) || undefined;
    const response = new Response(cached.body, cached);
    response.headers.set('X-Cache', 'HIT');
    if (
      etagMatches(
        request.headers.get('If-None-Match'),
        response.headers.get('ETag') ?? '',
      )
    ) {
      return notModified(response);
    }
    return request.method === 'HEAD' ? new Response(null, response) : response;
  }
  log.cache = 'miss';

  const engine = ENGINES[config.engine];
  const store = env.DERIVATIVES;
  const storeKey = store
    ? await derivativeKey(config.engine, bucket, normalizedKey(options))
    : undefined;
  let result: TransformResult | null = null;
  if (store && storeKey) {
    try {
      result = await readDerivative(store, storeKey);
      log.stored = result ? 'hit' : 'miss';
    } catch {
      // R2 unavailable: compute the image as if there were no store.
      log.stored = 'error';
    }
  }
  const fromStore = result !== null;
  if (!result) {
    let lease: Lease | undefined;
    // Called once the estimate is known; a second call (the engine's fallback) is a no-op.
    const admit = async (estimate: number) => {
      if (lease) return;
      lease = await isolateBudget.acquire(estimate);
      log.memoryReservedBytes = lease.bytes;
      log.memoryWaitMs = lease.waitedMs;
    };
    const work = engine
      .transform({ options, target, config, admit })
      .finally(() => lease?.release());
    // Kept alive past a client that goes away, so that the reservation is given back.
    ctx.waitUntil(work.then(noop, noop));
    result = await work;
    if (lease && config.debugHeaders) {
      result.detail = {
        ...result.detail,
        'memory-reserved': lease.bytes,
        'memory-in-use': lease.inUse,
        'memory-wait-ms': lease.waitedMs,
      };
    }
    if (store && storeKey && log.stored === 'miss') {
      const stored = { body: result.body, contentType: result.contentType };
      ctx.waitUntil(
        storeDerivative(store, storeKey, stored).catch(error => {
          console.log(
            JSON.stringify({
              message: 'derivative not stored',
              error:
                error instanceof Error
                  ? error.message.slice(0, 200)
                  : 'unknown',
            }),
          );
        }),
      );
    }
  }
  log.bytesIn = result.bytesIn;
  log.bytesOut = result.body.length;
  log.wasmPeakBytes = result.wasmPeakBytes;

  const headers = new Headers({
    'Content-Type': result.contentType,
    'Content-Length': String(result.body.length),
    'Cache-Control': SUCCESS_CACHE_CONTROL,
    ETag: await etagOf(result.body),
    'X-Content-Type-Options': 'nosniff',
  });
  if (options.format === 'auto') headers.set('Vary', 'Accept');
  if (config.debugHeaders) {
    const detail = {
      engine: engine.name,
      ...(result.wasmPeakBytes !== undefined
        ? { 'wasm-peak-bytes': result.wasmPeakBytes }
        : {}),
      ...result.detail,
    };
    headers.set(
      'X-Image-Debug',
      Object.entries(detail)
        .map(([k, v]) => `${k}=${v}`)
        .join('; '),
    );
  }
  ctx.waitUntil(cache.put(cacheKey, new Response(result.body, { headers })));

  headers.set('X-Cache', 'MISS');
  if (store) headers.set('X-Stored', fromStore ? 'HIT' : 'MISS');
  const response = new Response(
    request.method === 'HEAD' ? null : result.body,
    {
      status: 200,
      headers,
    },
  );
  if (etagMatches(request.headers.get('If-None-Match'), headers.get('ETag')!)) {
    return notModified(response);
  }
  return response;
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const started = Date.now();
    const log: LogLine = { status: 500, ms: 0, cache: 'none' };
    let response: Response;
    try {
      response = await handle(request, env, ctx, log);
    } catch (error) {
      const failure = codecFailure(error);
      if (failure instanceof HttpError) {
        response = errorResponse(
          failure.status,
          failure.message,
          failure.headers,
        );
        log.error = failure.message;
        log.cause = failure.failure;
      } else {
        log.cause = 'internal';
        response = errorResponse(
          500,
          'Internal error while processing the image',
        );
        log.error =
          error instanceof Error
            ? error.message.slice(0, 200)
            : 'unknown error';
      }
    }
    log.status = response.status;
    log.ms = Date.now() - started;
    console.log(JSON.stringify({ message: 'image request', ...log }));
    return response;
  },
} satisfies ExportedHandler<Env>;
