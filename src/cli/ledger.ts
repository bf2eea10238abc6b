#!/usr/bin/env node
/**
 * The `ledger` operator CLI. Each command has --help. Exit codes: 0 ok, 1 failure (e.g. verify found a problem),
 * 2 bad usage or configuration.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, environmentVariables, loadConfig } from '../config';
import { createLogger } from '../logger';
import { parseArgs, type ParsedArgs } from './args';
import { serveUntilStopped } from './serveUntilStopped';
import { checkpointCommand } from './commands/checkpoint';
import { verifyCommand } from './commands/verify';
import { verifyTraceCommand } from './commands/verifyTrace';
import { rebuildCommand } from './commands/rebuild';
import { exportCommand } from './commands/export';
import { tokenCommand } from './commands/token';
import { demoCommand } from './commands/demo';
import { auditCommand } from './commands/audit';
import { witnessCommand } from './commands/witness';

interface Command {
  summary: string;
  usage: string;
  /** The options it takes (besides --help): any other is a mistake, answered with exit code 2, never ignored. */
  options: readonly string[];
  run(args: ParsedArgs): Promise<number>;
}

/** Names joined by commas, in lines of at most 116 characters, as the rest of the help text is set. */
function wrapped(names: readonly string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const name of names) {
    const next = line === '' ? name : `${line}, ${name}`;
    if (next.length > 114 && line !== '') {
      lines.push(`${line},`);
      line = name;
    } else line = next;
  }
  return [...lines, line].join('\n');
}

const commands: Record<string, Command> = {
  serve: {
    summary: 'serve the API',
    usage: `ledger serve [--port N] [--host H]

Serves the HTTP API under /api/v1 (OpenAPI at /openapi.json, rendered at /docs) on the configured event store.
Configuration comes from the environment (see README):
${wrapped(environmentVariables)}.
It holds the data directory while it runs (another server, \`ledger rebuild\` and \`ledger audit recover\` refuse).
When the audit trail was changed behind its back it refuses to sign and to record; GET /readyz says why.
--port and --host override PORT and HOST. Stops gracefully on SIGTERM or SIGINT.`,
    options: ['port', 'host'],
    async run(args) {
      const env = { ...process.env };
      if (typeof args.options.port === 'string') env.PORT = args.options.port;
      if (typeof args.options.host === 'string') env.HOST = args.options.host;
      const config = loadConfig(env);
      return serveUntilStopped(config, createLogger(config.logLevel));
    },
  },
  verify: verifyCommand,
  checkpoint: checkpointCommand,
  audit: auditCommand,
  'verify-trace': verifyTraceCommand,
  rebuild: rebuildCommand,
  export: exportCommand,
  token: tokenCommand,
  demo: demoCommand,
  witness: witnessCommand,
};

/** The package's version, from package.json above dist/src/cli or src/cli. */
function version(): string {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const { version: v } = JSON.parse(fs.readFileSync(path.join(__dirname, candidate), 'utf8')) as {
        version: string;
      };
      return `participation-ledger ${v}`;
    } catch {
      // not at this depth
    }
  }
  return 'participation-ledger (version unknown)';
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return `ledger — the participation ledger's operator tool

Usage: ledger <command> [options]    (ledger <command> --help for more; ledger --version)

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}
`;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const name = args.positionals.shift();
  if (!name && args.options.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (!name || name === 'help') {
    process.stdout.write(mainHelp());
    return name || args.options.help ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`ledger: unknown command "${name}"\n\n${mainHelp()}`);
    return 2;
  }
  if (args.options.help) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  const unknown = Object.keys(args.options).filter((o) => !command.options.includes(o));
  if (unknown.length > 0) {
    process.stderr.write(
      `ledger ${name}: unknown option${unknown.length === 1 ? '' : 's'} ${unknown.map((o) => `--${o}`).join(', ')} (ledger ${name} --help)\n`,
    );
    return 2;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`ledger: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/**
 * Runs the CLI and exits with its code: what `bin/ledger` and `node dist/src/cli/ledger.js` both call. Anything
 * unexpected (a rejected promise, a code that is not a whole number) exits 1, never 0.
 */
export function runCli(argv: string[]): void {
  // A reader that went away (`ledger export … | head`) ends the command, quietly.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  // Should the work stall with nothing left to wait on, Node would exit 0 as if it had succeeded: make that a 1.
  let settled = false;
  process.once('beforeExit', () => {
    if (settled) return;
    process.stderr.write(
      'ledger: the command stopped before it finished (nothing was left to wait on); treat it as failed\n',
    );
    process.exit(1);
  });
  main(argv).then(
    (code) => {
      settled = true;
      process.exit(Number.isInteger(code) && code >= 0 && code <= 255 ? code : 1);
    },
    (error: unknown) => {
      settled = true;
      process.stderr.write(`ledger: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) runCli(process.argv.slice(2));
