/**
 * Training-time dropout for the custom cells (LNSimpleRNNCell, PeepholeLSTMCell) in TF.js.
 * TF.js carries a custom cell in its generic `RNN` layer, which never tells the cell that a new
 * sequence begins — so a cell cannot draw Keras's per-sequence (variational) masks there. Rather
 * than train with other masks than the file says, training with dropout is refused by name.
 * At inference dropout is the identity, so these files predict as rnngrad predicts.
 */

/** Throw, naming the options, when training with `dropout` / `recurrent_dropout` set. */
export function refuseTrainingDropout(dropout: number, recurrentDropout: number, training: boolean, owner: string): void {
  if (!training) return;
  const set = [dropout > 0 ? `dropout=${dropout}` : '', recurrentDropout > 0 ? `recurrent_dropout=${recurrentDropout}` : ''].filter((s) => s !== '');
  if (set.length > 0) {
    throw new Error(`${owner}: training with ${set.join(', ')} is not implemented by rnngrad/tfjs (TF.js's RNN layer cannot draw per-sequence masks for a custom cell); train with dropout 0, or train in rnngrad — inference is unaffected`);
  }
}
