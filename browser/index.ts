/**
 * What only a browser page can do with model files: fetch them, read files the user picked,
 * download. The counterparts of node/ (files on disk); nothing under engine/, cells/, train/ or
 * kernels/ imports these.
 */
export { fetchModel, modelFromFiles, modelToFiles, downloadModel, shardUrl, MAX_MODEL_JSON_BYTES } from './model-files';
export type { PickedFile } from './model-files';
