/**
 * rnngrad for Node's ES modules (`import … from 'rnngrad'`): the same API as the CommonJS build
 * (index.ts: api.ts plus files on disk), re-exported, so both module systems share one instance.
 */
export * from './index.js';
