/*
 * The `cloudflare` SDK, loaded when a task first deploys rather than when the backend starts:
 * the SDK holds about 10 MB of heap once loaded, and most backends never run the action
 * (docs/deployment.md, "Memory"). Everything else in this module imports only the SDK's types.
 *
 * `require` rather than `import()`: Backstage's Jest set-up keeps dynamic imports native, which
 * Jest runs only under --experimental-vm-modules, and the SDK is a CommonJS package.
 */

/** The SDK's exports: the client class as `default`, the error classes, `toFile`. */
export type CloudflareSdk = typeof import('cloudflare');

/** Loads the SDK on the first call; Node's module cache returns the same one after that. */
export function loadCloudflareSdk(): CloudflareSdk {
  return require('cloudflare');
}
