/** Every op, grouped by family: one definition each, forward and backward side by side. */
export { add, sub, mul, div, neg, pow, sumTo, broadcastTo } from './arith';
export { exp, log, tanh, sigmoid, hardSigmoid, relu, square, sqrt, clip, where } from './unary';
export { matmul } from './matmul';
export type { MatmulOptions } from './matmul';
export { reshape, transpose, slice, split, concat, stack, unstack } from './shape-ops';
export { sum, mean, max } from './reduce';
export { layerNorm, softmax, logSoftmax } from './nn';
export { mse, softmaxCrossEntropy } from './losses';
