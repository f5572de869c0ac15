'use strict';
// Plain CommonJS so the Backstage backend can load the built Worker without a transpiler.
const fs = require('node:fs/promises');
const path = require('node:path');

const distDir = path.join(__dirname, 'dist');
const wranglerFile = path.join(__dirname, 'wrangler.jsonc');
const mainModule = 'index.js';
const buildHint =
  'run `yarn workspace @internal/image-worker build` (or `yarn build` in worker/)';

const contentTypes = {
  '.js': 'application/javascript+module',
  '.mjs': 'application/javascript+module',
  '.wasm': 'application/wasm',
};

/** Removes comments and trailing commas from JSONC, leaving string contents untouched. */
function parseJsonc(text) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

async function listFiles(dir, prefix = '') {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const files = [];
  for (const entry of entries) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files.push(...(await listFiles(path.join(dir, entry.name), rel)));
    } else if (contentTypes[path.extname(entry.name)]) {
      files.push(rel);
    }
  }
  return files;
}

async function readWorkerBundle() {
  let names;
  try {
    names = await listFiles(distDir);
  } catch (error) {
    if (error && error.code === 'ENOENT') {
      throw new Error(
        `The image Worker is not built: ${distDir} is missing; ${buildHint}`,
      );
    }
    throw error;
  }
  if (!names.includes(mainModule)) {
    throw new Error(
      `The image Worker is not built: ${path.join(
        distDir,
        mainModule,
      )} is missing; ${buildHint}`,
    );
  }
  names.sort((a, b) =>
    a === mainModule ? -1 : b === mainModule ? 1 : a.localeCompare(b),
  );

  const config = parseJsonc(await fs.readFile(wranglerFile, 'utf8'));
  if (typeof config.compatibility_date !== 'string') {
    throw new Error(`${wranglerFile} has no compatibility_date`);
  }
  const modules = await Promise.all(
    names.map(async name => ({
      name,
      contentType: contentTypes[path.extname(name)],
      content: await fs.readFile(path.join(distDir, name)),
    })),
  );
  return {
    mainModule,
    modules,
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: Array.isArray(config.compatibility_flags)
      ? config.compatibility_flags.map(String)
      : [],
  };
}

module.exports = { readWorkerBundle, distDir };
