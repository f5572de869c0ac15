import { HttpError } from '../lib/errors';
import { checkOriginResponse, fetchOrigin, readLimited } from '../lib/origin';
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

/**
 * Cloudflare Image Transformations: the subrequest carries `cf.image` and Cloudflare fetches,
 * resizes and encodes the original. Source size and pixel limits are Cloudflare's own there.
 */
export const cloudflareEngine: Engine = {
  name: 'cloudflare',
  async transform(request: TransformRequest): Promise<TransformResult> {
    const policy = {
      allowList: request.config.allowList,
      timeoutMs: request.config.originTimeoutMs,
    };
    const { response, signal } = await fetchOrigin(
      request.options.source,
      policy,
      {
        cf: { image: imageOptions(request) },
      },
    );
    checkOriginResponse(response);
    const contentType = response.headers.get('Content-Type') ?? '';
    const body = await readLimited(
      response,
      request.config.maxSourceBytes,
      signal,
      policy,
    );
    if (body.length === 0)
      throw new HttpError(502, 'Origin sent an empty image');
    return { body, contentType };
  },
};
