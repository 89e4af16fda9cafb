/**
 * `npm run playground`: build web/dist/ and serve web/ on 127.0.0.1 (port 8080, or --port N;
 * --port 0 picks a free one). The URL is printed; Ctrl-C stops the server.
 */
import { buildWeb } from './build';
import { serve } from './serve';

const at = process.argv.indexOf('--port');
const port = at >= 0 ? Number(process.argv[at + 1]) : 8080;
const root = buildWeb();
serve(root, port).then(
  (s) => {
    process.stdout.write(`rnngrad playground: ${s.url}\nbrowser benchmark:  ${s.url}bench/\n(Ctrl-C stops the server)\n`);
  },
  (e: NodeJS.ErrnoException) => {
    process.stderr.write(`playground: ${e.message}${e.code === 'EADDRINUSE' ? ` (port ${port} is taken: --port N, or --port 0 for any free one)` : ''}\n`);
    process.exit(2);
  },
);
