/**
 * The image Worker's contract (`src/contract.json`): binding names, defaults, limits, validation
 * patterns and URL signing, defined once for the Worker, `sign.js`, `bundle.js`, the deploy
 * action and the templates.
 */
export interface WorkerContract {
  /** Binding names the Worker reads, by setting. */
  bindings: {
    engine: 'ENGINE';
    allowedOrigins: 'ALLOWED_ORIGINS';
    signingKey: 'SIGNING_KEY';
    maxSourceBytes: 'MAX_SOURCE_BYTES';
    maxPixels: 'MAX_PIXELS';
    originTimeoutMs: 'ORIGIN_TIMEOUT_MS';
    maxOutputPixels: 'MAX_OUTPUT_PIXELS';
    avifSpeed: 'AVIF_SPEED';
    debugHeaders: 'DEBUG_HEADERS';
    /** The CPU limit per request the Worker refuses against; the deploy sends the same `limits.cpu_ms`. */
    cpuLimitMs: 'CPU_LIMIT_MS';
    /** Optional R2 bucket binding that stores each derivative once for all locations. */
    derivatives: 'DERIVATIVES';
  };
  /** Values of `ENGINE`. */
  engines: Array<'cloudflare' | 'wasm'>;
  /** What the Worker uses when a binding is unset. */
  defaults: {
    engine: 'cloudflare' | 'wasm';
    maxSourceBytes: number;
    maxPixels: number;
    originTimeoutMs: number;
    maxOutputPixels: number;
    avifSpeed: number;
    /** Workers Paid's default CPU limit per request, in ms. */
    cpuLimitMs: number;
  };
  /** Ranges the form and the deploy action accept. */
  limits: {
    maxSourceBytes: { min: number; max: number };
    maxPixels: { min: number; max: number };
    originTimeoutMs: { min: number; max: number };
    /** What Cloudflare accepts as `limits.cpu_ms`, in ms. */
    cpuLimitMs: { min: number; max: number };
    allowedOrigins: { minItems: number; maxItems: number };
    signingKey: { minLength: number; maxLength: number };
    /** Cloudflare's limit for a Worker on the free plan, all modules gzipped. */
    bundleGzipBytes: number;
  };
  /** Regular expressions (JSON schema `pattern` strings, no flags). */
  patterns: {
    /** An `ALLOWED_ORIGINS` entry: a host name, optionally with a port. */
    host: string;
    /** A Worker script name. */
    scriptName: string;
    /** A Workers route with a concrete host, e.g. `images.example.com/*`. */
    routePattern: string;
    /** A Cloudflare account or zone id. */
    cloudflareId: string;
    /** An R2 bucket name: 3 to 64 lower-case letters, digits and dashes, no dash at either end (Cloudflare API, r2-create-bucket `name`). */
    r2BucketName: string;
  };
  /** CPU time per request (the wasm engine's estimate, `src/engines/cpuEstimate.ts`). */
  cpu: {
    /** The wasm engine refuses a request whose estimate is above this fraction of the limit. */
    admitFraction: number;
  };
  /** URL signing: query parameter names and the MAC. */
  signing: {
    signatureParam: 'sig';
    expiryParam: 'exp';
    algorithm: 'HMAC-SHA256';
    encoding: 'base64url';
  };
}

declare const contract: WorkerContract;
export = contract;
