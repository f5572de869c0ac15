import type { Config, EngineName } from '../lib/config';
import type { OutputFormat, TransformOptions } from '../lib/options';

/** What the client gets: a named format, or `original` (the source's own format). */
export type Target = OutputFormat | 'original';

export interface TransformRequest {
  options: TransformOptions;
  target: Target;
  config: Config;
  /**
   * Waits until the isolate has room for the request's estimated peak memory (wasm engine, from
   * the source's header, before the body is read and decoded); rejects with a 503 when it does not
   * come free in time. Only the first call reserves.
   */
  admit?: (estimatedPeakBytes: number) => Promise<void>;
}

export interface TransformResult {
  body: Uint8Array;
  contentType: string;
  /** Bytes read from the origin, when the Worker read them itself. */
  bytesIn?: number;
  /** Peak bytes of WASM memory plus pixel buffers the request held (wasm engine). */
  wasmPeakBytes?: number;
  /** Extra detail for logs and the optional debug header. */
  detail?: Record<string, string | number>;
}

/** One way of producing the optimized image; chosen by the `ENGINE` binding. */
export interface Engine {
  readonly name: EngineName;
  transform(request: TransformRequest): Promise<TransformResult>;
}

export const CONTENT_TYPES: Record<OutputFormat, string> = {
  avif: 'image/avif',
  webp: 'image/webp',
  jpeg: 'image/jpeg',
  png: 'image/png',
};
