/** One module of the Worker upload: the ES module entry, another ES module, or a WASM module. */
export interface WorkerModule {
  /** Module name as the main module imports it, relative to the bundle root (e.g. `index.js`). */
  name: string;
  contentType: 'application/javascript+module' | 'application/wasm';
  content: Buffer;
}

/** Everything needed to upload the image Worker as an ES-module Worker. */
export interface WorkerBundle {
  /** Name of the entry module inside `modules`. */
  mainModule: string;
  /** All modules, the main module first. */
  modules: WorkerModule[];
  /** `compatibility_date` from `wrangler.jsonc`. */
  compatibilityDate: string;
  /** `compatibility_flags` from `wrangler.jsonc`. */
  compatibilityFlags: string[];
}

/**
 * Reads the built Worker from `worker/dist` and its compatibility settings from `wrangler.jsonc`.
 * Rejects with an error naming the build command when `dist` is missing or incomplete.
 */
export function readWorkerBundle(): Promise<WorkerBundle>;

/** Absolute path of the folder `readWorkerBundle` reads (`worker/dist`). */
export const distDir: string;

/** `wrangler.jsonc` parsed with `jsonc-parser`; rejects naming each syntax error. */
export function readWranglerConfig(): Promise<Record<string, any>>;

/** Parses JSONC text as `wrangler.jsonc` is parsed; `file` names it in errors. */
export function parseWranglerConfig(
  text: string,
  file: string,
): Record<string, any>;

/** The Worker's contract (`src/contract.json`); see `contract.d.ts`. */
export const contract: import('./contract').WorkerContract;
