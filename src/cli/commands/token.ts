/** `ledger token ROLE`: creates an API token, prints it once, and keeps only its hash in the data directory. */
import { loadConfig, roles, type Role } from '../../config';
import { generateToken, storeTokenHash } from '../../http/auth';
import type { ParsedArgs } from '../args';

export const tokenCommand = {
  summary: 'create an API token for a role (admin, clerk, evaluator)',
  usage: `ledger token ROLE [--label TEXT]

Creates a new bearer token for ROLE (admin, clerk or evaluator), prints it once on stdout, and adds its SHA-256
hash to LEDGER_DATA_DIR/api-tokens.json. Tokens from that file are used when LEDGER_API_TOKENS is not set;
restart the server to take a new token into use.

Exit code: 0 done, 2 unknown role.`,

  options: ['label'],
  async run(args: ParsedArgs): Promise<number> {
    const role = args.positionals[0];
    if (!role || !(roles as readonly string[]).includes(role)) {
      process.stderr.write(
        `ledger token: ${role ? `unknown role "${role}"` : 'name a role'}; roles: ${roles.join(', ')}\n`,
      );
      return 2;
    }
    const config = loadConfig();
    const token = generateToken();
    storeTokenHash(
      config.dataDir,
      role as Role,
      token,
      typeof args.options.label === 'string' ? args.options.label : undefined,
    );
    process.stdout.write(`${token}\n`);
    process.stderr.write(
      `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} token was created; only its hash is kept in ${config.dataDir}/api-tokens.json.\n` +
        (config.apiTokens && config.apiTokens.length > 0
          ? 'NOTE: LEDGER_API_TOKENS is set, so the server uses those tokens and ignores this file: the new token will not work until LEDGER_API_TOKENS is unset.\n'
          : 'A running server reads tokens at start: restart it to take this one into use.\n'),
    );
    return 0;
  },
};
