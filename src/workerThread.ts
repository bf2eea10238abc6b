/**
 * Starts a worker thread on a module of this project. Built, the module is `.js` in dist/; run from the sources (the
 * tests, `-r test/support/tsRegister.js`) it is `.ts`, and the thread compiles it on the fly with the same register.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

const extension = path.extname(__filename);

/** `dir` is the caller's `__dirname`, `name` the module's file name without extension. */
export function startWorker(dir: string, name: string, workerData: unknown): Worker {
  const execArgv =
    extension === '.ts' ? ['--require', path.join(__dirname, '../test/support/tsRegister.js')] : undefined;
  return new Worker(path.join(dir, `${name}${extension}`), { workerData, execArgv });
}
