/** Serves until SIGTERM or SIGINT, then shuts down gracefully: what `ledger serve` and `ledger demo` share. */
import type { Config } from '../config';
import type { Logger } from '../logger';
import { startServer } from '../server';

export async function serveUntilStopped(config: Config, logger: Logger): Promise<number> {
  // Signal handlers go in before anything is announced: a supervisor that reads "listening" may stop us at once,
  // and a SIGTERM that arrives before a handler exists kills the process without a clean shutdown.
  let stopRequested: string | undefined;
  let onStop: (signal: string) => void = (signal) => (stopRequested = signal);
  process.once('SIGTERM', () => onStop('SIGTERM'));
  process.once('SIGINT', () => onStop('SIGINT'));
  const running = await startServer(config, logger);
  logger.info({ url: running.url, dataDir: config.dataDir }, 'participation ledger listening');
  await new Promise<void>((resolve) => {
    onStop = (signal: string): void => {
      logger.info({ signal }, 'shutting down');
      void running.close().then(resolve);
    };
    if (stopRequested) onStop(stopRequested);
    process.stdout.write(`Participation ledger listening on ${running.url}\n`);
    if (running.generatedAdminToken) {
      process.stdout.write(
        `\nNo API tokens were configured, so an admin token was generated. It is shown this once;\n` +
          `only its hash is kept (${config.dataDir}/api-tokens.json):\n\n  ${running.generatedAdminToken}\n\n` +
          `Use it as "Authorization: Bearer <token>", or set LEDGER_API_TOKENS (see README).\n`,
      );
    }
  });
  return 0;
}
