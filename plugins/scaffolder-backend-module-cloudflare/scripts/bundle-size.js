#!/usr/bin/env node
// Prints the raw and gzip size of each module the deploy action uploads, and the totals against
// Cloudflare's free-plan limit (the Worker's contract, src/contract.json in worker/). Exits with 1
// when the Worker is over the limit.
'use strict';
const { gzipSync } = require('node:zlib');
const { readWorkerBundle, contract } = require('@internal/image-worker/bundle');

const LIMIT = contract.limits.bundleGzipBytes;
const kib = bytes => `${(bytes / 1024).toFixed(1)} KiB`;

readWorkerBundle().then(
  bundle => {
    let raw = 0;
    let gzip = 0;
    for (const module of bundle.modules) {
      const zipped = gzipSync(module.content, { level: 9 }).byteLength;
      raw += module.content.byteLength;
      gzip += zipped;
      console.log(
        `${module.name.padEnd(32)} ${kib(module.content.byteLength).padStart(
          12,
        )} raw ${kib(zipped).padStart(12)} gzip`,
      );
    }
    console.log(
      `${'total'.padEnd(32)} ${kib(raw).padStart(12)} raw ${kib(gzip).padStart(
        12,
      )} gzip (limit ${kib(LIMIT)} gzip, ${((gzip / LIMIT) * 100).toFixed(
        1,
      )}% used)`,
    );
    if (gzip > LIMIT) {
      console.error('The Worker is over the free-plan limit.');
      process.exitCode = 1;
    }
  },
  error => {
    console.error(error.message);
    process.exitCode = 1;
  },
);
