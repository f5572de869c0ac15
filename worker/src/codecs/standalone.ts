import { exportedMemory, MemoryMeter } from './meter';

/**
 * Instantiates a standalone emscripten module (no JavaScript glue) for one request. The few
 * system calls libc links in are answered here: no environment, no files, output discarded.
 */
export function instantiateStandalone<T>(
  module: WebAssembly.Module,
  meter: MemoryMeter,
): { exports: T; memory: WebAssembly.Memory } {
  let memory: WebAssembly.Memory | undefined;
  const view = () => new DataView(memory!.buffer);
  const instance = new WebAssembly.Instance(module, {
    wasi_snapshot_preview1: {
      environ_sizes_get: (countPtr: number, sizePtr: number) => {
        view().setUint32(countPtr, 0, true);
        view().setUint32(sizePtr, 0, true);
        return 0;
      },
      environ_get: () => 0,
      clock_time_get: (_id: number, _precision: bigint, timePtr: number) => {
        view().setBigUint64(timePtr, BigInt(Date.now()) * 1_000_000n, true);
        return 0;
      },
      // Writes report every byte as written; reads and seeks have nothing to read.
      fd_write: (_fd: number, iovs: number, count: number, written: number) => {
        let total = 0;
        for (let i = 0; i < count; i++)
          total += view().getUint32(iovs + i * 8 + 4, true);
        view().setUint32(written, total, true);
        return 0;
      },
      fd_read: () => 8, // EBADF
      fd_seek: () => 8,
      fd_close: () => 0,
    },
    env: { emscripten_notify_memory_growth: () => meter.sample() },
  });
  memory = exportedMemory(instance.exports);
  meter.track(memory);
  const exports = instance.exports as { _initialize?: () => void };
  exports._initialize?.();
  return { exports: instance.exports as T, memory };
}
