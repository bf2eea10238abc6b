/**
 * The built server (`dist/src/cli/ledger.js serve`, what `npm start` runs) as a process for a drill: its own data
 * directory, a token per role, on a free port; resolved once it prints the address it listens on. The drills kill
 * it, so the process and its exit are handed back, not hidden behind a stop().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Tokens of the drills' servers, one per role (LEDGER_API_TOKENS). */
export const DRILL_TOKENS = {
  admin: 'drill-admin-token-00000000001',
  clerk: 'drill-clerk-token-00000000002',
  evaluator: 'drill-evaluator-token-000003',
} as const;

export type DrillTokens = { readonly [role in 'admin' | 'clerk' | 'evaluator']: string };

/** A running server as the drills need it: where it listens, the process (to kill), and its exit. */
export interface DrillServer {
  url: string;
  child: Pick<ChildProcess, 'kill' | 'exitCode' | 'signalCode'>;
  exited: Promise<unknown>;
  output: () => string;
}

export type StartServer = (env: Record<string, string>) => Promise<DrillServer>;

/** The environment of a drill's server on `dataDir`, with `tokens` as its API tokens. */
export function drillServerEnv(
  dataDir: string,
  tokens: DrillTokens,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    LEDGER_DATA_DIR: dataDir,
    LEDGER_API_TOKENS: `admin=${tokens.admin},clerk=${tokens.clerk},evaluator=${tokens.evaluator}`,
    ...extra,
  };
}

/** Starts the built server from dist/ (this file's compiled copy sits in dist/bench/drills/). */
export const startBuiltServer: StartServer = (env) => {
  const cli = path.resolve(__dirname, '../../src/cli/ledger.js');
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise<DrillServer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${out}`)), 30_000);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ url: m[1], child, exited, output: () => out });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
};

/** Kills the server if it still runs, and waits for it to be gone. */
export async function stopIfRunning(server: DrillServer, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  await server.exited;
}
