import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnLedger } from './ledgerBin';

export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => string;
  /**
   * The output once it matches `pattern`, or as it is after `ms`. The logger writes asynchronously (pino's default
   * destination), so a log line may reach the pipe after a line the process wrote directly later.
   */
  outputMatching: (pattern: RegExp, ms?: number) => Promise<string>;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `ledger serve` through the installed bin (the built server) as a separate process on a free port. */
export async function startServerProcess(
  env: Record<string, string>,
  timeoutMs = 10_000,
): Promise<ServerProcess> {
  const child = spawnLedger(['serve'], { PORT: '0', ...env });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = (): void => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}`));
    });
  });
  const outputMatching = async (pattern: RegExp, ms = 5_000): Promise<string> => {
    const deadline = Date.now() + ms;
    while (!pattern.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return out;
  };
  return { child, url, output: () => out, outputMatching, exited };
}
