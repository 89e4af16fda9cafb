/**
 * The fused paths of the RNN layer: a whole sequence in one tape entry for the cells that have
 * one (LSTM and peephole LSTM: lstm-fused.ts; simple and LN simple RNN: simple-rnn-fused.ts;
 * GRU: gru-fused.ts). Each computes what the composed cell computes — spec/cells/fused.test.ts
 * and the gradcheck table prove it. The input half x·W is one matmul over all steps here; the
 * bias is added inside the fused op (no broadcast add and no bias sumTo per layer).
 */
import type { Tensor } from '../engine/tensor';
import { mul, matmul } from '../engine/ops';
import type { RecurrentCell } from './cell';
import type { SequenceDropout } from './dropout';
import type { RecurrentResult } from './rnn';
import { LSTMCell } from './lstm';
import { PeepholeLSTMCell } from './peephole-lstm';
import { GRUCell } from './gru';
import { SimpleRNNCell } from './simple-rnn';
import { LNSimpleRNNCell } from './ln-simple-rnn';
import { lstmSequence } from './lstm-fused';
import { lstmFromInput } from './lstm-from-input';
import { simpleRnnSequence } from './simple-rnn-fused';
import { simpleRnnInferenceFromInput } from './simple-rnn-from-input';
import { gruSequence } from './gru-fused';
import { timeStep } from './sequence-ops';
import type { ActivationName } from './activations';
import type { UnaryOp } from '../kernels/scalar';

/**
 * Run the fused path for this cell, or return null when it has none (an activation the fused
 * ops do not cover). The caller has
 * checked that the dropout masks are shared (drop.fusable), and passes a padding mask only
 * with zero initial states.
 */
export function fusedPass(cell: RecurrentCell, x: Tensor, initial: readonly Tensor[], drop: SequenceDropout, returnSequences: boolean,
  padding: Tensor | null): RecurrentResult | null {
  if (isFusableLSTM(cell)) return lstmPass(x, cell, initial, drop, returnSequences, padding);
  if (isFusableSimple(cell)) return simplePass(x, cell, initial[0], drop, returnSequences, padding);
  if (isFusableGRU(cell)) return gruPass(x, cell, initial[0], drop, returnSequences, padding);
  return null;
}

function lstmPass(x: Tensor, cell: LSTMCell, [h0, c0]: readonly Tensor[], drop: SequenceDropout, returnSequences: boolean,
  padding: Tensor | null): RecurrentResult {
  const [W, U, b, pI, pF, pO] = cell.weights().map((w) => w.tensor);
  const masked = drop.inputMasks ? mul(x, drop.inputMasks[0]) : x;
  const hard = cell.recurrentActivation === 'hard_sigmoid';
  const recurrentMask = drop.sharedRecurrentMask();
  const peepholes: [Tensor, Tensor, Tensor] | null = cell instanceof PeepholeLSTMCell ? [pI, pF, pO] : null;
  // The plain LSTM may run from x and W without an x·W tensor (lstm-from-input.ts); otherwise
  // x·W for all steps is one matmul, and the bias is added inside the fused op.
  const plain = !hard && !recurrentMask && !peepholes && !padding;
  const { h: H, c } = (plain ? lstmFromInput(masked, W, U, b, h0, c0) : null) ??
    lstmSequence(matmul(masked, W), U, b, h0, c0, { hard, recurrentMask, peepholes, padding });
  const hLast = timeStep(H, H.shape[1] - 1);
  return { output: returnSequences ? H : hLast, states: [hLast, c] };
}

function simplePass(x: Tensor, cell: SimpleRNNCell, h0: Tensor, drop: SequenceDropout, returnSequences: boolean, padding: Tensor | null): RecurrentResult {
  const [W, U, b, gamma, beta] = cell.weights().map((w) => w.tensor);
  const masked = drop.inputMasks ? mul(x, drop.inputMasks[0]) : x;
  const activation = ELEMENTWISE[cell.activation] ?? null;
  const layerNorm = cell instanceof LNSimpleRNNCell ? { gamma, beta, eps: cell.epsilon } : null;
  const recurrentMask = drop.sharedRecurrentMask();
  // Inference with tanh alone may skip the x·W tensor (simple-rnn-from-input.ts); otherwise
  // x·W for all steps is one matmul, and the bias is added inside the fused op.
  const plain = activation === 'tanh' && !layerNorm && !recurrentMask && !padding;
  const H = (plain ? simpleRnnInferenceFromInput(masked, W, U, b, h0) : null) ??
    simpleRnnSequence(matmul(masked, W), U, b, h0, { activation, layerNorm, recurrentMask, padding });
  const hLast = timeStep(H, H.shape[1] - 1);
  return { output: returnSequences ? H : hLast, states: [hLast] };
}

function gruPass(x: Tensor, cell: GRUCell, h0: Tensor, drop: SequenceDropout, returnSequences: boolean, padding: Tensor | null): RecurrentResult {
  const [W, U, b] = cell.weights().map((w) => w.tensor);
  const masked = drop.inputMasks ? mul(x, drop.inputMasks[0]) : x;
  const H = gruSequence(matmul(masked, W), U, b, h0, {
    resetAfter: cell.resetAfter,
    hard: cell.recurrentActivation === 'hard_sigmoid',
    recurrentMask: drop.sharedRecurrentMask(),
    padding,
  });
  const hLast = timeStep(H, H.shape[1] - 1);
  return { output: returnSequences ? H : hLast, states: [hLast] };
}

/** The LSTM and peephole LSTM cells with tanh and a (hard) sigmoid: what the fused op computes. */
function isFusableLSTM(cell: RecurrentCell): cell is LSTMCell {
  return cell instanceof LSTMCell && cell.activation === 'tanh'
    && (cell.recurrentActivation === 'sigmoid' || cell.recurrentActivation === 'hard_sigmoid');
}

/** Activations as the kernels' element-wise ops (null: linear, the identity; softmax is not element-wise). */
const ELEMENTWISE: Record<ActivationName, UnaryOp | null | undefined> = {
  tanh: 'tanh', sigmoid: 'sigmoid', hard_sigmoid: 'hardSigmoid', relu: 'relu', linear: null, softmax: undefined,
};

/** The simple and LN simple RNN cells with an element-wise activation: what simpleRnnSequence computes. */
function isFusableSimple(cell: RecurrentCell): cell is SimpleRNNCell {
  return cell instanceof SimpleRNNCell && ELEMENTWISE[cell.activation] !== undefined;
}

/** The GRU cell with tanh and a (hard) sigmoid: what gruSequence computes. */
function isFusableGRU(cell: RecurrentCell): cell is GRUCell {
  return cell instanceof GRUCell && cell.activation === 'tanh' && (cell.recurrentActivation === 'sigmoid' || cell.recurrentActivation === 'hard_sigmoid');
}
