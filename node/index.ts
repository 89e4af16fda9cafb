/**
 * What only Node can do: model files, checkpoints, data files and the chars text on disk, and
 * the gradient answer key computed with TF.js. Nothing under engine/, cells/, train/ or kernels/
 * imports these; the browser has its own counterparts in browser/ (fetch, File objects, downloads).
 */
export { loadModel, saveModel, modelJsonPath } from './model-files';
export { writeFileAtomic } from './atomic';
export { saveCheckpoint, loadCheckpoint, hasCheckpoint } from './checkpoint';
export type { CheckpointInput, Checkpoint, RestoreOptions, JsonValue } from './checkpoint';
export { charsTask, sonnets, dataFile } from './chars-text';
export { loadDataFile } from './data-file';
