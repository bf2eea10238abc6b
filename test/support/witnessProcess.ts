/**
 * A tlog-witness run as a third party runs it: `ledger witness keygen` (unless a key file is given), then `ledger
 * witness serve` through the installed bin, in a process of its own on loopback. The witness's files sit in `dir`;
 * a stopped witness started again with the same `dir`, `key` and `port` comes back with the state it had.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runLedgerAsync, spawnLedger } from './ledgerBin';

export interface WitnessProcessOptions {
  /** The folder of the witness's files (created if missing): witness.key, witness.policy, witness-state.sqlite. */
  dir: string;
  /** The witness's key name (its vkey carries it), e.g. "witness.example/w1"; used by keygen only. */
  name: string;
  /** The note verifier keys (type 0x01) of the logs it witnesses: one `log <vkey>` line each in its policy file. */
  logVkeys: readonly string[];
  /** The port to listen on; a free one when omitted (0). Give the old port to bring a stopped witness back. */
  port?: number;
  /**
   * An existing key file: no keygen. Without it, keygen writes `dir`/witness.key, unless an earlier start made it:
   * that key is used again (and `name` is the one it was made with), so a stopped witness comes back as itself.
   */
  key?: string;
  /** Added to the environment of both commands (LOG_LEVEL defaults to warn, as in ledgerBin). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export interface WitnessProcess {
  /** The submission (and monitoring) prefix: POST `${url}/add-checkpoint`. */
  url: string;
  /** The witness's cosignature/v1 verifier key (type 0x04), as `ledger witness serve` printed it. */
  vkey: string;
  keyFile: string;
  stateFile: string;
  policyFile: string;
  port: number;
  child: ChildProcessWithoutNullStreams;
  /** Everything the process wrote so far, stdout and stderr. */
  output: () => string;
  /** The output once it matches `pattern`, or as it is after `ms` (pino writes asynchronously). */
  outputMatching: (pattern: RegExp, ms?: number) => Promise<string>;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone (its port free again). Idempotent. */
  stop: () => Promise<void>;
}

export const WITNESS_KEY_FILE = 'witness.key';
export const WITNESS_POLICY_FILE = 'witness.policy';
export const WITNESS_STATE_FILE = 'witness-state.sqlite';

/** The policy file a witness of these logs reads: their `log` lines; a witness needs no quorum, so `quorum none`. */
export function witnessPolicyText(logVkeys: readonly string[]): string {
  return `${logVkeys.map((vkey) => `log ${vkey}\n`).join('')}quorum none\n`;
}

export async function startWitnessProcess(options: WitnessProcessOptions): Promise<WitnessProcess> {
  const { dir, name, logVkeys, env = {}, timeoutMs = 10_000 } = options;
  fs.mkdirSync(dir, { recursive: true });
  const policyFile = path.join(dir, WITNESS_POLICY_FILE);
  const stateFile = path.join(dir, WITNESS_STATE_FILE);
  fs.writeFileSync(policyFile, witnessPolicyText(logVkeys));

  let keyFile = options.key;
  if (keyFile === undefined && fs.existsSync(path.join(dir, WITNESS_KEY_FILE)))
    keyFile = path.join(dir, WITNESS_KEY_FILE);
  if (keyFile === undefined) {
    keyFile = path.join(dir, WITNESS_KEY_FILE);
    const keygen = await runLedgerAsync(['witness', 'keygen', '--name', name, '--out', keyFile], env);
    if (keygen.status !== 0)
      throw new Error(`ledger witness keygen exited with ${keygen.status}:\n${keygen.stderr}`);
  }

  const child = spawnLedger(
    [
      'witness',
      'serve',
      '--key',
      keyFile,
      '--policy',
      policyFile,
      '--state',
      stateFile,
      '--port',
      String(options.port ?? 0),
    ],
    env,
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );

  const { url, vkey } = await new Promise<{ url: string; vkey: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`witness did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (): void => {
      const listening = /listening on (http:\/\/\S+)/.exec(out);
      const key = /^witness vkey: (\S+)$/m.exec(out);
      if (listening?.[1] && key?.[1]) {
        clearTimeout(timer);
        resolve({ url: listening[1], vkey: key[1] });
      }
    };
    child.stdout.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`witness exited with ${code ?? signal} before listening:\n${out}`));
    });
  });

  const outputMatching = async (pattern: RegExp, ms = 5_000): Promise<string> => {
    const deadline = Date.now() + ms;
    while (!pattern.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return out;
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
    url,
    vkey,
    keyFile,
    stateFile,
    policyFile,
    port: Number(new URL(url).port),
    child,
    output: () => out,
    outputMatching,
    exited,
    stop,
  };
}
