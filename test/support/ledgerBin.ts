/**
 * The installed `ledger` command as users run it: `bin/ledger` in a process of its own (the built CLI in dist/,
 * which the test run's global setup builds first). Tests of the CLI go through here, never through the source
 * module, so a bin that runs nothing cannot pass them.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

export const root = path.resolve(__dirname, '../..');
export const LEDGER_BIN = path.join(root, 'bin/ledger');

export interface LedgerRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `ledger <args>` to its end. `env` is added to this process's environment (LOG_LEVEL defaults to warn). */
export function runLedger(args: string[], env: Record<string, string> = {}, timeoutMs = 120_000): LedgerRun {
  const result = spawnSync(process.execPath, [LEDGER_BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    timeout: timeoutMs,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** As runLedger, without blocking this process (when it serves something the command talks to). */
export function runLedgerAsync(args: string[], env: Record<string, string> = {}): Promise<LedgerRun> {
  return new Promise((resolve) => {
    const child = spawnLedger(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Starts `ledger <args>` and hands back the process. */
export function spawnLedger(
  args: string[],
  env: Record<string, string> = {},
): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [LEDGER_BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: 'pipe',
  });
}
