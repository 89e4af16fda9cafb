/**
 * TF.js for the benchmark page, bundled apart from rnngrad (web/dist/tfjs.js) and loaded by
 * bench.ts with a dynamic import. In one esbuild bundle with TF.js, rnngrad's gpu.js kernels
 * fail to compile ("Identifier is not defined … c0": esbuild renames top-level names that
 * collide, and gpu.js reads function sources), so the two engines live in two modules.
 */
import '@tensorflow/tfjs-backend-wasm';

export * from '@tensorflow/tfjs';
export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

/** Register TF.js's WebGPU backend (a separate package; loaded only when asked for). */
export async function loadWebgpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-webgpu');
}
