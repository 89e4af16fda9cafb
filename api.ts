/**
 * rnngrad — a from-scratch tensor and reverse-mode autodiff engine, and the recurrent networks
 * built on it. This file is the public API that runs anywhere (Node and a browser page); the
 * README walks through it in reading order. The entries add what only one side can do:
 * index.ts (Node: files on disk, node/) and index.browser.ts (a page: fetch, File, download).
 */
export { Tensor, allocate, ValueStore } from './engine/tensor';
export { tidy } from './engine/tidy';
export type { DType, Storage, NestedArray } from './engine/tensor';
export { Random, globalRandom, manualSeed } from './engine/random';
export { OpError, broadcastShapes } from './engine/shape';
export type { Shape } from './engine/shape';
export { tensor, zeros, ones, full, randn, uniform, glorotUniform, glorotNormal, orthogonal, astype } from './engine/creation';
export type { TensorOptions, RandomOptions } from './engine/creation';
export { noGrad, isGradEnabled, tapeOf, record, recordMany } from './engine/tape';
export type { TapeEntry, BackwardRule, MultiBackwardRule } from './engine/tape';
export { formatTape, toDot } from './engine/tape-print';
export { grad, valueAndGrad } from './engine/autodiff';
export { gradcheck } from './engine/gradcheck';
export type { GradcheckOptions, GradcheckReport, InputReport } from './engine/gradcheck';
export * from './engine/ops';
export { getKernels, setKernels } from './kernels/registry';
export type { Kernels, MatmulDims, LstmGateBuffers, LstmWeightGradients, InputProduct, DeviceKernels, DeviceArray, FixedRightMatmul, RowAddend } from './kernels/kernel';
export * from './cells';
export * from './train';
export { setAnomalyDetection, detectAnomaly, isAnomalyDetectionEnabled, AnomalyError } from './engine/anomaly';
export { opCases } from './engine/op-cases';
export { cellCases } from './cells/gradcheck-cases';
export { runCase, SUITE_TOLERANCE } from './engine/gradcheck-suite';
export type { GradcheckCase, GradcheckRow } from './engine/gradcheck-suite';
export { setBackend, getBackendName, kernelsName, backendFromEnv } from './kernels/backend';
export type { BackendName, BackendChoice, BackendOptions } from './kernels/backend';
export type { GpuKernelOptions } from './kernels/gpu';
export type { GpuMode } from './kernels/gpu/context';
export { useWasmMatmul } from './kernels/cpu/matmul';
export { useWasmThreads } from './kernels/wasm/matmul';
