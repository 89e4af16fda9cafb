/** Losses, optimizers, clipping, tasks, the training loop and model files. */
export {};
