'use strict';
// Plain CommonJS so the Backstage backend can load the built Worker without a transpiler.
const fs = require('node:fs/promises');
const path = require('node:path');
const jsonc = require('jsonc-parser');
const contract = require('./src/contract.json');

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

/** Parses `wrangler.jsonc` (comments and trailing commas allowed); throws naming each error. */
function parseWranglerConfig(text, file) {
  const errors = [];
  const config = jsonc.parse(text, errors, { allowTrailingComma: true });
  if (errors.length > 0) {
    const where = errors
      .map(e => `${jsonc.printParseErrorCode(e.error)} at offset ${e.offset}`)
      .join(', ');
    throw new Error(`${file} is not valid JSONC: ${where}`);
  }
  return config;
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

/** The Worker's `wrangler.jsonc`, parsed. */
async function readWranglerConfig() {
  return parseWranglerConfig(
    await fs.readFile(wranglerFile, 'utf8'),
    wranglerFile,
  );
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

  const config = await readWranglerConfig();
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

module.exports = {
  readWorkerBundle,
  readWranglerConfig,
  parseWranglerConfig,
  contract,
  distDir,
};
