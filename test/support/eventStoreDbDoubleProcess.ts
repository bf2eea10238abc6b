/**
 * The EventStoreDB test double (eventStoreDbDouble/) run as a process of its own on loopback, as a crash drill
 * needs: the ledger is killed with SIGKILL and started again while the store keeps everything it acknowledged.
 * The double's log lives in that process's memory; `stop` ends it (and the log with it).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export interface EventStoreDbDoubleProcess {
  connectionString: string;
  port: number;
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  /** Sends a fault command (see eventStoreDbDouble/serve.ts) and resolves once the double has carried it out. */
  command: (line: string, timeoutMs?: number) => Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. Idempotent. */
  stop: () => Promise<void>;
}

const root = path.resolve(__dirname, '../..');

export async function startEventStoreDbDoubleProcess(
  options: { port?: number; timeoutMs?: number } = {},
): Promise<EventStoreDbDoubleProcess> {
  const { timeoutMs = 15_000 } = options;
  const child = spawn(
    process.execPath,
    [
      '-r',
      path.join(root, 'test/support/tsRegister.js'),
      path.join(root, 'test/support/eventStoreDbDouble/serve.ts'),
      String(options.port ?? 0),
    ],
    { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const connectionString = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the EventStoreDB double did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stdout.on('data', () => {
      const m = /listening on (esdb:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the EventStoreDB double exited with ${code ?? signal} before listening:\n${out}`));
    });
  });

  const command = async (line: string, ms = 10_000): Promise<void> => {
    const from = out.length;
    child.stdin.write(`${line}\n`);
    const deadline = Date.now() + ms;
    while (!out.slice(from).includes(`ok ${line}`)) {
      if (Date.now() > deadline) throw new Error(`the double did not carry out "${line}":\n${out}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
    })();
    return stopping;
  };
  return {
    connectionString,
    port: Number(new URL(connectionString.replace(/^esdb:/, 'http:')).port),
    child,
    output: () => out,
    command,
    exited,
    stop,
  };
}
