/**
 * Pieces of Keras layer configs that every layer writes the same way: initializers as Keras
 * serializes them, and the options rnngrad does not implement (always null / false when written).
 */
import type { Initializer } from './cell';

/** A Keras initializer config, `{ class_name, config }`. */
export function initializerConfig(init: Initializer): { class_name: string; config: Record<string, unknown> } {
  switch (init) {
    case 'glorot_uniform': return { class_name: 'GlorotUniform', config: { seed: null } };
    case 'glorot_normal': return { class_name: 'GlorotNormal', config: { seed: null } };
    case 'orthogonal': return { class_name: 'Orthogonal', config: { gain: 1, seed: null } };
    case 'ones': return { class_name: 'Ones', config: {} };
    case 'zeros':
    case 'unit_forget_bias':
    case 'peephole_uniform':
      return { class_name: 'Zeros', config: {} };
  }
}

/** Regularizers and constraints: Keras writes null for "none"; rnngrad implements none of them. */
export const NO_REGULARIZERS = {
  kernel_regularizer: null,
  recurrent_regularizer: null,
  bias_regularizer: null,
  activity_regularizer: null,
  kernel_constraint: null,
  recurrent_constraint: null,
  bias_constraint: null,
} as const;

/** The RNN-layer options Keras has and rnngrad keeps at their defaults. */
export const RNN_FIXED = { stateful: false, unroll: false, time_major: false } as const;
