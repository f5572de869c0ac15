// A stand-in for Cloudflare's image resizer, for the cloudflare engine's tests. workerd has no
// resizer; miniflare interposes a low-fidelity one (resize and format only, via sharp) that
// fetches the source with `Via: image-resizing` and passes any non-2xx answer through. This
// stand-in answers that source fetch the way Cloudflare's resizer decides about a source, each
// rule from cloudflare-docs (`src/content/docs/images/...`), and leaves the pixels to miniflare.
import sharp from 'sharp';

export interface ResizerOptions {
  /** The zone the Worker runs on: its sources are always accepted (sources.mdx). */
  zone: string;
  /** The zone's Images > Transformations > Sources list (sources.mdx "allowed origins"). */
  sources: string[];
  /** Unique transformations a month on Images Free (pricing.mdx: 5,000). */
  freeLimit?: number;
}

type Handler = (request: Request) => Response | Promise<Response>;

/** transform-via-workers.mdx, "Prevent request loops": the resizer's fetches carry this. */
export const RESIZER_VIA = 'image-resizing';
// Cloudflare does not document how many hops it follows; five, as the Worker itself.
const MAX_REDIRECTS = 5;
// troubleshooting.mdx, Limits: "Maximum image size is 100 megapixels … Maximum file size is 100 MB".
const MAX_PIXELS = 100_000_000;
const MAX_BYTES = 100 * 1024 * 1024;

/** A failure as errors.mdx lists it: the code in `Cf-Resized: err=…`, Cloudflare's status, a text. */
function failure(code: number, status: number, text: string): Response {
  return new Response(`ERROR ${code}: ${text}`, {
    status,
    headers: { 'Content-Type': 'text/plain', 'Cf-Resized': `err=${code}` },
  });
}

/**
 * sources.mdx: the zone itself is always allowed; `b.com` accepts only `b.com` ("When you add a
 * root domain, subdomains are not accepted"); `*.b.com` accepts `b.com` and every subdomain; an
 * optional path must begin the source path.
 */
export function zoneAccepts(options: ResizerOptions, url: URL): boolean {
  const host = url.hostname;
  if (host === options.zone || host.endsWith(`.${options.zone}`)) return true;
  return options.sources.some(entry => {
    const [domain, ...rest] = entry.split('/');
    const path = rest.length > 0 ? `/${rest.join('/')}` : '';
    if (path && !url.pathname.startsWith(path)) return false;
    if (domain.startsWith('*.')) {
      const root = domain.slice(2);
      return host === root || host.endsWith(`.${root}`);
    }
    return host === domain;
  });
}

export class ResizerStandIn {
  /** Unique transformations served this month (source URL plus options). */
  readonly counted = new Set<string>();
  /** Every URL the resizer itself fetched. */
  readonly fetched: string[] = [];

  readonly options: ResizerOptions;
  private readonly origin: Handler;
  /** Serves a URL on the zone that the Worker's own route handles (a loop when misused). */
  private readonly worker: Handler;
  private readonly workerHost: string;

  constructor(
    options: ResizerOptions,
    origin: Handler,
    worker: Handler,
    workerHost: string,
  ) {
    this.options = options;
    this.origin = origin;
    this.worker = worker;
    this.workerHost = workerHost;
  }

  /** Answers the resizer's source fetch for a `cf.image` subrequest of the Worker. */
  async handle(
    request: Request & { cf?: Record<string, unknown> },
  ): Promise<Response> {
    const first = new URL(request.url);
    // sources.mdx: "If you request a transformation with a source image from outside your allowed
    // origins, then the image will be rejected"; errors.mdx: 9401, 403, "Transformation origin is
    // not in allowed origins list". Only this first URL is checked.
    if (!zoneAccepts(this.options, first)) {
      return failure(
        9401,
        403,
        'Transformation origin is not in allowed origins list',
      );
    }
    const key = `${first.href} ${JSON.stringify(request.cf?.image ?? {})}`;
    // pricing.mdx, Images Free: "Once you exceed 5,000 unique transformations … New
    // transformations will return a 9422 error"; errors.mdx: 9422, 429. A transformation already
    // counted this month is served again.
    const limit = this.options.freeLimit ?? 5000;
    if (!this.counted.has(key) && this.counted.size >= limit) {
      return failure(
        9422,
        429,
        'Free unique transformations by account has been exhausted',
      );
    }
    // sources.mdx: "only the initial URL of the source image is checked. Any redirects, including
    // URLs that leave your zone, will be followed"; troubleshooting.mdx: "Resizing follows
    // redirects internally". Errors 9420 and 9421 from errors.mdx.
    let url = first;
    let response: Response;
    for (let hop = 0; ; hop++) {
      this.fetched.push(url.href);
      const fetchRequest = new Request(url, {
        headers: { Via: `1.1 ${RESIZER_VIA}`, Accept: 'image/*' },
        redirect: 'manual',
      });
      response = await (url.host === this.workerHost
        ? this.worker(fetchRequest)
        : this.origin(fetchRequest));
      if (![301, 302, 303, 307, 308].includes(response.status)) break;
      if (hop + 1 > MAX_REDIRECTS) {
        return failure(9421, 400, 'Too many redirects');
      }
      try {
        url = new URL(response.headers.get('Location') ?? '', url);
      } catch {
        return failure(9420, 400, 'Redirection to an invalid URL');
      }
    }
    // errors.mdx / troubleshooting.mdx: 9404 for 404, 9519 for 400, 9408 for other 4xx, 9509 for 5xx.
    if (response.status === 404) {
      return failure(9404, 404, 'the server returned HTTP error 404 Not Found');
    }
    if (response.status === 400) {
      return failure(9519, 502, 'the server returned HTTP error 400');
    }
    if (response.status >= 400 && response.status < 500) {
      return failure(9408, response.status, 'the server returned HTTP 4xx');
    }
    if (response.status >= 500) {
      return failure(9509, 502, 'the server returned HTTP 5xx');
    }
    const body = Buffer.from(await response.arrayBuffer());
    if (body.length > MAX_BYTES) {
      return failure(9402, 413, 'Could not fetch the image — file too large');
    }
    // errors.mdx 9412, 415: "The requested file is not an image"; 9413 past 100 megapixels.
    let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
    try {
      meta = await sharp(body).metadata();
    } catch {
      return failure(9412, 415, 'The requested file is not an image');
    }
    if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_PIXELS) {
      return failure(9413, 403, 'The image exceeds 100 megapixels');
    }
    this.counted.add(key);
    // The pixels are miniflare's: it transforms these bytes with the request's cf.image.
    return new Response(new Uint8Array(body), {
      headers: {
        'Content-Type': response.headers.get('Content-Type') ?? 'image/jpeg',
      },
    });
  }
}
