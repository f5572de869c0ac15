import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import {
  fixtures,
  gifBomb,
  jpegBomb,
  photo,
  pngBomb,
  webpBomb,
} from './fixtures.mts';
import { startWorker, WORKER_HOST, type WorkerHarness } from './harness.mts';
import { animatedGif } from './photoFixtures.mts';

const require = createRequire(import.meta.url);
const { signUrl } = require('../sign.js') as typeof import('../sign.js');

const ORIGIN = 'https://images.example.com';
const MAX_SOURCE_BYTES = 3_000_000;
const CLOUDFLARE_LIMIT = 128 * 1024 * 1024;
/** The isolate memory budget's settings, from the Worker's contract. */
const BUDGET = require('../src/contract.json').isolate as {
  wasmMemoryBudgetBytes: number;
  queueLength: number;
  queueTimeoutMs: number;
  retryAfterSeconds: number;
};

function debugFigure(response: Response, name: string): number {
  const match = new RegExp(`(?:^|; )${name}=(\\d+)`).exec(
    response.headers.get('X-Image-Debug') ?? '',
  );
  return match ? Number(match[1]) : NaN;
}
/** The zone's Images > Transformations > Sources in the resizer stand-in: the allowed origins. */
const ZONE_SOURCES = {
  zone: WORKER_HOST,
  sources: ['images.example.com', '*.example.org'],
};

type Images = Awaited<ReturnType<typeof fixtures>>;

function image(body: Buffer, type: string, init: ResponseInit = {}): Response {
  return new Response(new Uint8Array(body), {
    ...init,
    headers: {
      'Content-Type': type,
      ...(init.headers as Record<string, string>),
    },
  });
}

/** The test origin: one route per case. */
function origin(
  images: Images,
  extra: Record<string, () => Response | Promise<Response>> = {},
) {
  const routes: Record<string, () => Response | Promise<Response>> = {
    '/photo.jpg': () => image(images.jpeg, 'image/jpeg'),
    '/photo.png': () => image(images.png, 'image/png'),
    '/photo.webp': () => image(images.webp, 'image/webp'),
    '/small.gif': () => image(images.gif, 'image/gif'),
    '/small.avif': () => image(images.avif, 'image/avif'),
    '/bomb.png': () => image(pngBomb(30000, 30000), 'image/png'),
    '/bomb.jpg': () => image(jpegBomb(60000, 60000), 'image/jpeg'),
    '/bomb.gif': () => image(gifBomb(65000, 65000), 'image/gif'),
    '/bomb.webp': () => image(webpBomb(16383, 16383), 'image/webp'),
    '/big.jpg': () =>
      image(Buffer.alloc(MAX_SOURCE_BYTES + 1, 0xff), 'image/jpeg'),
    '/big-stream.jpg': () => {
      const chunk = new Uint8Array(256 * 1024).fill(0xff);
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent > MAX_SOURCE_BYTES * 2) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      return new Response(body, { headers: { 'Content-Type': 'image/jpeg' } });
    },
    '/page.html': () =>
      new Response('<html></html>', {
        headers: { 'Content-Type': 'text/html' },
      }),
    '/fake.jpg': () =>
      image(Buffer.from('this is not a jpeg at all, just text'), 'image/jpeg'),
    '/missing.jpg': () => new Response('nope', { status: 404 }),
    '/broken.jpg': () => new Response('boom', { status: 500 }),
    '/redirect-allowed': () => Response.redirect(`${ORIGIN}/photo.jpg`, 302),
    '/redirect-evil': () =>
      Response.redirect('https://evil.example.net/photo.jpg', 302),
    '/redirect-private': () =>
      Response.redirect('http://127.0.0.1/photo.jpg', 301),
    '/slow.jpg': async () => {
      await new Promise(resolve => setTimeout(resolve, 2500));
      return image(images.jpeg, 'image/jpeg');
    },
    ...extra,
  };
  return (request: Request) => {
    const url = new URL(request.url);
    const route = routes[url.pathname];
    if (url.host !== 'images.example.com' && url.host !== 'cdn.example.org') {
      return new Response('unexpected host', { status: 599 });
    }
    return route ? route() : new Response('no such fixture', { status: 404 });
  };
}

function q(
  source: string,
  params: Record<string, string | number> = {},
): string {
  const search = new URLSearchParams({ url: source });
  for (const [k, v] of Object.entries(params)) search.set(k, String(v));
  return `/?${search}`;
}

async function decoded(response: Response) {
  const body = Buffer.from(await response.arrayBuffer());
  return { body, meta: await sharp(body).metadata() };
}

let images: Images;
before(async () => {
  images = await fixtures();
});

describe('wasm engine', () => {
  let worker: WorkerHarness;
  before(async () => {
    worker = await startWorker(
      {
        ENGINE: 'wasm',
        ALLOWED_ORIGINS: 'images.example.com, *.example.org',
        MAX_SOURCE_BYTES: String(MAX_SOURCE_BYTES),
        ORIGIN_TIMEOUT_MS: '1000',
        DEBUG_HEADERS: 'true',
      },
      origin(images),
    );
  });
  after(() => worker.dispose());

  for (const format of ['webp', 'avif', 'jpeg', 'png'] as const) {
    it(`re-encodes a JPEG as ${format} at the requested width`, async () => {
      const res = await worker.fetch(
        q(`${ORIGIN}/photo.jpg`, { w: 300, f: format }),
      );
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('Content-Type'), `image/${format}`);
      const { meta, body } = await decoded(res);
      assert.equal(meta.format, format === 'avif' ? 'heif' : format);
      assert.equal(meta.width, 300);
      assert.equal(meta.height, 200);
      assert.equal(Number(res.headers.get('Content-Length')), body.length);
      assert.match(res.headers.get('Cache-Control') ?? '', /max-age=31536000/);
      assert.equal(
        res.headers.get('Vary'),
        null,
        'an explicit format does not vary on Accept',
      );
    });
  }

  it('decodes PNG (keeping alpha) and WebP sources', async () => {
    const png = await worker.fetch(
      q(`${ORIGIN}/photo.png`, { w: 120, f: 'png' }),
    );
    assert.equal(png.status, 200);
    const pngMeta = (await decoded(png)).meta;
    assert.equal(pngMeta.width, 120);
    assert.equal(pngMeta.hasAlpha, true);
    const webp = await worker.fetch(
      q(`${ORIGIN}/photo.webp`, { w: 120, f: 'jpeg' }),
    );
    assert.equal(webp.status, 200);
    assert.equal((await decoded(webp)).meta.format, 'jpeg');
  });

  it('keeps the resized image faithful to the source', async () => {
    const res = await worker.fetch(
      q(`${ORIGIN}/photo.jpg`, { w: 600, f: 'png' }),
    );
    const ours = await sharp(Buffer.from(await res.arrayBuffer()))
      .raw()
      .toBuffer();
    const ref = await sharp(images.jpeg)
      .resize(600)
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(ours.length / 4, ref.data.length / 3);
    let diff = 0;
    for (let i = 0, j = 0; j < ref.data.length; i += 4, j += 3) {
      diff +=
        Math.abs(ours[i] - ref.data[j]) +
        Math.abs(ours[i + 1] - ref.data[j + 1]);
    }
    assert.ok(
      diff / (ref.data.length / 3) / 2 < 4,
      `mean channel error ${diff}`,
    );
  });

  it('applies fit: cover crops to the exact box, scale-down never enlarges, contain does', async () => {
    const cover = await decoded(
      await worker.fetch(
        q(`${ORIGIN}/photo.jpg`, { w: 200, h: 200, fit: 'cover', f: 'png' }),
      ),
    );
    assert.deepEqual([cover.meta.width, cover.meta.height], [200, 200]);
    const down = await decoded(
      await worker.fetch(q(`${ORIGIN}/photo.jpg`, { w: 2400, f: 'png' })),
    );
    assert.deepEqual([down.meta.width, down.meta.height], [1200, 800]);
    const contain = await decoded(
      await worker.fetch(
        q(`${ORIGIN}/photo.jpg`, {
          w: 1500,
          h: 1500,
          fit: 'contain',
          f: 'png',
        }),
      ),
    );
    assert.deepEqual([contain.meta.width, contain.meta.height], [1500, 1000]);
    const crop = await decoded(
      await worker.fetch(
        q(`${ORIGIN}/photo.jpg`, { w: 300, h: 600, fit: 'crop', f: 'png' }),
      ),
    );
    assert.deepEqual([crop.meta.width, crop.meta.height], [300, 600]);
  });

  describe('refuses bad parameters with the allowed range', () => {
    const cases: [string, Record<string, string | number>, RegExp][] = [
      ['w=0', { w: 0 }, /w must be from 1 to 4096/],
      ['w too large', { w: 5000 }, /w must be from 1 to 4096/],
      [
        'w not a number',
        { w: 'abc' },
        /w must be a whole number from 1 to 4096/,
      ],
      ['w negative', { w: -5 }, /w must be a whole number/],
      ['w fractional', { w: '10.5' }, /w must be a whole number/],
      ['h too large', { h: 9999 }, /h must be from 1 to 4096/],
      ['q=0', { q: 0 }, /q must be from 1 to 100/],
      ['q=101', { q: 101 }, /q must be from 1 to 100/],
      [
        'unknown fit',
        { fit: 'stretch' },
        /fit must be one of scale-down, contain, cover, crop/,
      ],
      [
        'unknown format',
        { f: 'gif' },
        /f must be one of auto, avif, webp, jpeg, png/,
      ],
      ['unknown parameter', { width: 10 }, /Unknown parameter "width"/],
    ];
    for (const [name, params, message] of cases) {
      it(name, async () => {
        const res = await worker.fetch(q(`${ORIGIN}/photo.jpg`, params));
        assert.equal(res.status, 400);
        assert.match(await res.text(), message);
        assert.equal(res.headers.get('Cache-Control'), 'no-store');
      });
    }
    it('missing url', async () => {
      const res = await worker.fetch('/?w=100');
      assert.equal(res.status, 400);
      assert.match(await res.text(), /url is required/);
    });
    it('relative url', async () => {
      const res = await worker.fetch('/?url=/photo.jpg');
      assert.equal(res.status, 400);
      assert.match(await res.text(), /absolute http\(s\) URL/);
    });
    it('non-http scheme', async () => {
      const res = await worker.fetch(q('ftp://images.example.com/photo.jpg'));
      assert.equal(res.status, 400);
      assert.match(await res.text(), /http or https/);
    });
    it('a parameter given twice', async () => {
      const res = await worker.fetch(
        `${q(`${ORIGIN}/photo.jpg`, { w: 10 })}&w=20`,
      );
      assert.equal(res.status, 400);
      assert.match(await res.text(), /w must be given once/);
    });
    it('a method other than GET or HEAD', async () => {
      const res = await worker.fetch(q(`${ORIGIN}/photo.jpg`), {
        method: 'POST',
      });
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('Allow'), 'GET, HEAD');
    });
  });

  describe('origin failures', () => {
    it('answers 415 for an AVIF source, which the wasm engine cannot decode', async () => {
      const res = await worker.fetch(q(`${ORIGIN}/small.avif`, { w: 10 }));
      assert.equal(res.status, 415);
      assert.match(await res.text(), /cannot decode AVIF/);
    });

    it('decodes a GIF source', async () => {
      const res = await worker.fetch(
        q(`${ORIGIN}/small.gif`, { w: 32, f: 'png' }),
      );
      assert.equal(res.status, 200);
      assert.equal((await decoded(res)).meta.width, 32);
    });

    it('turns an origin 404 into a 502 naming the status', async () => {
      const res = await worker.fetch(q(`${ORIGIN}/missing.jpg`));
      assert.equal(res.status, 502);
      assert.match(await res.text(), /Origin answered 404/);
    });

    it('turns an origin 500 into a 502 naming the status', async () => {
      const res = await worker.fetch(q(`${ORIGIN}/broken.jpg`));
      assert.equal(res.status, 502);
      assert.match(await res.text(), /Origin answered 500/);
    });

    it('gives up on a slow origin after ORIGIN_TIMEOUT_MS', async () => {
      const res = await worker.fetch(q(`${ORIGIN}/slow.jpg`));
      assert.equal(res.status, 504);
      assert.match(await res.text(), /did not answer within 1000 ms/);
    });
  });

  describe('caching and format negotiation', () => {
    it('serves the second identical request from the cache without the origin', async () => {
      const url = q(`${ORIGIN}/photo.jpg`, { w: 77, f: 'webp' });
      const first = await worker.fetch(url);
      assert.equal(first.headers.get('X-Cache'), 'MISS');
      const body = Buffer.from(await first.arrayBuffer());
      const count = worker.originRequests.length;
      await new Promise(resolve => setTimeout(resolve, 200)); // cache.put runs in waitUntil
      const second = await worker.fetch(url);
      assert.equal(second.status, 200);
      assert.equal(second.headers.get('X-Cache'), 'HIT');
      assert.deepEqual(Buffer.from(await second.arrayBuffer()), body);
      assert.equal(worker.originRequests.length, count);
      assert.equal(second.headers.get('ETag'), first.headers.get('ETag'));
    });

    it('answers 304 when If-None-Match carries the ETag', async () => {
      const url = q(`${ORIGIN}/photo.jpg`, { w: 78, f: 'jpeg' });
      const first = await worker.fetch(url);
      const etag = first.headers.get('ETag');
      assert.match(etag ?? '', /^"[\w-]+"$/);
      await first.arrayBuffer();
      const again = await worker.fetch(url, {
        headers: { 'If-None-Match': `"other", ${etag}` },
      });
      assert.equal(again.status, 304);
      assert.equal(again.headers.get('ETag'), etag);
      assert.equal((await again.arrayBuffer()).byteLength, 0);
      const changed = await worker.fetch(url, {
        headers: { 'If-None-Match': '"other"' },
      });
      assert.equal(changed.status, 200);
      await changed.arrayBuffer();
    });

    const accepts: [string, string][] = [
      ['image/avif,image/webp,image/apng,image/*,*/*;q=0.8', 'image/avif'],
      ['image/webp,*/*', 'image/webp'],
      ['image/avif;q=0,image/webp', 'image/webp'],
      ['image/avif;q=0.5,image/webp;q=0.9', 'image/webp'],
      ['image/*,*/*;q=0.8', 'image/jpeg'],
      ['*/*', 'image/jpeg'],
      ['', 'image/jpeg'],
    ];
    for (const [accept, type] of accepts) {
      it(`serves ${type} for Accept "${accept}"`, async () => {
        const res = await worker.fetch(q(`${ORIGIN}/photo.jpg`, { w: 90 }), {
          headers: accept ? { Accept: accept } : {},
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('Content-Type'), type);
        assert.equal(res.headers.get('Vary'), 'Accept');
        await res.arrayBuffer();
      });
    }

    it('keeps format buckets apart in the cache', async () => {
      const url = q(`${ORIGIN}/photo.jpg`, { w: 91 });
      const webp = await worker.fetch(url, {
        headers: { Accept: 'image/webp' },
      });
      await webp.arrayBuffer();
      await new Promise(resolve => setTimeout(resolve, 200));
      const avif = await worker.fetch(url, {
        headers: { Accept: 'image/avif' },
      });
      assert.equal(avif.headers.get('Content-Type'), 'image/avif');
      assert.equal(avif.headers.get('X-Cache'), 'MISS');
      await avif.arrayBuffer();
    });
  });
});

// The attacks run against both engines. The cloudflare engine's `cf.image` fetches go to the
// resizer stand-in (test/resizer.mts), which follows redirects itself as Cloudflare's does.
for (const engine of ['wasm', 'cloudflare'] as const) {
  describe(`attacks on the ${engine} engine`, () => {
    let worker: WorkerHarness;
    before(async () => {
      worker = await startWorker(
        {
          ENGINE: engine,
          ALLOWED_ORIGINS: 'images.example.com, *.example.org',
          MAX_SOURCE_BYTES: String(MAX_SOURCE_BYTES),
          ORIGIN_TIMEOUT_MS: '1000',
        },
        origin(images),
        {},
        engine === 'cloudflare' ? ZONE_SOURCES : undefined,
      );
    });
    after(() => worker.dispose());

    describe('origin safety', () => {
      it('refuses a host that is not on the allow-list, without contacting it', async () => {
        const before = worker.originRequests.length;
        const res = await worker.fetch(q('https://evil.example.net/photo.jpg'));
        assert.equal(res.status, 403);
        assert.match(
          await res.text(),
          /evil.example.net is not an allowed origin/,
        );
        assert.equal(worker.originRequests.length, before);
      });

      it('accepts subdomains of a wildcard entry', async () => {
        const res = await worker.fetch(
          q('https://cdn.example.org/photo.jpg', { w: 50, f: 'jpeg' }),
        );
        assert.equal(res.status, 200);
      });

      for (const host of [
        'http://127.0.0.1/photo.jpg',
        'http://localhost/photo.jpg',
        'http://10.1.2.3/photo.jpg',
        'http://169.254.169.254/latest/meta-data',
        'http://[::1]/photo.jpg',
        'http://[::ffff:127.0.0.1]/photo.jpg',
        'http://[fd00::1]/photo.jpg',
        'http://2130706433/photo.jpg',
        'http://0x7f000001/photo.jpg',
        'http://metadata.internal/photo.jpg',
      ]) {
        it(`refuses the private address ${host}`, async () => {
          const before = worker.originRequests.length;
          const res = await worker.fetch(q(host));
          assert.equal(res.status, 403);
          assert.match(await res.text(), /private or local address/);
          assert.equal(worker.originRequests.length, before);
        });
      }

      it('follows a redirect to an allowed host', async () => {
        const res = await worker.fetch(
          q(`${ORIGIN}/redirect-allowed`, { w: 64, f: 'webp' }),
        );
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('Content-Type'), 'image/webp');
        if (worker.resizer) {
          // The resizer is handed the resolved URL only, never the redirecting one.
          assert.equal(worker.resizer.fetched.at(-1), `${ORIGIN}/photo.jpg`);
          assert.ok(
            !worker.resizer.fetched.some(url => url.includes('/redirect-')),
          );
        }
      });

      it('refuses a redirect to a host that is not allowed, without following it', async () => {
        const res = await worker.fetch(q(`${ORIGIN}/redirect-evil`, { w: 64 }));
        assert.equal(res.status, 403);
        assert.match(
          await res.text(),
          /redirect target host evil.example.net is not an allowed origin/,
        );
        assert.ok(
          !worker.originRequests.some(r => r.url.includes('evil.example.net')),
        );
        assert.ok(
          !worker.resizer?.fetched.some(url => url.includes('/redirect-evil')),
          'the resizer, which follows redirects itself, never saw the URL',
        );
        const line = worker.logs
          .filter(l => l.startsWith('{'))
          .map(l => JSON.parse(l))
          .find(l => l.status === 403 && /evil/.test(l.error));
        assert.equal(line?.cause, 'origin-not-allowed');
      });

      it('refuses a redirect to a private address', async () => {
        const res = await worker.fetch(
          q(`${ORIGIN}/redirect-private`, { w: 64 }),
        );
        assert.equal(res.status, 403);
        assert.match(
          await res.text(),
          /redirect target points to a private or local address/,
        );
      });
    });

    describe('source limits', () => {
      it('answers 413 for a body larger than MAX_SOURCE_BYTES (declared length)', async () => {
        const res = await worker.fetch(q(`${ORIGIN}/big.jpg`));
        assert.equal(res.status, 413);
        assert.match(await res.text(), /larger than 3000000 bytes/);
      });

      it('answers 413 for a streamed body that passes MAX_SOURCE_BYTES', async () => {
        const res = await worker.fetch(q(`${ORIGIN}/big-stream.jpg`));
        assert.equal(res.status, 413);
        assert.match(await res.text(), /larger than 3000000 bytes/);
      });

      for (const [name, dims] of [
        ['bomb.png', '30000x30000'],
        ['bomb.jpg', '60000x60000'],
        ['bomb.gif', '65000x65000'],
        ['bomb.webp', '16383x16383'],
      ]) {
        it(`refuses the decompression bomb ${name} from its header`, async () => {
          const res = await worker.fetch(q(`${ORIGIN}/${name}`, { w: 100 }));
          assert.equal(res.status, 413);
          assert.match(
            await res.text(),
            new RegExp(`${dims} .* the limit is 12000000 pixels`),
          );
        });
      }
    });

    describe('bodies that are not images', () => {
      it('answers 415 for a body that is not an image', async () => {
        const res = await worker.fetch(q(`${ORIGIN}/page.html`));
        assert.equal(res.status, 415);
        assert.match(await res.text(), /text\/html, not an image/);
      });

      it('answers 415 for an image content type whose bytes are no known image', async () => {
        const res = await worker.fetch(q(`${ORIGIN}/fake.jpg`));
        assert.equal(res.status, 415);
      });
    });
  });
}

describe('wasm engine memory', () => {
  let worker: WorkerHarness;
  before(async () => {
    // The largest source the default MAX_PIXELS (12 MP) accepts.
    const largest = await (await photo(4000, 3000, 6))
      .jpeg({ quality: 90 })
      .toBuffer();
    worker = await startWorker(
      { ALLOWED_ORIGINS: 'images.example.com', DEBUG_HEADERS: 'true' },
      () => image(largest, 'image/jpeg'),
    );
  });
  after(() => worker.dispose());

  // Each format at the largest output the engine allows for it (MAX_OUTPUT_PIXELS, AVIF's cap).
  for (const [format, width] of [
    ['webp', 2309],
    ['jpeg', 2309],
    ['png', 2309],
    ['avif', 1280],
  ] as const) {
    it(`stays under 128 MiB for a 12 MP JPEG to ${format} at ${width} px`, async () => {
      const res = await worker.fetch(
        q(`${ORIGIN}/largest.jpg`, { w: width, f: format }),
      );
      assert.equal(res.status, 200, await res.clone().text());
      await res.arrayBuffer();
      const peak = Number(
        /wasm-peak-bytes=(\d+)/.exec(
          res.headers.get('X-Image-Debug') ?? '',
        )?.[1],
      );
      const outputBytes = width * Math.round((width * 3) / 4) * 4;
      assert.ok(
        peak > outputBytes,
        `peak ${peak} counts at least the output pixels`,
      );
      assert.ok(peak < CLOUDFLARE_LIMIT, `peak WASM memory ${peak} bytes`);
      const reserved = debugFigure(res, 'memory-reserved');
      // The reservation (the estimate, or the whole budget when larger) covers the peak.
      assert.ok(
        reserved >= peak,
        `reserved ${reserved} bytes of the isolate budget for a peak of ${peak}`,
      );
    });
  }

  it('refuses an output larger than MAX_OUTPUT_PIXELS', async () => {
    const res = await worker.fetch(q(`${ORIGIN}/largest.jpg`, { f: 'webp' }));
    assert.equal(res.status, 422);
    assert.match(
      await res.text(),
      /Output would be 4000x3000; the wasm engine's limit is 4000000 pixels/,
    );
  });

  it('refuses an explicit AVIF larger than the AVIF cap, and falls back to WebP for f=auto', async () => {
    const explicit = await worker.fetch(
      q(`${ORIGIN}/largest.jpg`, { w: 1600, f: 'avif' }),
    );
    assert.equal(explicit.status, 422);
    assert.match(
      await explicit.text(),
      /AVIF output is limited to 1310720 pixels/,
    );
    const auto = await worker.fetch(q(`${ORIGIN}/largest.jpg`, { w: 1600 }), {
      headers: { Accept: 'image/avif,image/webp' },
    });
    assert.equal(auto.status, 200);
    assert.equal(auto.headers.get('Content-Type'), 'image/webp');
    await auto.arrayBuffer();
  });

  it('decodes JPEGs scaled down in the DCT domain when shrinking a lot', async () => {
    const res = await worker.fetch(
      q(`${ORIGIN}/largest.jpg`, { w: 400, f: 'webp' }),
    );
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    assert.match(res.headers.get('X-Image-Debug') ?? '', /decode-scale=1\/8/);
  });
});

describe('wasm engine memory with progressive JPEGs', () => {
  let worker: WorkerHarness;
  // 12 MP, progressive, 4:4:4: libjpeg holds 69 MiB of coefficients while it decodes it.
  let progressive: Buffer;
  before(async () => {
    progressive = await (await photo(4000, 3000, 6))
      .jpeg({ quality: 90, progressive: true, chromaSubsampling: '4:4:4' })
      .toBuffer();
    worker = await startWorker(
      { ALLOWED_ORIGINS: 'images.example.com', DEBUG_HEADERS: 'true' },
      () =>
        image(progressive, 'image/jpeg', {
          headers: { 'Content-Length': String(progressive.length) },
        }),
    );
  });
  after(() => worker.dispose());

  for (const width of [400, 1280]) {
    it(`reserves the measured peak of a 12 MP progressive JPEG to ${width} px`, async () => {
      const res = await worker.fetch(
        q(`${ORIGIN}/progressive.jpg`, { w: width, f: 'webp' }),
      );
      assert.equal(res.status, 200, await res.clone().text());
      await res.arrayBuffer();
      const peak = debugFigure(res, 'wasm-peak-bytes');
      // The coefficient buffer alone: 500 x 375 blocks of 128 bytes for each of 3 components.
      assert.ok(
        peak > 500 * 375 * 3 * 128,
        `peak ${peak} holds the coefficients`,
      );
      assert.ok(peak < CLOUDFLARE_LIMIT, `peak WASM memory ${peak} bytes`);
      const reserved = debugFigure(res, 'memory-reserved');
      assert.ok(
        reserved >= peak,
        `reserved ${reserved} bytes of the isolate budget for a peak of ${peak}`,
      );
    });
  }

  it('refuses a progressive JPEG whose decode alone would not fit the budget', async () => {
    const res = await worker.fetch(
      q(`${ORIGIN}/progressive.jpg`, { w: 2309, f: 'webp' }),
    );
    assert.equal(res.status, 422);
    assert.match(
      await res.text(),
      /This 4000x3000 JPEG is progressive .* about 1\d\d MiB, more than the 96 MiB it gives one image: send a baseline JPEG/,
    );
  });
});
describe('the isolate memory budget (wasm engine)', () => {
  let worker: WorkerHarness;
  const sources: Record<string, [Buffer, string]> = {};
  before(async () => {
    const big = await photo(3000, 2000, 6);
    sources['/big.png'] = [await big.clone().png().toBuffer(), 'image/png'];
    sources['/big.webp'] = [await big.clone().webp().toBuffer(), 'image/webp'];
    sources['/photo.jpg'] = [images.jpeg, 'image/jpeg'];
    sources['/anim.gif'] = [animatedGif(600, 400, 10), 'image/gif'];
    worker = await startWorker(
      { ALLOWED_ORIGINS: 'images.example.com', DEBUG_HEADERS: 'true' },
      // Bodies arrive in 64 KiB pieces, as over a network, so requests overlap in the isolate.
      request => {
        const found = sources[new URL(request.url).pathname];
        if (!found) return new Response('no such fixture', { status: 404 });
        const [body, type] = found;
        let offset = 0;
        const stream = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (offset >= body.length) return controller.close();
            await new Promise(resolve => setTimeout(resolve, 2));
            controller.enqueue(
              new Uint8Array(body.subarray(offset, offset + 65536)),
            );
            offset += 65536;
          },
        });
        return new Response(stream, {
          headers: {
            'Content-Type': type,
            'Content-Length': String(body.length),
          },
        });
      },
    );
  });
  after(() => worker.dispose());

  for (const [path, params] of [
    ['/big.png', { w: 400, f: 'webp' }],
    ['/big.webp', { w: 400, f: 'avif' }],
    ['/photo.jpg', { w: 400, f: 'jpeg' }],
    ['/photo.jpg', { w: 1200, f: 'png' }],
    ['/anim.gif', { w: 600, f: 'webp' }],
  ] as const) {
    it(`reserves at least the measured peak for ${path} to ${params.f} at ${params.w} px`, async () => {
      const res = await worker.fetch(q(`${ORIGIN}${path}`, params));
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      const peak = debugFigure(res, 'wasm-peak-bytes');
      const reserved = debugFigure(res, 'memory-reserved');
      assert.ok(
        peak > 0 && reserved >= peak,
        `reserved ${reserved} for ${peak}`,
      );
    });
  }

  it('runs small requests side by side', async () => {
    const responses = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(i =>
        worker.fetch(q(`${ORIGIN}/photo.jpg`, { w: 1000 + i, f: 'webp' })),
      ),
    );
    for (const res of responses) {
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    assert.ok(
      responses.some(
        res =>
          debugFigure(res, 'memory-in-use') >
          debugFigure(res, 'memory-reserved'),
      ),
      'at least one request was admitted while another held memory',
    );
  });

  it('never lets concurrent requests reserve more than the budget; past the queue they get 503 with Retry-After', async () => {
    const count = BUDGET.queueLength + 8;
    const responses = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        worker.fetch(q(`${ORIGIN}/big.png`, { w: 300 + i, f: 'webp' })),
      ),
    );
    const statuses = responses.map(res => res.status);
    for (const res of responses) {
      if (res.status === 200) {
        await res.arrayBuffer();
        const inUse = debugFigure(res, 'memory-in-use');
        assert.ok(
          inUse <= BUDGET.wasmMemoryBudgetBytes,
          `${inUse} bytes in use at admission`,
        );
        assert.ok(debugFigure(res, 'memory-reserved') > 64 * 1024 * 1024);
      } else {
        assert.equal(res.status, 503, `statuses ${statuses}`);
        assert.equal(
          res.headers.get('Retry-After'),
          String(BUDGET.retryAfterSeconds),
        );
        // (miniflare has already consumed a 503 body here; its text is checked in the log line)
        assert.equal(res.headers.get('Cache-Control'), 'no-store');
      }
    }
    const refused = statuses.filter(status => status === 503).length;
    assert.ok(refused >= 1, `statuses ${statuses}`);
    assert.ok(
      statuses.filter(status => status === 200).length >= 2,
      `statuses ${statuses}`,
    );
    await new Promise(resolve => setTimeout(resolve, 100));
    const busy = worker.logs
      .filter(line => line.startsWith('{'))
      .map(line => JSON.parse(line) as Record<string, unknown>)
      .filter(line => line.cause === 'memory-busy');
    assert.equal(busy.length, refused);
    for (const line of busy) {
      assert.equal(line.status, 503);
      assert.match(
        String(line.error),
        /busy with other images \(\d+ of its 96 MiB memory budget in use; .*\); retry shortly/,
      );
    }
    // Once the burst is over the budget is free again.
    const after = await worker.fetch(
      q(`${ORIGIN}/big.png`, { w: 299, f: 'webp' }),
    );
    assert.equal(after.status, 200);
    await after.arrayBuffer();
    assert.equal(
      debugFigure(after, 'memory-in-use'),
      debugFigure(after, 'memory-reserved'),
    );
  });
});

describe('wasm engine AVIF encoder', () => {
  // PNG sources at their own width: the Worker encodes exactly the pixels sharp is given.
  let opaque: Buffer;
  let translucent: Buffer;
  let worker: WorkerHarness;
  before(async () => {
    const base = await photo(480, 320);
    opaque = await base.clone().png().toBuffer();
    translucent = await base.clone().ensureAlpha(0.5).png().toBuffer();
    worker = await startWorker(
      { ENGINE: 'wasm', ALLOWED_ORIGINS: 'images.example.com' },
      request =>
        image(
          new URL(request.url).pathname === '/alpha.png' ? translucent : opaque,
          'image/png',
        ),
    );
  });
  after(() => worker.dispose());

  for (const quality of [50, 80]) {
    it(`writes files the size of sharp's at q=${quality}, effort 4`, async () => {
      const res = await worker.fetch(
        q(`${ORIGIN}/opaque.png`, { w: 480, f: 'avif', q: quality }),
      );
      assert.equal(res.status, 200);
      const body = Buffer.from(await res.arrayBuffer());
      const reference = await sharp(opaque)
        .avif({ quality, effort: 4 })
        .toBuffer();
      const ratio = body.length / reference.length;
      assert.ok(
        Math.abs(ratio - 1) < 0.05,
        `${body.length} bytes vs sharp's ${
          reference.length
        } (ratio ${ratio.toFixed(3)})`,
      );
      assert.equal((await sharp(body).metadata()).hasAlpha, false);
      // av1C box, third byte: chroma_subsampling_x and _y (0x08, 0x04) clear means 4:4:4.
      const av1c = body.indexOf('av1C');
      assert.ok(av1c > 0, 'has an av1C box');
      assert.equal(body[av1c + 6] & 0x0c, 0, 'chroma is 4:4:4');
    });
  }

  it('keeps alpha', async () => {
    const res = await worker.fetch(
      q(`${ORIGIN}/alpha.png`, { w: 240, f: 'avif' }),
    );
    assert.equal(res.status, 200);
    const { data, info } = await sharp(Buffer.from(await res.arrayBuffer()))
      .raw()
      .toBuffer({ resolveWithObject: true });
    assert.equal(info.channels, 4);
    assert.ok(Math.abs(data[3] - 128) <= 2, `alpha ${data[3]}`);
  });
});

describe('signed URLs', () => {
  const key = 'test-signing-key-that-is-long-enough';
  let worker: WorkerHarness;
  before(async () => {
    worker = await startWorker(
      { ALLOWED_ORIGINS: 'images.example.com', SIGNING_KEY: key },
      origin(images),
    );
  });
  after(() => worker.dispose());
  const path = (url: string) => {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  };

  it('accepts a URL signed with the helper', async () => {
    const signed = signUrl(
      `https://img.test${q(`${ORIGIN}/photo.jpg`, { w: 40, f: 'webp' })}`,
      key,
    );
    const res = await worker.fetch(path(signed));
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  });

  it('refuses a request without a signature', async () => {
    const res = await worker.fetch(q(`${ORIGIN}/photo.jpg`, { w: 40 }));
    assert.equal(res.status, 401);
    const text = await res.text();
    assert.match(text, /Missing signature/);
    assert.ok(!text.includes(key));
  });

  it('refuses a tampered parameter', async () => {
    const signed = signUrl(
      `https://img.test${q(`${ORIGIN}/photo.jpg`, { w: 40 })}`,
      key,
    );
    const res = await worker.fetch(path(signed).replace('w=40', 'w=4000'));
    assert.equal(res.status, 403);
    assert.match(await res.text(), /Invalid signature/);
  });

  it('refuses a signature made with another key', async () => {
    const signed = signUrl(
      `https://img.test${q(`${ORIGIN}/photo.jpg`, { w: 40 })}`,
      'other-key',
    );
    const res = await worker.fetch(path(signed));
    assert.equal(res.status, 403);
    const text = await res.text();
    assert.ok(!text.includes(key) && !text.includes('other-key'));
  });

  it('logs one structured line per request, without the key or the signature', async () => {
    const signed = signUrl(
      `https://img.test${q(`${ORIGIN}/photo.jpg`, { w: 41, f: 'webp' })}`,
      key,
    );
    const res = await worker.fetch(path(signed));
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    await worker
      .fetch(q(`${ORIGIN}/photo.jpg`, { w: 41 }))
      .then(r => r.arrayBuffer());
    await new Promise(resolve => setTimeout(resolve, 100));
    const lines = worker.logs
      .filter(line => line.startsWith('{'))
      .map(line => JSON.parse(line) as Record<string, unknown>);
    const ok = lines.find(
      l => l.status === 200 && l.bytesOut !== undefined && l.format === 'webp',
    );
    assert.ok(ok, `a success line among ${worker.logs.length} log lines`);
    for (const field of [
      'engine',
      'format',
      'bytesIn',
      'bytesOut',
      'ms',
      'cache',
    ]) {
      assert.ok(field in ok, `log line has ${field}`);
    }
    assert.ok(lines.some(l => l.status === 401 && l.cache === 'none'));
    const sig = new URL(signed).searchParams.get('sig')!;
    for (const line of worker.logs) {
      assert.ok(
        !line.includes(key) && !line.includes(sig),
        'no secret in logs',
      );
    }
  });

  it('refuses a malformed signature', async () => {
    const res = await worker.fetch(
      `${q(`${ORIGIN}/photo.jpg`, { w: 40 })}&sig=abc`,
    );
    assert.equal(res.status, 403);
  });

  it('refuses an expired signed URL', async () => {
    const signed = signUrl(
      `https://img.test${q(`${ORIGIN}/photo.jpg`, { w: 40 })}`,
      key,
      {
        expiresAt: new Date(Date.now() - 60_000),
      },
    );
    const res = await worker.fetch(path(signed));
    assert.equal(res.status, 403);
    assert.match(await res.text(), /expired/);
  });
});

describe('cloudflare engine', () => {
  let worker: WorkerHarness;
  before(async () => {
    worker = await startWorker(
      { ENGINE: 'cloudflare', ALLOWED_ORIGINS: 'images.example.com' },
      origin(images),
      {},
      ZONE_SOURCES,
    );
  });
  after(() => worker.dispose());

  it('sends the options as cf.image and returns what Cloudflare answers', async () => {
    const res = await worker.fetch(
      q(`${ORIGIN}/photo.jpg`, {
        w: 320,
        h: 200,
        fit: 'cover',
        q: 70,
        f: 'webp',
      }),
    );
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    const sent = worker.originRequests.at(-1)!;
    assert.equal(sent.url, `${ORIGIN}/photo.jpg`);
    assert.deepEqual(sent.cf?.image, {
      width: 320,
      height: 200,
      fit: 'cover',
      quality: 70,
      format: 'webp',
      metadata: 'none',
    });
  });

  it('sends the photo options as Cloudflare names them (the wasm engine takes the same ones)', async () => {
    const cases: [Record<string, string>, Record<string, unknown>][] = [
      [{ gravity: 'auto' }, { gravity: 'auto' }],
      [{ gravity: '0.25,0.75' }, { gravity: { x: 0.25, y: 0.75 } }],
      [{ gravity: '0.5x0.2' }, { gravity: { x: 0.5, y: 0.2 } }],
      [{ dpr: '2' }, { dpr: 2 }],
      [{ background: '#ff000080' }, { background: 'rgba(255,0,0,0.502)' }],
      [{ metadata: 'keep' }, { metadata: 'keep' }],
      [{ metadata: 'copyright' }, { metadata: 'copyright' }],
      [{ anim: 'false' }, { anim: false }],
    ];
    for (const [params, expected] of cases) {
      const res = await worker.fetch(
        q(`${ORIGIN}/photo.jpg`, { w: 100, h: 100, fit: 'cover', ...params }),
      );
      assert.equal(res.status, 200, JSON.stringify(params));
      await res.arrayBuffer();
      const image = worker.originRequests.at(-1)!.cf?.image as Record<
        string,
        unknown
      >;
      assert.deepEqual(
        image,
        {
          width: 100,
          height: 100,
          fit: 'cover',
          metadata: 'none',
          ...expected,
        },
        JSON.stringify(params),
      );
    }
  });

  for (const [accept, format] of [
    ['image/avif,image/webp,*/*', 'avif'],
    ['image/webp,*/*', 'webp'],
    ['*/*', undefined],
  ] as const) {
    it(`asks for ${
      format ?? 'the original format'
    } when Accept is "${accept}"`, async () => {
      const res = await worker.fetch(q(`${ORIGIN}/photo.jpg`, { w: 100 }), {
        headers: { Accept: accept },
      });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      const image = worker.originRequests.at(-1)!.cf?.image as Record<
        string,
        unknown
      >;
      assert.equal(image.format, format);
      assert.equal(image.width, 100);
      assert.equal(image.fit, 'scale-down');
    });
  }

  it('answers 500 without details when a binding is invalid', async () => {
    const broken = await startWorker(
      {
        ENGINE: 'wasm',
        ALLOWED_ORIGINS: 'images.example.com',
        AVIF_SPEED: 'fast',
      },
      origin(images),
    );
    try {
      const res = await broken.fetch(q(`${ORIGIN}/photo.jpg`));
      assert.equal(res.status, 500);
      assert.equal(await res.text(), 'The image Worker is misconfigured\n');
      assert.ok(
        broken.logs.some(line =>
          line.includes('AVIF_SPEED must be a whole number'),
        ),
      );
    } finally {
      await broken.dispose();
    }
  });

  it('applies the same origin checks', async () => {
    const res = await worker.fetch(q('http://169.254.169.254/x.jpg'));
    assert.equal(res.status, 403);
    const redirect = await worker.fetch(q(`${ORIGIN}/redirect-evil`));
    assert.equal(redirect.status, 403);
    const failed = await worker.fetch(q(`${ORIGIN}/missing.jpg`));
    assert.equal(failed.status, 502);
  });
});

function logLines(worker: WorkerHarness): Record<string, unknown>[] {
  return worker.logs
    .filter(line => line.startsWith('{'))
    .map(line => JSON.parse(line) as Record<string, unknown>);
}

describe('cloudflare engine failures name their cause', () => {
  it('answers 429 naming the Images Free stop (err=9422) once the free transformations are used up', async () => {
    const worker = await startWorker(
      { ENGINE: 'cloudflare', ALLOWED_ORIGINS: 'images.example.com' },
      origin(images),
      {},
      { ...ZONE_SOURCES, freeLimit: 2 },
    );
    try {
      for (const w of [101, 102]) {
        const res = await worker.fetch(q(`${ORIGIN}/photo.jpg`, { w }));
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }
      const stopped = await worker.fetch(q(`${ORIGIN}/photo.jpg`, { w: 103 }));
      assert.equal(stopped.status, 429);
      const text = await stopped.text();
      assert.match(
        text,
        /free unique transformations .* used up \(Cf-Resized err=9422\)/,
      );
      assert.match(text, /Images Paid or deploy with the wasm engine/);
      assert.doesNotMatch(text, /Origin answered/);
      assert.equal(stopped.headers.get('Cache-Control'), 'no-store');
      await new Promise(resolve => setTimeout(resolve, 100));
      const line = logLines(worker).find(l => l.status === 429);
      assert.equal(line?.cause, 'transform-quota');
      assert.equal(line?.engine, 'cloudflare');
    } finally {
      await worker.dispose();
    }
  });

  it("answers 502 naming the zone's Sources setting for an allowed origin the zone does not accept (err=9401)", async () => {
    const worker = await startWorker(
      {
        ENGINE: 'cloudflare',
        ALLOWED_ORIGINS: 'images.example.com, *.example.org',
      },
      origin(images),
      {},
      { zone: WORKER_HOST, sources: ['images.example.com'] },
    );
    try {
      const ok = await worker.fetch(q(`${ORIGIN}/photo.jpg`, { w: 60 }));
      assert.equal(ok.status, 200);
      await ok.arrayBuffer();
      const res = await worker.fetch(
        q('https://cdn.example.org/photo.jpg', { w: 60 }),
      );
      assert.equal(res.status, 502);
      assert.match(
        await res.text(),
        /does not accept sources from cdn\.example\.org on this zone \(Cf-Resized err=9401\); add it under Images > Transformations > Sources/,
      );
      await new Promise(resolve => setTimeout(resolve, 100));
      assert.equal(
        logLines(worker).find(l => l.status === 502)?.cause,
        'source-not-allowed',
      );
    } finally {
      await worker.dispose();
    }
  });

  it("answers 415 naming Cloudflare's error for a source it cannot read (err=9412)", async () => {
    const worker = await startWorker(
      { ENGINE: 'cloudflare', ALLOWED_ORIGINS: 'images.example.com' },
      origin(images),
      {},
      ZONE_SOURCES,
    );
    try {
      const res = await worker.fetch(q(`${ORIGIN}/fake.jpg`, { w: 60 }));
      assert.equal(res.status, 415);
      assert.match(await res.text(), /Cf-Resized err=9412/);
    } finally {
      await worker.dispose();
    }
  });
});

describe("requests from Cloudflare's resizer (Via: image-resizing)", () => {
  let worker: WorkerHarness;
  const served: { url: string; via: string | null }[] = [];
  before(async () => {
    // The originals live under the Worker's own route: the resizer's fetch of them reaches the
    // Worker, which must hand it to the origin instead of transforming it again.
    worker = await startWorker(
      {
        ENGINE: 'cloudflare',
        ALLOWED_ORIGINS: `images.example.com, ${WORKER_HOST}`,
      },
      request => {
        const url = new URL(request.url);
        served.push({ url: request.url, via: request.headers.get('Via') });
        if (url.host === WORKER_HOST && url.pathname === '/originals/a.jpg') {
          return image(images.jpeg, 'image/jpeg');
        }
        return new Response('no such file', { status: 404 });
      },
      {},
      ZONE_SOURCES,
    );
  });
  after(() => worker.dispose());

  it("transforms a source under its own route by passing the resizer's fetch to the origin", async () => {
    const res = await worker.fetch(
      q(`https://${WORKER_HOST}/originals/a.jpg`, { w: 120, f: 'webp' }),
    );
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('Content-Type'), 'image/webp');
    assert.equal((await decoded(res)).meta.width, 120);
    assert.ok(
      served.some(
        r =>
          r.url.endsWith('/originals/a.jpg') &&
          /image-resizing/.test(r.via ?? ''),
      ),
      'the origin served the resizer',
    );
    await new Promise(resolve => setTimeout(resolve, 100));
    const passed = logLines(worker).find(l => l.resizerPassThrough === true);
    assert.equal(passed?.status, 200);
    assert.equal(passed?.cause, undefined);
  });

  it('passes a resizer request to the origin without transforming or checking it', async () => {
    const before = worker.originRequests.length;
    const res = await worker.fetch('/originals/a.jpg', {
      headers: { Via: '1.1 image-resizing' },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), images.jpeg);
    const sent = worker.originRequests.slice(before);
    assert.equal(sent.length, 1);
    assert.equal(sent[0].url, `https://${WORKER_HOST}/originals/a.jpg`);
    assert.equal(sent[0].cf?.image, undefined);
  });

  it('refuses a resizer request on workers.dev, where no origin is behind the Worker', async () => {
    const res = (await worker.mf.dispatchFetch(
      'https://image-worker.team.workers.dev/originals/a.jpg',
      { headers: { Via: '1.1 image-resizing' } },
    )) as unknown as Response;
    assert.equal(res.status, 508);
    assert.match(await res.text(), /workers\.dev, which has no origin/);
  });
});
