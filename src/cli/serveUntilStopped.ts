/** Serves until SIGTERM or SIGINT, then shuts down gracefully: what `ledger serve` and `ledger demo` share. */
import type { Config } from '../config';
import type { Logger } from '../logger';
import { LedgerBusyError } from '../ledgerLock';
import { startServer, type RunningServer } from '../server';

export async function serveUntilStopped(config: Config, logger: Logger): Promise<number> {
  // Signal handlers go in before anything is announced: a supervisor that reads "listening" may stop us at once,
  // and a SIGTERM that arrives before a handler exists kills the process without a clean shutdown.
  let stopRequested: string | undefined;
  let onStop: (signal: string) => void = (signal) => (stopRequested = signal);
  process.once('SIGTERM', () => onStop('SIGTERM'));
  process.once('SIGINT', () => onStop('SIGINT'));
  let running: RunningServer;
  try {
    running = await startServer(config, logger);
  } catch (error) {
    const why = startFailure(error, config);
    if (why === undefined) throw error;
    process.stderr.write(`ledger serve: ${why}\n`);
    return 1;
  }
  logger.info(
    { url: running.url, dataDir: config.dataDir, role: config.role },
    'participation ledger listening',
  );
  await new Promise<void>((resolve) => {
    onStop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      void running.close().then(resolve);
    };
    if (stopRequested) onStop(stopRequested);
    // One write: whoever reads "listening" (a supervisor, a script) finds the generated token with it.
    const audit = running.ledger.audit;
    const integrity = audit.integrity();
    process.stdout.write(
      `Participation ledger listening on ${running.url}\n` +
        `  dashboard ${running.url}/   API ${running.url}/api/v1   API docs ${running.url}/docs\n` +
        (config.role === 'replica'
          ? `Role: replica of the writer ${config.writerUrl ?? ''}: it serves every read; commands are answered 421, naming the writer.\n` +
            `Checkpoints are the writer's (${audit.origin}), served once they verify under ${audit.verifierKey} and this replica's tree has their root.\n` +
            (running.tokenCount === 0
              ? 'No API tokens are configured, so this replica serves anonymous reads only (it never makes a token: set the same LEDGER_API_TOKENS as the writer).\n'
              : '')
          : `Role: writer.\nCheckpoints are signed as ${audit.origin}; the verifier key auditors pin: ${audit.verifierKey}\n`) +
        (integrity.state === 'refusing'
          ? `\nWARNING: the audit trail does not hold together, so this server records and signs NOTHING:\n` +
            integrity.problems.map((p) => `  - ${p.cause}: ${p.detail}\n`).join('') +
            'Stop it, then see `ledger audit status` and `ledger audit recover --help` (docs/audit.md, "When the trail breaks").\n'
          : '') +
        (running.generatedAdminToken
          ? `\nNo API tokens were configured, so an admin token was generated. It is shown this once;\n` +
            `only its hash is kept (${config.dataDir}/api-tokens.json):\n\n  ${running.generatedAdminToken}\n\n` +
            `Use it as "Authorization: Bearer <token>", or set LEDGER_API_TOKENS (see README).\n`
          : ''),
    );
  });
  return 0;
}

/** A start that failed for a reason the operator can fix, in words; undefined for anything else. */
function startFailure(error: unknown, config: Config): string | undefined {
  if (error instanceof LedgerBusyError) {
    return `${error.message}: stop it first, or point LEDGER_DATA_DIR elsewhere`;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return `port ${config.port} on ${config.host} is already in use: stop what listens there, or choose another with PORT or --port`;
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return `cannot listen on ${config.host}:${config.port} (${code}): choose another HOST or PORT`;
  }
  return undefined;
}
