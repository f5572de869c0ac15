import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const require = createRequire(import.meta.url);
const bundle = require('../bundle.js') as typeof import('../bundle.js');
const sign = require('../sign.js') as typeof import('../sign.js');

describe('readWorkerBundle', () => {
  it('returns the entry module first, every WASM module, and the compatibility settings', async () => {
    const result = await bundle.readWorkerBundle();
    assert.equal(result.mainModule, 'index.js');
    assert.equal(result.modules[0].name, 'index.js');
    assert.equal(
      result.modules[0].contentType,
      'application/javascript+module',
    );
    const wasm = result.modules
      .filter(m => m.contentType === 'application/wasm')
      .map(m => m.name);
    assert.ok(wasm.includes('imagecore.wasm'));
    assert.ok(wasm.includes('avifenc.wasm'));
    for (const m of result.modules) {
      if (m.contentType === 'application/wasm') {
        assert.deepEqual([...m.content.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
      }
    }
    // Every module the entry imports is in the upload.
    const entry = result.modules[0].content.toString('utf8');
    for (const [, name] of entry.matchAll(/from\s*"\.\/([^"]+)"/g)) {
      assert.ok(
        result.modules.some(m => m.name === name),
        `${name} is uploaded`,
      );
    }
    assert.match(result.compatibilityDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(Array.isArray(result.compatibilityFlags));
  });

  it('names the build command when dist is missing', async () => {
    // Inside worker/ so that bundle.js still finds its dependencies; without dist/.
    const dir = await mkdtemp(join(import.meta.dirname, '..', '.test-copy-'));
    try {
      await cp(
        join(import.meta.dirname, '..', 'bundle.js'),
        join(dir, 'bundle.js'),
      );
      await cp(
        join(import.meta.dirname, '..', 'src', 'contract.json'),
        join(dir, 'src', 'contract.json'),
      );
      await cp(
        join(import.meta.dirname, '..', 'wrangler.jsonc'),
        join(dir, 'wrangler.jsonc'),
      );
      const copy = require(join(
        dir,
        'bundle.js',
      )) as typeof import('../bundle.js');
      await assert.rejects(
        copy.readWorkerBundle(),
        /not built.*yarn workspace @internal\/image-worker build/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('wrangler.jsonc and the contract', () => {
  const { contract } = bundle;

  it('sets only bindings the contract names, each to the contract default', async () => {
    const config = await bundle.readWranglerConfig();
    const names = Object.values(contract.bindings) as string[];
    for (const name of Object.keys(config.vars)) {
      assert.ok(names.includes(name), `${name} is a binding of the contract`);
    }
    assert.deepEqual(
      {
        ENGINE: config.vars.ENGINE,
        MAX_SOURCE_BYTES: config.vars.MAX_SOURCE_BYTES,
        MAX_PIXELS: config.vars.MAX_PIXELS,
        ORIGIN_TIMEOUT_MS: config.vars.ORIGIN_TIMEOUT_MS,
      },
      {
        ENGINE: contract.defaults.engine,
        MAX_SOURCE_BYTES: String(contract.defaults.maxSourceBytes),
        MAX_PIXELS: String(contract.defaults.maxPixels),
        ORIGIN_TIMEOUT_MS: String(contract.defaults.originTimeoutMs),
      },
    );
    assert.match(
      config.vars.ALLOWED_ORIGINS,
      new RegExp(contract.patterns.host),
    );
    assert.ok(
      !(contract.bindings.signingKey in config.vars),
      'no secret in vars',
    );
  });

  it('offers the optional R2 binding under the contract name, ready to uncomment', async () => {
    const text = await readFile(
      join(import.meta.dirname, '..', 'wrangler.jsonc'),
      'utf8',
    );
    const commented = text
      .split('\n')
      .filter(line => /^\s*\/\/\s*"r2_buckets"/.test(line));
    assert.equal(commented.length, 1, 'one commented r2_buckets line');
    assert.ok(
      !('r2_buckets' in (await bundle.readWranglerConfig())),
      'no bucket is needed to deploy',
    );
    const uncommented = bundle.parseWranglerConfig(
      text.replace(commented[0], commented[0].replace('//', '')),
      'wrangler.jsonc',
    );
    assert.deepEqual(
      uncommented.r2_buckets.map((b: { binding: string }) => b.binding),
      [contract.bindings.derivatives],
    );
    assert.match(
      uncommented.r2_buckets[0].bucket_name,
      new RegExp(contract.patterns.r2BucketName),
    );
  });

  it('reads comments, trailing commas and comment markers inside strings', () => {
    const config = bundle.parseWranglerConfig(
      '{\n  // a comment\n  "a": "https://x/*y*/", /* block */\n  "b": [1, 2,],\n}\n',
      'test.jsonc',
    );
    assert.deepEqual(config, { a: 'https://x/*y*/', b: [1, 2] });
  });

  it('names the file and the error when the JSONC is broken', () => {
    assert.throws(
      () => bundle.parseWranglerConfig('{ "a": 1 "b": 2 }', 'wrangler.jsonc'),
      /wrangler\.jsonc is not valid JSONC: CommaExpected at offset 9/,
    );
  });

  it('gives the signing helper the parameter names of the contract', () => {
    assert.equal(sign.SIGNATURE_PARAM, contract.signing.signatureParam);
    assert.equal(sign.EXPIRY_PARAM, contract.signing.expiryParam);
  });
});

describe('sign helper', () => {
  it('signs the path and the sorted query without sig, independent of host and order', () => {
    const a = sign.signUrl('https://a.example/img?w=10&url=x', 'k');
    const b = sign.signUrl('https://b.example/img?url=x&w=10', 'k');
    assert.equal(
      new URL(a).searchParams.get('sig'),
      new URL(b).searchParams.get('sig'),
    );
    const expected = createHmac('sha256', 'k')
      .update('/img?url=x&w=10')
      .digest('base64url');
    assert.equal(new URL(a).searchParams.get('sig'), expected);
  });

  it('adds an expiry that is covered by the signature', () => {
    const url = new URL(
      sign.signUrl('https://a.example/?url=x', 'k', {
        expiresAt: 2_000_000_000_000,
      }),
    );
    assert.equal(url.searchParams.get('exp'), '2000000000');
    const unsigned = new URL(url);
    unsigned.searchParams.set('exp', '2000000001');
    assert.notEqual(sign.signature(unsigned, 'k'), url.searchParams.get('sig'));
  });

  it('builds Worker URLs with the options, signed only when given a key', () => {
    const plain = new URL(
      sign.imageUrl('https://w.example/', 'https://i.example/a.jpg', {
        w: 400,
        f: 'webp',
      }),
    );
    assert.equal(plain.searchParams.get('url'), 'https://i.example/a.jpg');
    assert.equal(plain.searchParams.get('w'), '400');
    assert.equal(plain.searchParams.get('sig'), null);
    const signed = new URL(
      sign.imageUrl(
        'https://w.example/',
        'https://i.example/a.jpg',
        { w: 400 },
        'k',
      ),
    );
    assert.equal(signed.searchParams.get('sig'), sign.signature(signed, 'k'));
  });

  it('refuses to sign without a key', () => {
    assert.throws(
      () => sign.signUrl('https://a.example/?url=x', ''),
      /signing key is required/,
    );
  });
});
