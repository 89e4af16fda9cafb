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
