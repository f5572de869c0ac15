/**
 * Accounts for the memory a request's image pipeline holds: the linear memory of every WASM codec
 * instance it has created and not yet released, plus the pixel buffers it keeps in JavaScript.
 * WASM memory never shrinks, so sampling after each step captures the peak.
 */
export class MemoryMeter {
  private readonly memories = new Set<WebAssembly.Memory>();
  private readonly buffers = new Set<ArrayBufferLike>();
  private peakBytes = 0;

  track(memory: WebAssembly.Memory): void {
    this.memories.add(memory);
    this.sample();
  }

  release(memory: WebAssembly.Memory | undefined): void {
    if (memory) this.memories.delete(memory);
  }

  hold(buffer: ArrayBufferLike): void {
    this.buffers.add(buffer);
    this.sample();
  }

  drop(buffer: ArrayBufferLike | undefined): void {
    if (buffer) this.buffers.delete(buffer);
  }

  /** Bytes held right now. */
  current(): number {
    let total = 0;
    for (const memory of this.memories) total += memory.buffer.byteLength;
    for (const buffer of this.buffers) total += buffer.byteLength;
    return total;
  }

  sample(): number {
    const now = this.current();
    if (now > this.peakBytes) this.peakBytes = now;
    return now;
  }

  get peak(): number {
    return this.peakBytes;
  }
}

/** Finds the linear memory an instance exports (emscripten minifies its export names). */
export function exportedMemory(
  exports: WebAssembly.Exports,
): WebAssembly.Memory {
  for (const value of Object.values(exports)) {
    if (value instanceof WebAssembly.Memory) return value;
  }
  throw new Error('WASM module exports no memory');
}

/**
 * Creates a fresh instance of an emscripten codec for one request, so its memory is released
 * with the instance instead of staying with the isolate.
 */
export async function instantiateEmscripten<T>(
  factory: EmscriptenFactory<T>,
  module: WebAssembly.Module,
  meter: MemoryMeter,
): Promise<{ codec: T; memory: WebAssembly.Memory }> {
  let memory: WebAssembly.Memory | undefined;
  const codec = await factory({
    noInitialRun: true,
    instantiateWasm(imports, callback) {
      const instance = new WebAssembly.Instance(module, imports);
      memory = exportedMemory(instance.exports);
      meter.track(memory);
      callback(instance);
      return instance.exports;
    },
  });
  if (!memory) throw new Error('Codec did not instantiate');
  return { codec, memory };
}
