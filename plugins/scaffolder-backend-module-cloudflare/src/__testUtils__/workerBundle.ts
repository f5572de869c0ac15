import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { readWorkerBundle } from '@internal/image-worker/bundle';
import type { WorkerBundle } from '@internal/image-worker/bundle';

/** The real build output of `worker/`, built first when `worker/dist` is missing. */
export async function loadBuiltWorker(): Promise<WorkerBundle> {
  try {
    return await readWorkerBundle();
  } catch (error) {
    if (!String((error as Error).message).includes('not built')) {
      throw error;
    }
    const workerDir = path.dirname(
      require.resolve('@internal/image-worker/package.json'),
    );
    execFileSync(
      process.execPath,
      [path.join(workerDir, 'scripts/build.mjs'), '--quiet'],
      {
        cwd: workerDir,
        stdio: 'inherit',
      },
    );
    return readWorkerBundle();
  }
}
