/*
 * Start-up benchmark: time from process start to readiness 200, and resident memory of the
 * backend once ready, over N runs (default 5) on the local defaults with a fresh SQLite directory
 * per run. Usage: yarn bench:startup [runs]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startBackendProcess, treeRssKb } from '../src/testing/backendProcess';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

async function main() {
  const runs = Number(process.argv[2] ?? 5);
  const times: number[] = [];
  const rss: number[] = [];
  for (let i = 1; i <= runs; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-sqlite-'));
    const backend = await startBackendProcess({
      config: {
        backend: {
          database: {
            client: 'better-sqlite3',
            connection: { directory: dir },
          },
        },
      },
    });
    // Let the first catalog processing pass settle before reading memory.
    await new Promise(r => setTimeout(r, 3000));
    const kb = treeRssKb(backend.pid);
    await backend.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    times.push(backend.startupMs);
    rss.push(kb / 1024);
    console.log(
      `run ${i}/${runs}: ready in ${(backend.startupMs / 1000).toFixed(
        1,
      )} s, resident ${(kb / 1024).toFixed(0)} MB`,
    );
  }
  console.log(
    `median of ${runs}: ready in ${(median(times) / 1000).toFixed(
      1,
    )} s, resident ${median(rss).toFixed(0)} MB (Node ${
      process.version
    }, SQLite)`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
