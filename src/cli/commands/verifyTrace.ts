/** `ledger verify-trace`: checks a saved trace offline against a checkpoint, with no server and no database. */
import fs from 'node:fs';
import { traceCheckpointSchema, verifyTrace } from '../../audit/traceVerification';
import type { ParsedArgs } from '../args';

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
}

export const verifyTraceCommand = {
  summary: 'verify a saved proposal trace offline against a checkpoint',
  usage: `ledger verify-trace TRACE.json [--checkpoint CHECKPOINT.json] [--public-key VKEY]

Checks a trace saved from GET /api/v1/proposals/:id/trace without a server or a database: checks that each
event's leaf text is the canonical text of an event (API.md "Leaf hash") and that the fields shown are that event
(an evaluator's trace shows pseudonyms for person ids, one per id), hashes the leaf with SHA-256, and verifies its
RFC 9162 inclusion proof against the checkpoint's root; verifies the checkpoint's Ed25519 signature (C2SP signed
note).

  --checkpoint FILE  the checkpoint you trust, as saved from GET /api/v1/audit/checkpoint
                     (default: the checkpoint inside the trace)
  --public-key VKEY  the verifier key you trust (name+keyid+base64); default: the checkpoint's own key,
                     which proves integrity only against that key, so pin it when you can

Exit code: 0 verified, 1 a problem was found (each is printed), 2 bad usage or unreadable files.`,

  async run(args: ParsedArgs): Promise<number> {
    const traceFile = args.positionals[0];
    if (!traceFile) {
      process.stderr.write('ledger verify-trace: name the trace file (ledger verify-trace --help)\n');
      return 2;
    }
    let trace: unknown;
    let checkpoint: unknown;
    try {
      trace = readJson(traceFile);
      checkpoint =
        typeof args.options.checkpoint === 'string'
          ? readJson(args.options.checkpoint)
          : (trace as { checkpoint?: unknown }).checkpoint;
    } catch (error) {
      process.stderr.write(
        `ledger verify-trace: cannot read the files: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return 2;
    }
    const trusted = traceCheckpointSchema.safeParse(checkpoint);
    if (!trusted.success) {
      process.stderr.write(
        'ledger verify-trace: the checkpoint is not in the format of GET /audit/checkpoint\n',
      );
      return 2;
    }
    const pinned = typeof args.options['public-key'] === 'string' ? args.options['public-key'] : undefined;
    const result = verifyTrace(trace, trusted.data, pinned);
    if (result.ok) {
      process.stdout.write(
        `ok: ${result.events} events verified against the signed checkpoint of tree size ${result.treeSize}\n`,
      );
      if (!pinned)
        process.stdout.write(
          'note: the verifier key was taken from the checkpoint itself; pin it with --public-key\n',
        );
      return 0;
    }
    process.stdout.write(`FAILED: ${result.problems.length} problem(s)\n`);
    for (const p of result.problems) process.stdout.write(`  - ${p}\n`);
    return 1;
  },
};
