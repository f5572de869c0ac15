import { HttpError, type FailureCause } from '../lib/errors';
import {
  checkOriginResponse,
  fetchOrigin,
  readLimited,
  resolveSource,
} from '../lib/origin';
import type { Engine, TransformRequest, TransformResult } from './engine';

/** The `cf.image` options sent to Cloudflare Image Transformations for a request. */
export function imageOptions({
  options,
  target,
}: TransformRequest): RequestInitCfPropertiesImage {
  const image: RequestInitCfPropertiesImage = {
    fit: options.fit,
    metadata: options.metadata,
  };
  if (options.gravity !== undefined) image.gravity = options.gravity;
  if (options.dpr !== undefined) image.dpr = options.dpr;
  if (options.background) {
    const { r, g, b, a } = options.background;
    image.background = `rgba(${r},${g},${b},${+(a / 255).toFixed(3)})`;
  }
  if (!options.anim) image.anim = false;
  if (options.width !== undefined) image.width = options.width;
  if (options.height !== undefined) image.height = options.height;
  if (options.quality !== undefined) image.quality = options.quality;
  if (target !== 'original') image.format = target;
  return image;
}

/** One `Cf-Resized: err=…` code: what the client gets and what the log line counts. */
interface ResizerFailure {
  status: number;
  cause: FailureCause;
  message: string;
  retry?: boolean;
}

/**
 * Cloudflare's transformation errors, from the `Cf-Resized` header ("When resizing fails, the
 * response body contains an error message explaining the reason, as well as the `Cf-Resized`
 * header containing `err=code`": cloudflare-docs `images/reference/errors.mdx` and
 * `images/reference/troubleshooting.mdx`). Codes and Cloudflare's own statuses are those pages'.
 */
export function resizerFailure(
  code: number,
  status: number,
  host: string,
): ResizerFailure {
  const err = `Cf-Resized err=${code}`;
  switch (code) {
    case 9422: // 429 "Free unique transformations by account has been exhausted"
    case 9423: // 403 "Free transformation is rejected"
      return {
        status: 429,
        cause: 'transform-quota',
        message: `Cloudflare Images stopped this transformation: the account's free unique transformations for the month are used up (${err}); buy Images Paid or deploy with the wasm engine`,
      };
    case 9401:
      if (status === 403) {
        // 403 "Transformation origin is not in allowed origins list"
        return {
          status: 502,
          cause: 'source-not-allowed',
          message: `Cloudflare Image Transformations does not accept sources from ${host} on this zone (${err}); add it under Images > Transformations > Sources`,
        };
      }
      return {
        status: 502,
        cause: 'transform-failed',
        message: `Cloudflare Image Transformations refused the options (${err})`,
      };
    case 9419: // 403 "Requested image URL has invalid suffix or is not allowed"
    case 9406: // 403 "invalid URL"
      return {
        status: 502,
        cause: 'source-not-allowed',
        message: `Cloudflare Image Transformations refused the source URL on ${host} (${err})`,
      };
    case 9403: // 508 "Requested resized version of an already-resized image"
      return {
        status: 508,
        cause: 'transform-loop',
        message: `Cloudflare refused to resize an image that was already resized (${err}); the source URL must not be served by an image Worker`,
      };
    case 9412: // 415 "not an image", unsupported formats
    case 9520: // 415 "Original image has unsupported format"
      return {
        status: 415,
        cause: 'not-image',
        message: `Cloudflare Image Transformations cannot read this source: not an image, or a format it does not take (${err})`,
      };
    case 9413: // 403 "The image enlarged too much", "width or height of size 0", "animation too large"
      return {
        status: 413,
        cause: 'too-large',
        message: `The image is past Cloudflare Image Transformations' size limits (${err}: 100 megapixels, 50 megapixels of animation)`,
      };
    case 9404: // 404 from the origin
    case 9408: // 4xx from the origin
    case 9509: // 5xx from the origin
    case 9519: // 400 from the origin
      return {
        status: 502,
        cause: 'origin-status',
        message: `Origin answered an error to Cloudflare's resizer (${err})`,
      };
    case 9420:
      if (status === 415) {
        return {
          status: 415,
          cause: 'not-image',
          message: `Cloudflare Image Transformations cannot read this source's format (${err})`,
        };
      }
      return {
        status: 502,
        cause: 'origin-redirect',
        message: `Origin redirected Cloudflare's resizer to an invalid URL (${err})`,
      };
    case 9421: // 400 "Too many redirects"
      return {
        status: 502,
        cause: 'origin-redirect',
        message: `Origin redirected Cloudflare's resizer too many times (${err})`,
      };
    case 9504: // 522 / 524 "request timed out", "download timed out"
      return {
        status: 504,
        cause: 'origin-timeout',
        message: `Origin did not answer Cloudflare's resizer in time (${err})`,
      };
    case 9402:
      if (status === 413) {
        // 413 "Could not fetch the image — file too large"
        return {
          status: 413,
          cause: 'too-large',
          message: `The source file is past Cloudflare Image Transformations' size limit (${err})`,
        };
      }
      return {
        status: 502,
        cause: 'origin-failed',
        message: `Cloudflare's resizer could not fetch the source (${err})`,
      };
    case 9407: // 523 resolver error
    case 9505: // 502
    case 9510: // 523
    case 9518: // 502 internal connection error
    case 9528: // 502 aborted
      return {
        status: 502,
        cause: 'origin-failed',
        message: `Cloudflare's resizer could not fetch the source (${err})`,
      };
    case 9522: // 503 / 504 "The service in this colo is too busy"
    case 9527: // 503 "busy and can't handle large images right now"
    case 9529: // 504 "too large to process or the service is too busy"
      return {
        status: 503,
        cause: 'transform-busy',
        message: `Cloudflare Image Transformations is busy here (${err}); retry shortly`,
        retry: true,
      };
    case 9516: // 422 decode error, 500 encode error
      return {
        status: 422,
        cause: 'cannot-transform',
        message: `Cloudflare Image Transformations could not decode or encode this image (${err})`,
      };
    default:
      return {
        status: 502,
        cause: 'transform-failed',
        message: `Cloudflare Image Transformations failed (${err})`,
      };
  }
}

/**
 * Checks the resizer's answer. A failure carries `err=<code>` in `Cf-Resized`; a response without
 * that header was never transformed ("Does the response have a `Cf-Resized` header? If not, then
 * resizing has not been attempted", `images/reference/troubleshooting.mdx`: Transformations is
 * not enabled on the zone, or the request did not run on a zone route).
 */
export async function checkResizerResponse(
  response: Response,
  host: string,
): Promise<void> {
  const resized = response.headers.get('Cf-Resized');
  const code = /\berr=(\d+)/.exec(resized ?? '')?.[1];
  if (code) {
    await response.body?.cancel();
    const failure = resizerFailure(Number(code), response.status, host);
    throw new HttpError(
      failure.status,
      failure.message,
      failure.cause,
      failure.retry ? { 'Retry-After': '5' } : {},
    );
  }
  if (resized === null) {
    await response.body?.cancel();
    throw new HttpError(
      502,
      'Cloudflare did not transform the image (no Cf-Resized header): enable Images > Transformations on the zone and serve the Worker on a route of that zone, not on workers.dev',
      'transform-not-enabled',
    );
  }
  checkOriginResponse(response);
}

/**
 * Cloudflare Image Transformations: the subrequest carries `cf.image` and Cloudflare fetches,
 * resizes and encodes the original. The Worker first resolves the source itself (`resolveSource`:
 * every redirect hop checked, 200 and an image type required, the size and pixel limits applied
 * from the headers) and hands the resizer only that final URL, since the resizer would follow
 * redirects without checking them.
 */
export const cloudflareEngine: Engine = {
  name: 'cloudflare',
  async transform(request: TransformRequest): Promise<TransformResult> {
    const { config } = request;
    const policy = {
      allowList: config.allowList,
      timeoutMs: config.originTimeoutMs,
    };
    const source = await resolveSource(request.options.source, policy, {
      maxBytes: config.maxSourceBytes,
      maxPixels: config.maxPixels,
    });
    const { response, signal } = await fetchOrigin(source, policy, {
      cf: { image: imageOptions(request) },
    });
    await checkResizerResponse(response, source.hostname);
    const contentType = response.headers.get('Content-Type') ?? '';
    const body = await readLimited(
      response,
      config.maxSourceBytes,
      signal,
      policy,
    );
    if (body.length === 0)
      throw new HttpError(
        502,
        'Cloudflare sent an empty image',
        'transform-failed',
      );
    return {
      body,
      contentType,
      detail:
        source.href === request.options.source.href
          ? {}
          : { redirected: 'resolved' },
    };
  },
};
