/**
 * The EventStoreDB test double as a process of its own (eventStoreDbDoubleProcess.ts starts it), so a drill can
 * kill the ledger with SIGKILL while the store lives on. Its state lives in this process's memory.
 *
 *   node -r test/support/tsRegister.js test/support/eventStoreDbDouble/serve.ts [port]
 *
 * Prints `eventstoredb double listening on <connection string>`. Reads fault commands on stdin, one a line, and
 * answers `ok <command>` once done: `offline <ms>`, `fail <n>`, `lose-acks <n>`, `forget-ids`.
 */
import readline from 'node:readline';
import { startEventStoreDbDouble } from './index';

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 0);
  const double = await startEventStoreDbDouble({ port });
  process.stdout.write(`eventstoredb double listening on ${double.connectionString}\n`);
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    const [command, argument] = line.trim().split(/\s+/);
    const n = Number(argument ?? 1);
    const done = (): boolean => process.stdout.write(`ok ${line.trim()}\n`);
    if (command === 'offline') {
      void double.goOffline(n).then(done);
      return;
    }
    if (command === 'fail') double.failNextCalls(n);
    else if (command === 'lose-acks') double.loseNextAppendAcks(n);
    else if (command === 'forget-ids') double.forgetRecentEventIds();
    else {
      process.stdout.write(`unknown command: ${line}\n`);
      return;
    }
    done();
  });
  const stop = (): void => {
    void double.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
