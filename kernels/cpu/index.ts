/**
 * rnngrad's own CPU kernels, reported as "js" (never to be confused with gpu.js's `cpu` mode).
 */
import type { Kernels } from '../kernel';
import { unary, unaryBackward, binary, addInto, powScalar, clip, select } from './elementwise';
import { sumTo, broadcastTo, reduce, permute, slice, writeSlice } from './layout';
import { matmul, matmulFixedRight } from './matmul';
import { layerNorm, layerNormBackward, softmax, softmaxBackward, lstmGates, lstmGatesBackward, lstmSequence, lstmSequenceBackward, simpleRnnSequence } from './nn';

// #region cpu-kernels
export const cpuKernels = {
  name: 'js',
  unary,
  unaryBackward,
  binary,
  addInto,
  powScalar,
  clip,
  select,
  sumTo,
  broadcastTo,
  reduce,
  matmul,
  matmulFixedRight,
  permute,
  slice,
  writeSlice,
  layerNorm,
  layerNormBackward,
  softmax,
  softmaxBackward,
  lstmGates,
  lstmGatesBackward,
  lstmSequence,
  lstmSequenceBackward,
  simpleRnnSequence,
} satisfies Kernels;
// #endregion cpu-kernels
