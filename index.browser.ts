/**
 * rnngrad for a browser page (bundled by esbuild into dist/browser/rnngrad.mjs): the public API
 * (api.ts, which runs anywhere) plus model files over fetch, from picked files, and as downloads
 * (browser/). What Node adds instead — files on disk — is in index.ts and node/.
 */
export * from './api';
export * from './browser';
