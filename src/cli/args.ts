/** A small, dependency-free argument parser: `--name value`, `--name=value`, `--flag`, and positionals. */
export interface ParsedArgs {
  positionals: string[];
  options: Record<string, string | true>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      if (eq > 0) options[arg.slice(2, eq)] = arg.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('-')) {
          options[arg.slice(2)] = next;
          i++;
        } else options[arg.slice(2)] = true;
      }
    } else if (arg === '-h') options.help = true;
    else positionals.push(arg);
  }
  return { positionals, options };
}
