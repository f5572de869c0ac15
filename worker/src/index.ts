export interface Env {
  ENGINE?: string;
  ALLOWED_ORIGINS?: string;
  SIGNING_KEY?: string;
  MAX_SOURCE_BYTES?: string;
  MAX_PIXELS?: string;
  ORIGIN_TIMEOUT_MS?: string;
}

export default {
  async fetch() {
    return new Response('image worker: not implemented yet', { status: 501 });
  },
} satisfies ExportedHandler<Env>;
