'use strict';
// Signs image URLs for a Worker that has a SIGNING_KEY. Kept in plain CommonJS so any Node service
// (and the Backstage backend) can use it without a build step. The Worker's verifier in
// src/lib/signing.ts computes the same canonical string.
const { createHmac } = require('node:crypto');
const { signing } = require('./src/contract.json');

const SIGNATURE_PARAM = signing.signatureParam;
const EXPIRY_PARAM = signing.expiryParam;

/**
 * The string that is signed: the URL path, then every query parameter except `sig`, sorted by
 * name (then value) and encoded as `URLSearchParams` encodes them. The host is not part of it, so a
 * signed URL works on every route of the Worker.
 */
function canonicalString(url) {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  const params = [...parsed.searchParams].filter(
    ([name]) => name !== SIGNATURE_PARAM,
  );
  params.sort(([a, av], [b, bv]) =>
    a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0,
  );
  return `${parsed.pathname}?${new URLSearchParams(params).toString()}`;
}

/** Base64url HMAC-SHA256 of the canonical string of `url`. */
function signature(url, key) {
  if (!key) throw new Error('A signing key is required');
  return createHmac('sha256', key)
    .update(canonicalString(url))
    .digest('base64url');
}

/**
 * Returns `url` with a `sig` parameter (and an `exp` parameter, in Unix seconds, when
 * `options.expiresIn` seconds or `options.expiresAt` is given).
 */
function signUrl(url, key, options = {}) {
  const parsed = new URL(String(url));
  parsed.searchParams.delete(SIGNATURE_PARAM);
  let exp;
  if (options.expiresAt !== undefined) {
    exp = Math.floor(new Date(options.expiresAt).getTime() / 1000);
  } else if (options.expiresIn !== undefined) {
    exp = Math.floor(Date.now() / 1000) + Math.floor(options.expiresIn);
  }
  if (exp !== undefined) {
    if (!Number.isFinite(exp)) throw new Error('Invalid expiry');
    parsed.searchParams.set(EXPIRY_PARAM, String(exp));
  }
  parsed.searchParams.set(SIGNATURE_PARAM, signature(parsed, key));
  return parsed.toString();
}

/**
 * Builds a (signed, when `key` is given) Worker URL for an image.
 * `workerUrl` is the Worker's base URL, `source` the original image URL.
 */
function imageUrl(workerUrl, source, options = {}, key) {
  const url = new URL(String(workerUrl));
  url.searchParams.set('url', String(source));
  for (const name of ['w', 'h', 'fit', 'q', 'f']) {
    if (options[name] !== undefined)
      url.searchParams.set(name, String(options[name]));
  }
  return key ? signUrl(url, key, options) : url.toString();
}

module.exports = {
  canonicalString,
  signature,
  signUrl,
  imageUrl,
  SIGNATURE_PARAM,
  EXPIRY_PARAM,
};
