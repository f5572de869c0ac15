/**
 * What made a request fail, as one word for the log line's `cause` field (README.md, Logs), so
 * that Workers Logs can count failures by cause.
 */
export type FailureCause =
  | 'bad-request'
  | 'unsigned'
  | 'bad-signature'
  | 'method'
  | 'origin-not-allowed'
  | 'origin-redirect'
  | 'origin-status'
  | 'origin-failed'
  | 'origin-timeout'
  | 'too-large'
  | 'not-image'
  | 'cannot-transform'
  | 'transform-quota'
  | 'source-not-allowed'
  | 'transform-loop'
  | 'transform-failed'
  | 'transform-busy'
  | 'transform-not-enabled'
  | 'memory-busy'
  | 'memory-limit'
  | 'progressive-too-large'
  | 'cpu-limit'
  | 'wasm-trap'
  | 'misconfigured'
  | 'internal';

/** The cause an error of this status has unless the thrower names a more precise one. */
const DEFAULT_CAUSES: Record<number, FailureCause> = {
  400: 'bad-request',
  401: 'unsigned',
  403: 'origin-not-allowed',
  405: 'method',
  413: 'too-large',
  415: 'not-image',
  422: 'cannot-transform',
  429: 'transform-quota',
  502: 'origin-failed',
  503: 'transform-busy',
  504: 'origin-timeout',
  508: 'transform-loop',
};

/** An error that becomes an HTTP response with a short, client-safe message. */
export class HttpError extends Error {
  readonly status: number;
  readonly failure: FailureCause;
  /** Extra response headers, e.g. `Retry-After`. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    failure?: FailureCause,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.failure = failure ?? DEFAULT_CAUSES[status] ?? 'internal';
    this.headers = headers;
  }
}

/**
 * Turns what a WASM codec threw into an answer that names the cause: a memory allocation the
 * runtime refused (V8 `RangeError` from `WebAssembly.Memory.grow`, or emscripten's `Aborted(OOM)` /
 * "Cannot enlarge memory") is a 503 the client may retry; any other WebAssembly trap
 * (`WebAssembly.RuntimeError`: unreachable, out of bounds) is a 500. Anything else is returned
 * unchanged.
 */
export function codecFailure(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  const message = error instanceof Error ? error.message : '';
  const memory =
    /out of memory|\bOOM\b|enlarge memory|could not allocate memory|Memory\.grow|maximum memory size|Array buffer allocation failed/i;
  if (
    (error instanceof RangeError ||
      error instanceof WebAssembly.RuntimeError) &&
    memory.test(message)
  ) {
    return new HttpError(
      503,
      'The image needed more memory than the Worker had free; retry, or ask for a smaller w or h',
      'memory-limit',
      { 'Retry-After': '5' },
    );
  }
  if (error instanceof WebAssembly.RuntimeError) {
    return new HttpError(
      500,
      `The image codec stopped with a WebAssembly trap (${message.slice(
        0,
        80,
      )})`,
      'wasm-trap',
    );
  }
  return error;
}
