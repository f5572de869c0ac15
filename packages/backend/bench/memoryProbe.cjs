/*
 * Preloaded into a backend by `yarn bench:memory` (node --expose-gc --require this file): on
 * SIGUSR2 it runs a full garbage collection and writes process.memoryUsage() to the file named by
 * MEMORY_PROBE_FILE, so that what a backend retains can be told apart from garbage not yet
 * collected.
 */
const fs = require('node:fs');

process.on('SIGUSR2', () => {
  global.gc();
  global.gc();
  fs.writeFileSync(
    process.env.MEMORY_PROBE_FILE,
    JSON.stringify(process.memoryUsage()),
  );
});
