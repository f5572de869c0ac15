// Photos as phones and cameras make them, through the built Worker in workerd: EXIF orientation,
// embedded colour profiles, metadata, framing, GIF sources. sharp is the reference throughout.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { photo } from './fixtures.mts';
import { startWorker, type WorkerHarness } from './harness.mts';
import {
  animatedGif,
  asymmetric,
  channelMeans,
  meanDifference,
  pngWithIccBomb,
  saturated,
  writeAdobeRgbProfile,
} from './photoFixtures.mts';

const ORIGIN = 'https://images.example.com';
const CLOUDFLARE_LIMIT = 128 * 1024 * 1024;

function q(path: string, params: Record<string, string | number> = {}) {
  const search = new URLSearchParams({ url: `${ORIGIN}${path}` });
  for (const [k, v] of Object.entries(params)) search.set(k, String(v));
  return `/?${search}`;
}

async function rawOf(body: Buffer, channels = 3) {
  const image = sharp(body);
  const out = await (channels === 3 ? image.removeAlpha() : image.ensureAlpha())
    .raw()
    .toBuffer({ resolveWithObject: true });
  return out;
}

const files = new Map<string, { body: Buffer; type: string }>();
let dir: string;
let worker: WorkerHarness;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'image-worker-photos-'));
  const base = asymmetric(240, 160);
  for (let o = 1; o <= 8; o++) {
    files.set(`/orient-${o}.jpg`, {
      body: await base
        .clone()
        .withMetadata({ orientation: o })
        .jpeg({ quality: 95 })
        .toBuffer(),
      type: 'image/jpeg',
    });
    files.set(`/orient-${o}.webp`, {
      body: await base
        .clone()
        .withMetadata({ orientation: o })
        .webp({ quality: 95 })
        .toBuffer(),
      type: 'image/webp',
    });
  }
  const colourful = saturated(300, 200);
  files.set('/p3.jpg', {
    body: await colourful
      .clone()
      .withIccProfile('p3')
      .jpeg({ quality: 95 })
      .toBuffer(),
    type: 'image/jpeg',
  });
  files.set('/p3.webp', {
    body: await colourful
      .clone()
      .withIccProfile('p3')
      .webp({ quality: 95 })
      .toBuffer(),
    type: 'image/webp',
  });
  files.set('/p3.png', {
    body: await colourful.clone().withIccProfile('p3').png().toBuffer(),
    type: 'image/png',
  });
  const adobe = await writeAdobeRgbProfile(join(dir, 'adobe-rgb.icc'));
  files.set('/adobe.jpg', {
    body: await colourful
      .clone()
      .withIccProfile(adobe)
      .jpeg({ quality: 95 })
      .toBuffer(),
    type: 'image/jpeg',
  });
  files.set('/srgb-tagged.jpg', {
    body: await colourful
      .clone()
      .withIccProfile('srgb')
      .jpeg({ quality: 95 })
      .toBuffer(),
    type: 'image/jpeg',
  });
  files.set('/exif.jpg', {
    body: await base
      .clone()
      .withExif({
        IFD0: {
          Copyright: 'Jane Doe 2026',
          Artist: 'Jane Doe',
          Make: 'PhoneCo',
        },
      })
      .withMetadata({ orientation: 6 })
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Jane Doe"/></rdf:RDF></x:xmpmeta>',
      )
      .jpeg({ quality: 90 })
      .toBuffer(),
    type: 'image/jpeg',
  });
  files.set('/wide.jpg', {
    body: await base.clone().jpeg({ quality: 95 }).toBuffer(),
    type: 'image/jpeg',
  });
  // A grey field with one busy, saturated patch near the right edge: where attention looks.
  const field = Buffer.alloc(600 * 200 * 3, 128);
  for (let y = 40; y < 160; y++) {
    for (let x = 440; x < 580; x++) {
      const i = (y * 600 + x) * 3;
      const on = ((x >> 3) + (y >> 3)) & 1;
      field[i] = on ? 240 : 30;
      field[i + 1] = on ? 40 : 200;
      field[i + 2] = on ? 40 : 30;
    }
  }
  files.set('/salient.jpg', {
    body: await sharp(field, { raw: { width: 600, height: 200, channels: 3 } })
      .jpeg({ quality: 95 })
      .toBuffer(),
    type: 'image/jpeg',
  });
  files.set('/alpha.png', {
    body: await sharp({
      create: {
        width: 200,
        height: 100,
        channels: 4,
        background: { r: 0, g: 0, b: 255, alpha: 0 },
      },
    })
      .composite([
        {
          input: {
            create: {
              width: 100,
              height: 100,
              channels: 4,
              background: { r: 0, g: 0, b: 255, alpha: 1 },
            },
          },
          left: 0,
          top: 0,
        },
      ])
      .png()
      .toBuffer(),
    type: 'image/png',
  });
  // A 12 MP portrait photo as a phone writes it: stored sideways (orientation 6), Display P3.
  files.set('/phone-12mp.jpg', {
    body: await (await photo(4000, 3000, 6))
      .withMetadata({ orientation: 6 })
      .withIccProfile('p3')
      .jpeg({ quality: 90 })
      .toBuffer(),
    type: 'image/jpeg',
  });
  files.set('/icc-bomb.png', {
    body: pngWithIccBomb(
      await saturated(64, 32).png().toBuffer(),
      64 * 1024 * 1024,
    ),
    type: 'image/png',
  });
  files.set('/anim.gif', { body: animatedGif(120, 80, 4), type: 'image/gif' });
  files.set('/huge-anim.gif', {
    body: animatedGif(2000, 2000, 12),
    type: 'image/gif',
  });

  worker = await startWorker(
    {
      ENGINE: 'wasm',
      ALLOWED_ORIGINS: 'images.example.com',
      DEBUG_HEADERS: 'true',
    },
    request => {
      const file = files.get(new URL(request.url).pathname);
      return file
        ? new Response(new Uint8Array(file.body), {
            headers: { 'Content-Type': file.type },
          })
        : new Response('no such fixture', { status: 404 });
    },
  );
});
after(async () => {
  await worker?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function fetchImage(
  path: string,
  params: Record<string, string | number>,
) {
  const res = await worker.fetch(q(path, params));
  assert.equal(res.status, 200, await res.clone().text());
  return Buffer.from(await res.arrayBuffer());
}

describe('EXIF orientation', () => {
  for (const type of ['jpg', 'webp'] as const) {
    for (let o = 1; o <= 8; o++) {
      it(`turns a ${type.toUpperCase()} with orientation ${o} upright before resizing, and drops the tag`, async () => {
        const source = files.get(`/orient-${o}.${type}`)!.body;
        assert.equal(
          (await sharp(source).metadata()).orientation,
          o,
          'the fixture carries the tag',
        );
        // w is the displayed width: 5-8 are stored 240x160 but shown 160x240.
        const body = await fetchImage(`/orient-${o}.${type}`, {
          w: 80,
          f: 'png',
        });
        const meta = await sharp(body).metadata();
        assert.equal(
          meta.orientation,
          undefined,
          'no orientation tag in the output',
        );
        const expected = await sharp(source)
          .autoOrient()
          .resize(80)
          .raw()
          .toBuffer({ resolveWithObject: true });
        assert.deepEqual(
          [meta.width, meta.height],
          [expected.info.width, expected.info.height],
        );
        const ours = await rawOf(body);
        const diff = meanDifference(ours.data, expected.data);
        assert.ok(
          diff < 6,
          `mean difference from sharp's autoOrient ${diff.toFixed(
            2,
          )} (bound 6)`,
        );
        if (o !== 1) {
          // The test can fail: the same output without orientation differs a lot.
          const unturned = await sharp(source)
            .resize(expected.info.width, expected.info.height, { fit: 'fill' })
            .raw()
            .toBuffer();
          assert.ok(
            meanDifference(ours.data, unturned) > 20,
            'unturned output would be far off',
          );
        }
      });
    }
  }

  it('crops on the displayed image for fit=cover', async () => {
    const source = files.get('/orient-6.jpg')!.body;
    const body = await fetchImage('/orient-6.jpg', {
      w: 100,
      h: 60,
      fit: 'cover',
      f: 'png',
    });
    const expected = await sharp(source)
      .autoOrient()
      .resize(100, 60, { fit: 'cover' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const ours = await rawOf(body);
    assert.deepEqual([ours.info.width, ours.info.height], [100, 60]);
    const diff = meanDifference(ours.data, expected.data);
    assert.ok(diff < 6, `mean difference ${diff.toFixed(2)} (bound 6)`);
  });
});

describe('colour profiles', () => {
  const cases: [string, string][] = [
    ['Display P3 JPEG', '/p3.jpg'],
    ['Display P3 WebP', '/p3.webp'],
    ['Display P3 PNG (iCCP)', '/p3.png'],
    ['Adobe RGB JPEG', '/adobe.jpg'],
  ];
  for (const [name, path] of cases) {
    it(`converts a ${name} to sRGB as sharp does, untagged like sharp's output`, async () => {
      const source = files.get(path)!.body;
      assert.ok(
        (await sharp(source).metadata()).icc,
        'the fixture carries a profile',
      );
      const res = await worker.fetch(q(path, { w: 150, f: 'png' }));
      assert.equal(res.status, 200);
      assert.match(
        res.headers.get('X-Image-Debug') ?? '',
        /colour-managed=yes/,
      );
      const body = Buffer.from(await res.arrayBuffer());
      const reference = await sharp(source).resize(150).png().toBuffer();
      assert.equal(
        (await sharp(reference).metadata()).icc,
        undefined,
        "sharp's output is untagged",
      );
      assert.equal(
        (await sharp(body).metadata()).icc,
        undefined,
        'ours is untagged too',
      );
      const ours = await rawOf(body);
      const ref = await rawOf(reference);
      const diff = meanDifference(ours.data, ref.data);
      const oursMeans = channelMeans(ours.data, 3);
      const refMeans = channelMeans(ref.data, 3);
      // Bounds: mean absolute difference under 2 levels, channel means within 1 level.
      assert.ok(
        diff < 2,
        `mean difference from sharp ${diff.toFixed(2)} (bound 2)`,
      );
      oursMeans.forEach((m, c) =>
        assert.ok(
          Math.abs(m - refMeans[c]) < 1,
          `channel ${c} mean ${m.toFixed(2)} vs ${refMeans[c].toFixed(2)}`,
        ),
      );
      // The same pixels left unconverted are clearly off, so the bound means something.
      const unconverted = await sharp(source, { ignoreIcc: true })
        .resize(150)
        .raw()
        .toBuffer();
      const naive = meanDifference(unconverted, ref.data);
      assert.ok(
        naive > 3 * diff && naive > 3,
        `unconverted difference ${naive.toFixed(2)}`,
      );
    });
  }

  it('answers a PNG whose profile is a compression bomb with a clear 422, not a crash', async () => {
    assert.ok(
      files.get('/icc-bomb.png')!.body.length < 200_000,
      'the bomb is small',
    );
    const res = await worker.fetch(q('/icc-bomb.png', { w: 32, f: 'png' }));
    // The PNG decoder refuses the oversized profile itself; the profile reader stops at 4 MiB
    // (tested directly in photoLib.test.mts).
    assert.equal(res.status, 422);
    assert.match(await res.text(), /could not be decoded as PNG/);
  });

  it('leaves an sRGB-tagged source as it is', async () => {
    const res = await worker.fetch(q('/srgb-tagged.jpg', { w: 150, f: 'png' }));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('X-Image-Debug') ?? '', /colour-managed=no/);
  });
});

describe('metadata', () => {
  async function exifOf(body: Buffer) {
    const meta = await sharp(body).metadata();
    return {
      meta,
      exif: meta.exif?.toString('latin1') ?? '',
      xmp: meta.xmp?.toString('utf8') ?? '',
    };
  }

  it('strips EXIF and XMP by default', async () => {
    const source = await exifOf(files.get('/exif.jpg')!.body);
    assert.match(source.exif, /Jane Doe 2026/);
    assert.match(source.xmp, /dc:creator/);
    for (const f of ['jpeg', 'webp', 'png']) {
      const { meta } = await exifOf(
        await fetchImage('/exif.jpg', { w: 80, f }),
      );
      assert.equal(meta.exif, undefined, `${f}: no EXIF`);
      assert.equal(meta.xmp, undefined, `${f}: no XMP`);
    }
  });

  it('metadata=copyright keeps only the copyright tag (JPEG output)', async () => {
    const { meta, exif, xmp } = await exifOf(
      await fetchImage('/exif.jpg', {
        w: 80,
        f: 'jpeg',
        metadata: 'copyright',
      }),
    );
    assert.match(exif, /Jane Doe 2026/);
    assert.doesNotMatch(exif, /PhoneCo/);
    assert.equal(meta.orientation, undefined);
    assert.equal(xmp, '');
  });

  it('metadata=keep keeps EXIF and XMP with the orientation reset to 1 (JPEG output)', async () => {
    const body = await fetchImage('/exif.jpg', {
      w: 80,
      f: 'jpeg',
      metadata: 'keep',
    });
    const { meta, exif, xmp } = await exifOf(body);
    assert.match(exif, /PhoneCo/);
    assert.match(exif, /Jane Doe 2026/);
    assert.equal(
      meta.orientation,
      1,
      'the pixels are upright, so the tag says 1',
    );
    assert.match(xmp, /dc:creator/);
    // The source is 240x160 turned by 6: shown 160x240.
    assert.deepEqual([meta.width, meta.height], [80, 120]);
  });

  it('WebP and PNG outputs drop metadata even with metadata=keep, as Cloudflare does', async () => {
    for (const f of ['webp', 'png']) {
      const { meta } = await exifOf(
        await fetchImage('/exif.jpg', { w: 80, f, metadata: 'keep' }),
      );
      assert.equal(meta.exif, undefined);
    }
  });

  it('refuses an unknown metadata mode', async () => {
    const res = await worker.fetch(q('/exif.jpg', { metadata: 'all' }));
    assert.equal(res.status, 400);
    assert.match(
      await res.text(),
      /metadata must be one of none, copyright, keep/,
    );
  });
});

describe('framing', () => {
  it('gravity=x,y places a cover crop around the focal point, as sharp does for an edge', async () => {
    const source = files.get('/wide.jpg')!.body;
    for (const [gravity, position] of [
      ['0,0.5', 'left'],
      ['1x0.5', 'right'],
    ] as const) {
      const ours = await rawOf(
        await fetchImage('/wide.jpg', {
          w: 80,
          h: 80,
          fit: 'cover',
          gravity,
          f: 'png',
        }),
      );
      const ref = await sharp(source)
        .resize(80, 80, { fit: 'cover', position })
        .raw()
        .toBuffer();
      const diff = meanDifference(ours.data, ref);
      assert.ok(
        diff < 6,
        `${gravity}: mean difference ${diff.toFixed(2)} (bound 6)`,
      );
      const centre = await sharp(source)
        .resize(80, 80, { fit: 'cover' })
        .raw()
        .toBuffer();
      assert.ok(
        meanDifference(ours.data, centre) > 20,
        `${gravity}: not the centre crop`,
      );
    }
  });

  it('gravity=auto crops where sharp attention crops', async () => {
    const source = files.get('/salient.jpg')!.body;
    const res = await worker.fetch(
      q('/salient.jpg', {
        w: 150,
        h: 150,
        fit: 'cover',
        gravity: 'auto',
        f: 'png',
      }),
    );
    assert.equal(res.status, 200);
    // Our crop, in source pixels, from the debug header: x,y,WxH.
    const crop = /crop=(\d+),(\d+),(\d+)x(\d+)/.exec(
      res.headers.get('X-Image-Debug') ?? '',
    );
    assert.ok(crop, 'the debug header names the crop');
    const [x, , width] = crop.slice(1).map(Number);
    const { info } = await sharp(source)
      .resize(150, 150, { fit: 'cover', position: 'attention' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    // sharp reports its offset on the image scaled to 150 px high (600x200 -> 450x150).
    const sharpX = (-(info.cropOffsetLeft ?? 0) * 200) / 150;
    assert.equal(width, 200);
    assert.ok(
      sharpX > 250,
      `sharp's attention moves off the centre (x=${sharpX})`,
    );
    // Bound: within 15 % of the source width of sharp's crop (the centre crop is 130 px away
    // from sharp's), and holding the whole patch.
    assert.ok(Math.abs(x - sharpX) <= 90, `crop x ${x} vs sharp's ${sharpX}`);
    assert.ok(
      x <= 440 && x + width >= 580,
      `crop ${x}..${x + width} holds the patch 440..580`,
    );
  });

  it('dpr multiplies w and h', async () => {
    const meta = await sharp(
      await fetchImage('/wide.jpg', {
        w: 60,
        h: 30,
        fit: 'cover',
        dpr: 2,
        f: 'png',
      }),
    ).metadata();
    assert.deepEqual([meta.width, meta.height], [120, 60]);
    const res = await worker.fetch(q('/wide.jpg', { w: 60, dpr: 4 }));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /dpr must be a number from 1 to 3/);
  });

  it('background fills transparency, as sharp flatten does', async () => {
    const source = files.get('/alpha.png')!.body;
    const body = await fetchImage('/alpha.png', {
      w: 100,
      h: 100,
      fit: 'contain',
      background: '#ff0000',
      f: 'png',
    });
    const ours = await rawOf(body, 4);
    const ref = await sharp(source)
      .resize(100, 100, { fit: 'inside' })
      .flatten({ background: '#ff0000' })
      .ensureAlpha()
      .raw()
      .toBuffer();
    assert.deepEqual([ours.info.width, ours.info.height], [100, 50]);
    const diff = meanDifference(ours.data, ref, 4, 4);
    assert.ok(diff < 2, `mean difference ${diff.toFixed(2)} (bound 2)`);
    assert.equal(
      ours.data[(25 * 100 + 90) * 4],
      255,
      'the transparent half is red',
    );
    assert.equal(ours.data[(25 * 100 + 90) * 4 + 3], 255, 'and opaque');
  });

  it('refuses a bad gravity or background with the accepted forms', async () => {
    for (const [params, message] of [
      [{ gravity: '2,0' }, /gravity x must be a number from 0 to 1/],
      [{ gravity: 'north' }, /gravity must be auto or a focal point/],
      [{ background: 'rebeccapurple' }, /background must be a colour/],
    ] as const) {
      const res = await worker.fetch(q('/wide.jpg', params));
      assert.equal(res.status, 400);
      assert.match(await res.text(), message);
    }
  });
});

describe('GIF sources', () => {
  it('turns the first frame into a still with anim=false, and for JPEG or PNG output', async () => {
    const cases: Record<string, string>[] = [
      { f: 'webp', anim: 'false' },
      { f: 'png' },
    ];
    for (const params of cases) {
      const body = await fetchImage('/anim.gif', { w: 60, ...params });
      const meta = await sharp(body).metadata();
      assert.equal(meta.pages ?? 1, 1);
      assert.deepEqual([meta.width, meta.height], [60, 40]);
      const [r, g, b] = channelMeans((await rawOf(body)).data, 3);
      assert.ok(
        r > 150 && g < 100 && b < 100,
        `first frame is red: ${[r, g, b].map(Math.round)}`,
      );
    }
  });

  it('turns an animated GIF into an animated WebP', async () => {
    const body = await fetchImage('/anim.gif', { w: 60, f: 'webp' });
    const meta = await sharp(body, { animated: true }).metadata();
    assert.equal(meta.format, 'webp');
    assert.equal(meta.pages, 4);
    assert.deepEqual(meta.delay, [200, 200, 200, 200]);
    assert.equal(meta.loop, 0);
    assert.equal(meta.pageHeight, 40);
    // Frame 3 is blue (palette index 3).
    const frame = await sharp(body, { page: 2 }).removeAlpha().raw().toBuffer();
    const [r, g, b] = channelMeans(frame, 3);
    assert.ok(
      b > 150 && r < 100,
      `third frame is blue: ${[r, g, b].map(Math.round)}`,
    );
  });

  it('gives the first frame for an explicit f=avif, and animated WebP for f=auto', async () => {
    const avif = await fetchImage('/anim.gif', { w: 60, f: 'avif' });
    assert.equal((await sharp(avif).metadata()).pages ?? 1, 1);
    const res = await worker.fetch(q('/anim.gif', { w: 60 }), {
      headers: { Accept: 'image/avif,image/webp,*/*' },
    });
    assert.equal(res.headers.get('Content-Type'), 'image/webp');
    const meta = await sharp(Buffer.from(await res.arrayBuffer()), {
      animated: true,
    }).metadata();
    assert.equal(meta.pages, 4);
  });

  it('refuses an animation too large for the memory limit with 422, and serves its still', async () => {
    const res = await worker.fetch(q('/huge-anim.gif', { w: 2000, f: 'webp' }));
    assert.equal(res.status, 422);
    assert.match(
      await res.text(),
      /does not fit the wasm engine's memory.*anim=false/,
    );
    const still = await worker.fetch(
      q('/huge-anim.gif', { w: 1000, f: 'webp', anim: 'false' }),
    );
    assert.equal(still.status, 200);
  });

  it('keeps the animation under 128 MiB', async () => {
    const res = await worker.fetch(q('/huge-anim.gif', { w: 400, f: 'webp' }));
    assert.equal(res.status, 200);
    const peak = Number(
      /wasm-peak-bytes=(\d+)/.exec(res.headers.get('X-Image-Debug') ?? '')?.[1],
    );
    assert.ok(peak > 0 && peak < CLOUDFLARE_LIMIT, `peak ${peak}`);
    assert.equal(
      (
        await sharp(Buffer.from(await res.arrayBuffer()), {
          animated: true,
        }).metadata()
      ).pages,
      12,
    );
  });
});

describe('memory with orientation and colour management on', () => {
  // The largest outputs the engine allows: MAX_OUTPUT_PIXELS (4 MP) and AVIF's 1280x1024 cap.
  for (const [format, width] of [
    ['webp', 1732],
    ['jpeg', 1732],
    ['png', 1732],
    ['avif', 990],
  ] as const) {
    it(`stays under 128 MiB for a 12 MP P3 phone photo to ${format} at ${width} px`, async () => {
      const res = await worker.fetch(
        q('/phone-12mp.jpg', { w: width, f: format }),
      );
      assert.equal(res.status, 200, await res.clone().text());
      const debug = res.headers.get('X-Image-Debug') ?? '';
      assert.match(debug, /orientation=6/);
      assert.match(debug, /colour-managed=yes/);
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      assert.deepEqual(
        [meta.width, meta.height],
        [width, Math.round((width * 4) / 3)],
      );
      const peak = Number(/wasm-peak-bytes=(\d+)/.exec(debug)?.[1]);
      assert.ok(
        peak > width * width * 4,
        `peak ${peak} counts the output pixels`,
      );
      assert.ok(peak < CLOUDFLARE_LIMIT, `peak WASM memory ${peak} bytes`);
    });
  }
});
