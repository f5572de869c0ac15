// Starts the built Worker in workerd (miniflare) with the image origin served by a local handler.
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { createRequire } from 'node:module';
import {
  RESIZER_VIA,
  ResizerStandIn,
  type ResizerOptions,
} from './resizer.mts';

const require = createRequire(import.meta.url);
const { readWorkerBundle } =
  require('../bundle.js') as typeof import('../bundle.js');

export type OriginHandler = (request: Request) => Response | Promise<Response>;

export interface OriginRequest {
  url: string;
  cf: Record<string, unknown> | undefined;
  /** The request's `Via` header: `image-resizing` when Cloudflare's resizer sent it. */
  via: string | null;
}

/** The host the harness serves the Worker on (its route's zone in the resizer stand-in). */
export const WORKER_HOST = 'img.test';

export interface WorkerHarness {
  mf: Miniflare;
  /** Every request the Worker sent to the origin. */
  originRequests: OriginRequest[];
  /** Lines the Worker logged. */
  logs: string[];
  /** The resizer stand-in, when the Worker was started with one. */
  resizer?: ResizerStandIn;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

function copyHeaders(headers: Headers): Record<string, string> {
  const copy: Record<string, string> = {};
  headers.forEach((value, name) => {
    copy[name] = value;
  });
  return copy;
}

type WorkerBundle = import('../bundle.js').WorkerBundle;

/** The bundle's files as miniflare modules. */
function workerModules(bundle: WorkerBundle) {
  return bundle.modules.map(m => ({
    type:
      m.contentType === 'application/wasm'
        ? ('CompiledWasm' as const)
        : ('ESModule' as const),
    path: m.name,
    contents: new Uint8Array(m.content),
  }));
}

/**
 * The built Worker with an origin that runs inside workerd as well: a second Worker answers
 * every request with the file of the same path under `directory` (workerd's read-only disk
 * service), as `contentType`. No request leaves workerd, so what the benchmark measures is the
 * Worker and the HTTP round trip to it, not the way a test handler in Node would serve files.
 */
export async function startWorkerWithDiskOrigin(
  bindings: Record<string, string>,
  directory: string,
  contentType: string,
): Promise<Pick<WorkerHarness, 'mf' | 'fetch' | 'dispose'>> {
  const bundle = await readWorkerBundle();
  const origin = `export default {
    async fetch(request, env) {
      const file = await env.FILES.fetch('http://files' + new URL(request.url).pathname);
      if (!file.ok) return new Response('not found', { status: 404 });
      return new Response(file.body, { headers: { 'Content-Type': ${JSON.stringify(
        contentType,
      )} } });
    },
  };`;
  const mf = new Miniflare({
    workers: [
      {
        name: 'image-worker',
        modules: workerModules(bundle),
        compatibilityDate: bundle.compatibilityDate,
        compatibilityFlags: bundle.compatibilityFlags,
        bindings,
        cache: false,
        outboundService: 'origin',
      },
      {
        name: 'origin',
        modules: true,
        script: origin,
        compatibilityDate: bundle.compatibilityDate,
        serviceBindings: {
          FILES: { disk: { path: directory, writable: false } },
        },
      },
    ],
  } as MiniflareOptions);
  await mf.ready;
  return {
    mf,
    async fetch(path, init) {
      const response = await mf.dispatchFetch(
        `https://${WORKER_HOST}${path}`,
        init as never,
      );
      return response as unknown as Response;
    },
    dispose: () => mf.dispose(),
  };
}

export async function startWorker(
  bindings: Record<string, string>,
  origin: OriginHandler,
  extra: Partial<MiniflareOptions> = {},
  resizerOptions?: ResizerOptions,
): Promise<WorkerHarness> {
  const bundle = await readWorkerBundle();
  const originRequests: OriginRequest[] = [];
  const logs: string[] = [];
  let mf: Miniflare | undefined;
  const resizer = resizerOptions
    ? new ResizerStandIn(
        resizerOptions,
        origin,
        async request =>
          (await mf!.dispatchFetch(request.url, {
            headers: copyHeaders(request.headers),
            redirect: 'manual',
          })) as unknown as Response,
        WORKER_HOST,
      )
    : undefined;
  mf = new Miniflare({
    modules: workerModules(bundle),
    compatibilityDate: bundle.compatibilityDate,
    compatibilityFlags: bundle.compatibilityFlags,
    bindings,
    outboundService: async (
      request: Request & { cf?: Record<string, unknown> },
    ) => {
      const via = request.headers.get('Via');
      originRequests.push({ url: request.url, cf: request.cf, via });
      // miniflare's own cf.image mock fetches the source with `Via: image-resizing` and the
      // request's cf; that fetch is the resizer's, answered by the stand-in.
      if (resizer && request.cf?.image && via?.includes(RESIZER_VIA)) {
        return resizer.handle(request);
      }
      return origin(request as Request);
    },
    handleStructuredLogs: ({ message }: { message: string }) => {
      logs.push(message);
    },
    ...extra,
  } as MiniflareOptions);
  await mf.ready;
  const started = mf;
  return {
    mf: started,
    originRequests,
    logs,
    resizer,
    async fetch(path, init) {
      const response = await started.dispatchFetch(
        `https://${WORKER_HOST}${path}`,
        init as never,
      );
      return response as unknown as Response;
    },
    dispose: () => started.dispose(),
  };
}
