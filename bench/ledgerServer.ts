/**
 * The built server (`node dist/src/cli/ledger.js serve`, what `npm start` runs) as a child process for a benchmark:
 * on a free port, with the environment given, resolved once it prints the address it listens on.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface LedgerServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export function serveLedger(env: Record<string, string>): Promise<LedgerServer> {
  const cli = path.resolve(__dirname, '../src/cli/ledger.js');
  const child = spawn(process.execPath, [cli, 'serve'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let out = '';
  return new Promise<LedgerServer>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1])
        resolve({
          url: m[1],
          pid: child.pid as number,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
    });
    child.on('exit', (code) => reject(new Error(`ledger serve exited with ${code}: ${out}`)));
  });
}
