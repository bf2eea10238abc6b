/**
 * `ledger witness keygen|serve`: the tlog-witness a third party runs beside the ledger (docs/witness.md). It keeps
 * the last checkpoint it cosigned for each log and cosigns a new one only when a consistency proof carries the old
 * root to the new one, so a ledger that shows two histories cannot get both cosigned by it.
 */
import { PolicyFileError, readPolicyFile } from '../../audit/policyVerification';
import { LOG_LEVELS } from '../../config';
import { PolicyError } from '../../audit/witnessPolicy';
import { createLogger } from '../../logger';
import { WitnessKeyError, createWitnessKeyFile, loadWitnessKeyFile } from '../../witness/witnessKeyFile';
import { WitnessPolicyError, witnessedLogs } from '../../witness/witnessedLogs';
import { close, createWitnessServer, listen } from '../../witness/witnessServer';
import { WitnessState, WitnessStateError } from '../../witness/witnessState';
import type { ParsedArgs } from '../args';

const usage = `ledger witness keygen --name NAME --out KEYFILE
ledger witness serve --key KEYFILE --policy POLICYFILE --state STATEFILE --port N [--host H]

A C2SP tlog-witness (https://c2sp.org/tlog-witness) for the ledger's checkpoints, run by a third party. See
docs/witness.md.

keygen  Generates the witness's Ed25519 key, named NAME (a signed-note key name, e.g. witness.example.org/w1),
        and writes it to KEYFILE (mode 0600; never overwrites: an existing file is refused). KEYFILE holds a
        "witness key name: NAME" line, then the key as PKCS #8 PEM. Prints the witness's vkey (cosignature/v1,
        type 0x04) on stdout, and nothing else: give it to the ledger's operator for its policy's witness line.

serve   Serves POST /add-checkpoint, and the monitoring GET /<sha256 hex of origin>/checkpoint, for the logs
        named by the "log <vkey>" lines of POLICYFILE (tlog-policy; a witness's policy needs at least one log
        line, and "quorum none" satisfies the format's one quorum line). STATEFILE (SQLite) holds the latest
        checkpoint cosigned per log; it is created when missing (the witness then starts with no history, and
        says so). Back up KEYFILE and STATEFILE: a witness that loses its state can no longer tell a fork.
        Refuses a KEYFILE that group or others may read, and a STATEFILE that is not a witness state.
  --port N   the port (required: the ledgers' policies name it; 0 takes a free one, printed at start, for tests)
  --host H   the address to listen on, default 127.0.0.1 (loopback only: the safe default; give 0.0.0.0 or a
             public address, or put it behind a reverse proxy, for the ledger to reach it from elsewhere)
        Prints "listening on http://HOST:PORT" and "witness vkey: VKEY". Logs (pino JSON) honour LOG_LEVEL; an
        "ALARM" at error level is a checkpoint the log signed that does not extend the one cosigned (a fork?).
        Stops gracefully on SIGTERM or SIGINT.

Exit code: 0 done (serve: stopped by a signal), 1 the port could not be used, 2 bad usage, key, policy or state.`;

const ACTION_OPTIONS: Record<string, readonly string[]> = {
  keygen: ['name', 'out'],
  serve: ['key', 'policy', 'state', 'port', 'host'],
};

/** A mistake in how the command was called or configured: the message goes to stderr and the exit code is 2. */
class UsageError extends Error {}

export const witnessCommand = {
  summary: 'run a tlog-witness for the ledger: keygen, serve (a third party runs it)',
  usage,
  options: ['name', 'out', 'key', 'policy', 'state', 'port', 'host'],
  async run(args: ParsedArgs): Promise<number> {
    const action = args.positionals[0];
    const allowed = action === undefined ? undefined : ACTION_OPTIONS[action];
    if (allowed === undefined) {
      process.stderr.write(
        `ledger witness: ${action ? `unknown action "${action}"` : 'name an action'}: keygen or serve\n\n${usage}\n`,
      );
      return 2;
    }
    try {
      const stray = Object.keys(args.options).filter((o) => !allowed.includes(o));
      if (stray.length > 0)
        throw new UsageError(`${action} takes no ${stray.map((o) => `--${o}`).join(', ')}`);
      if (args.positionals.length > 1) throw new UsageError(`unexpected argument "${args.positionals[1]}"`);
      return action === 'keygen' ? keygen(args) : await serve(args);
    } catch (error) {
      if (
        error instanceof UsageError ||
        error instanceof WitnessKeyError ||
        error instanceof WitnessStateError
      ) {
        process.stderr.write(`ledger witness ${action}: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
  },
};

function keygen(args: ParsedArgs): number {
  const name = required(args, 'name');
  const out = required(args, 'out');
  const key = createWitnessKeyFile(out, name);
  process.stdout.write(`${key.vkey}\n`);
  return 0;
}

async function serve(args: ParsedArgs): Promise<number> {
  const keyFile = required(args, 'key');
  const policyFile = required(args, 'policy');
  const stateFile = required(args, 'state');
  const port = portOf(required(args, 'port'));
  const host = args.options.host ?? '127.0.0.1';
  if (host === true || host === '') throw new UsageError('--host needs an address');

  const key = loadWitnessKeyFile(keyFile);
  const logs = readPolicy(policyFile);
  const logger = createLogger(logLevelOf(process.env.LOG_LEVEL));

  // Signal handlers go in before anything is announced (a supervisor may stop us as soon as it reads "listening").
  let stopRequested: string | undefined;
  let onStop: (signal: string) => void = (signal) => (stopRequested = signal);
  process.once('SIGTERM', () => onStop('SIGTERM'));
  process.once('SIGINT', () => onStop('SIGINT'));

  const { state, created } = WitnessState.open(stateFile);
  const server = createWitnessServer({ state, logs, key, logger });
  let url: string;
  try {
    url = await listen(server, port, host);
  } catch (error) {
    state.close();
    const code = (error as NodeJS.ErrnoException).code;
    process.stderr.write(
      `ledger witness serve: cannot listen on ${host}:${port} (${code ?? String(error)}): choose another --host or --port\n`,
    );
    return 1;
  }
  if (created)
    logger.warn(
      { stateFile },
      'no witness state was there: it was created and this witness starts with no history; if it cosigned before, stop it and restore the state from its backup',
    );
  const heads = state.heads();
  logger.info(
    { url, witnessKeyName: key.name, logs: [...logs.keys()], heads: heads.length },
    'witness listening',
  );
  await new Promise<void>((resolve) => {
    onStop = (signal: string): void => {
      logger.info({ signal }, 'witness shutting down');
      void close(server).then(() => {
        state.close();
        resolve();
      });
    };
    if (stopRequested) onStop(stopRequested);
    process.stdout.write(`listening on ${url}\nwitness vkey: ${key.vkey}\n`);
  });
  return 0;
}

function readPolicy(file: string): ReturnType<typeof witnessedLogs> {
  try {
    return witnessedLogs(readPolicyFile(file));
  } catch (error) {
    if (error instanceof PolicyFileError && error.code !== undefined)
      throw new UsageError(`cannot read the policy file ${file}: ${error.code}`);
    if (error instanceof PolicyFileError) throw new UsageError(error.message);
    if (error instanceof PolicyError || error instanceof WitnessPolicyError)
      throw new UsageError(`the policy file ${file}: ${error.message}`);
    throw error;
  }
}

/** LOG_LEVEL as the ledger reads it (src/config.ts): pino's levels, info by default. */
function logLevelOf(value: string | undefined): string {
  if (value === undefined || value === '') return 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(value))
    throw new UsageError(`LOG_LEVEL accepts ${LOG_LEVELS.join(', ')}`);
  return value;
}

function required(args: ParsedArgs, option: string): string {
  const value = args.options[option];
  if (typeof value !== 'string' || value === '')
    throw new UsageError(`--${option} is required (ledger witness --help)`);
  return value;
}

function portOf(value: string): number {
  if (!/^[0-9]{1,5}$/.test(value) || Number(value) > 65535)
    throw new UsageError(`--port must be a port number, 0 to 65535 (0: a free one)`);
  return Number(value);
}
