/**
 * rnngrad for Node: the public API (api.ts, which runs anywhere) plus files on disk (node/):
 * model files, checkpoints, data files and the chars text. The browser entry is index.browser.ts.
 */
export * from './api';
export * from './node';
// Node's charsTask defaults the text to data/sonnets.txt (api.ts's needs options.text).
export { charsTask } from './node';
