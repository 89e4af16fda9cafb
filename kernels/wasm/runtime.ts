/**
 * The few WebAssembly JS-API calls rnngrad makes, typed here: the project compiles against
 * lib ES2022 + @types/node 20, neither of which declares the `WebAssembly` global (it lives in
 * the DOM lib). Node has had it since v8; this only gives it types.
 */

/** A wasm linear memory: `buffer` is replaced whenever it grows (and, unshared, the old one detached). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  validate(bytes: Uint8Array<ArrayBuffer>): boolean;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array<ArrayBuffer>) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => {
    readonly exports: Record<string, unknown>;
  };
}

/** The `WebAssembly` global, or undefined on an engine without it. */
export const wasmApi: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Bytes in a wasm memory page. */
export const WASM_PAGE = 65536;

/** A module instantiated over a memory of its own, with a float32 view of that memory. */
export interface FloatModule {
  readonly memory: WasmMemory;
  readonly exports: Record<string, unknown>;
  /** The float32 view; re-made by `reserveFloats` whenever the memory grows. */
  floats: Float32Array;
}

/**
 * A loader that instantiates `bytes()` on first use (memory imported as env.memory) and returns
 * the same instance afterwards. `who` names the kernel in the error on an engine without wasm.
 */
export function lazyFloatModule(who: string, bytes: () => Uint8Array<ArrayBuffer>, initialPages: number): () => FloatModule {
  let instance: FloatModule | null = null;
  return () => {
    if (instance) return instance;
    if (!wasmApi) throw new Error(`${who}: this JavaScript engine has no WebAssembly`);
    const memory = new wasmApi.Memory({ initial: initialPages });
    // (not named `exports`: under CommonJS that would shadow the module's own exports object)
    const functions = new wasmApi.Instance(new wasmApi.Module(bytes()), { env: { memory } }).exports;
    instance = { memory, exports: functions, floats: new Float32Array(memory.buffer) };
    return instance;
  };
}

/** Grow the memory to hold at least `floats` floats (growing replaces the buffer, so the view is re-made). */
export function reserveFloats(m: { memory: WasmMemory; floats: Float32Array }, floats: number): void {
  const bytes = floats * 4;
  if (bytes <= m.memory.buffer.byteLength) return;
  m.memory.grow(Math.ceil((bytes - m.memory.buffer.byteLength) / WASM_PAGE));
  m.floats = new Float32Array(m.memory.buffer);
}
