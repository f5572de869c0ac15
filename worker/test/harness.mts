// Starts the built Worker in workerd (miniflare) with the image origin served by a local handler.
import { Miniflare, type MiniflareOptions } from 'miniflare';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { readWorkerBundle } =
  require('../bundle.js') as typeof import('../bundle.js');

export type OriginHandler = (request: Request) => Response | Promise<Response>;

export interface OriginRequest {
  url: string;
  cf: Record<string, unknown> | undefined;
}

export interface WorkerHarness {
  mf: Miniflare;
  /** Every request the Worker sent to the origin. */
  originRequests: OriginRequest[];
  /** Lines the Worker logged. */
  logs: string[];
  fetch(path: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

export async function startWorker(
  bindings: Record<string, string>,
  origin: OriginHandler,
  extra: Partial<MiniflareOptions> = {},
): Promise<WorkerHarness> {
  const bundle = await readWorkerBundle();
  const originRequests: OriginRequest[] = [];
  const logs: string[] = [];
  const mf = new Miniflare({
    modules: bundle.modules.map(m => ({
      type:
        m.contentType === 'application/wasm'
          ? ('CompiledWasm' as const)
          : ('ESModule' as const),
      path: m.name,
      contents: new Uint8Array(m.content),
    })),
    compatibilityDate: bundle.compatibilityDate,
    compatibilityFlags: bundle.compatibilityFlags,
    bindings,
    outboundService: async (
      request: Request & { cf?: Record<string, unknown> },
    ) => {
      originRequests.push({ url: request.url, cf: request.cf });
      return origin(request as Request);
    },
    handleStructuredLogs: ({ message }: { message: string }) => {
      logs.push(message);
    },
    ...extra,
  } as MiniflareOptions);
  await mf.ready;
  return {
    mf,
    originRequests,
    logs,
    async fetch(path, init) {
      const response = await mf.dispatchFetch(
        `https://img.test${path}`,
        init as never,
      );
      return response as unknown as Response;
    },
    dispose: () => mf.dispose(),
  };
}
