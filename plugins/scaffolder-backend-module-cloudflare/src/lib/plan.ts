import { createHash, createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { WorkerBundle } from '@internal/image-worker/bundle';
import type { TextBinding } from './workerDeployer';

/** Cloudflare's limit for a Worker on the free plan, after gzip. */
export const FREE_PLAN_GZIP_LIMIT_BYTES = 3 * 1024 * 1024;

/** The Worker's variables, as the action's input gives them. */
export interface WorkerVars {
  engine: 'cloudflare' | 'wasm';
  allowedOrigins: string[];
  maxSourceBytes?: number;
  maxPixels?: number;
  originTimeoutMs?: number;
}

/** Prefix of the tag that identifies a deploy's content (see {@link deployTag}). */
export const DEPLOY_TAG_PREFIX = 'deploy-';

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
  const entries: Array<[string, string | number | undefined]> = [
    ['ENGINE', vars.engine],
    ['ALLOWED_ORIGINS', vars.allowedOrigins.join(',')],
    ['MAX_SOURCE_BYTES', vars.maxSourceBytes],
    ['MAX_PIXELS', vars.maxPixels],
    ['ORIGIN_TIMEOUT_MS', vars.originTimeoutMs],
  ];
  return entries
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([name, value]) => ({
      type: 'plain_text',
      name,
      text: String(value),
    }));
}

/**
 * A tag that identifies everything one deploy uploads: modules, settings, variables and the
 * signing key. When the deployed script carries the same tag, uploading again would change nothing.
 *
 * The signing key enters only as an HMAC keyed with the key itself: that value gives away no
 * more than any URL signed with the key already does.
 */
export function deployTag(options: {
  bundle: WorkerBundle;
  compatibilityDate: string;
  bindings: TextBinding[];
  signingKey?: string;
}): string {
  const { bundle, compatibilityDate, bindings, signingKey } = options;
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
      signing: signingKey
        ? createHmac('sha256', signingKey)
            .update('cloudflare:worker:deploy')
            .digest('hex')
        : null,
    }),
  );
  return `${DEPLOY_TAG_PREFIX}${hash.digest('hex').slice(0, 32)}`;
}
