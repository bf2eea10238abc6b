/** `ledger verify-trace`: checks a saved trace offline against a checkpoint, with no server and no database. */
import fs from 'node:fs';
import {
  consistencyProofSchema,
  traceCheckpointSchema,
  verifyTrace,
  type TraceCheckpoint,
  type TraceConsistencyProof,
} from '../../audit/traceVerification';
import { explainVerdict, verifyUnderPolicy } from '../../audit/policyVerification';
import { checkpointLog } from '../../audit/witnessPolicy';
import type { ParsedArgs } from '../args';
import { policyOption } from '../policyOption';

function readJson(file: string): unknown {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
}

/**
 * A trusted checkpoint as saved from GET /audit/checkpoint (JSON), or as a bare signed note (what `ledger checkpoint`
 * prints); a note carries no key, so it needs --public-key.
 */
function readCheckpoint(file: string, publicKey: string | true | undefined): unknown {
  const text = fs.readFileSync(file, 'utf8');
  if (text.trimStart().startsWith('{')) return JSON.parse(text) as unknown;
  if (typeof publicKey !== 'string')
    throw new Error(`${file} is a signed note: give the verifier key with --public-key`);
  const [origin = '', size = '', root = ''] = text.split('\n');
  return { origin, treeSize: Number(size), rootHash: root, signedNote: text, publicKey };
}

export const verifyTraceCommand = {
  summary: 'verify a saved proposal trace offline against a checkpoint',
  usage: `ledger verify-trace TRACE.json [--checkpoint CHECKPOINT.json] [--public-key VKEY]
                   [--consistency PROOF.json | --server URL] [--policy FILE]

Checks a trace saved from GET /api/v1/proposals/:id/trace without a server or a database: checks that each
event's leaf text is the canonical text of an event (docs/audit.md, "The leaf hash") and that the fields shown are
that event (an evaluator's trace shows pseudonyms for person ids, one per id: docs/audit.md, "Pseudonymised
traces"), hashes the leaf with SHA-256, and verifies its RFC 9162 inclusion proof against the signed root;
verifies the checkpoint's Ed25519 signature (C2SP signed note: docs/audit.md, "Checking a checkpoint's signature").

"ok" says that every event shown is in the signed log, unaltered, and that no stream shown skips a revision; a
trace is complete only up to its position, so events recorded after it are not in it.

A trace is proved at the checkpoint it came with. To check it against another checkpoint you trust (one you saved
earlier, or a newer one), the trace's checkpoint must be signed by the same key and a consistency proof between
the two must verify (docs/audit.md, "Checking that the log only grew"): give it, or let the command ask for it.

  --checkpoint FILE   the checkpoint you trust, as saved from GET /api/v1/audit/checkpoint, or the signed note
                      \`ledger checkpoint\` prints (then with --public-key); default: the checkpoint in the trace
  --public-key VKEY   the verifier key you trust (name+keyid+base64); default: the checkpoint's own key,
                      which proves integrity only against that key, so pin it when you can
  --consistency FILE  the consistency proof between the trace's tree size and the trusted one, as saved from
                      GET /api/v1/audit/consistency?from=SMALLER&to=LARGER
  --server URL        fetch that consistency proof from the ledger at URL (e.g. https://ledger.example); the
                      proof is verified, so the server need not be trusted
  --policy FILE       a witness policy (C2SP tlog-policy; docs/audit.md, "Checking with a witness policy"): the
                      checkpoint the proofs are held to (--checkpoint's, else the trace's), with the cosignatures
                      appended to its signedNote, must be signed by one of the policy's logs and cosigned so that its
                      quorum is met, else it is not verified; when the policy lists logs and --public-key is not
                      given, the log key that signed it is pinned

Exit code: 0 verified, 1 a problem was found (each is printed), 2 bad usage or unreadable files.`,

  options: ['checkpoint', 'public-key', 'consistency', 'server', 'policy'],
  async run(args: ParsedArgs): Promise<number> {
    const traceFile = args.positionals[0];
    if (!traceFile) {
      process.stderr.write('ledger verify-trace: name the trace file (ledger verify-trace --help)\n');
      return 2;
    }
    const policy = policyOption('verify-trace', args.options.policy);
    if (policy === null) return 2;
    let trace: unknown;
    let checkpoint: unknown;
    try {
      trace = readJson(traceFile);
      checkpoint =
        typeof args.options.checkpoint === 'string'
          ? readCheckpoint(args.options.checkpoint, args.options['public-key'])
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
    // The policy judges the checkpoint the proofs are held to — the trusted one (--checkpoint, else the trace's), with
    // its cosignature lines. Judging the trace's own note while its proofs lead to another checkpoint would let a
    // genuine cosigned note vouch for a forked root no witness saw.
    const note = trusted.data.signedNote;
    const verdict = policy === undefined ? undefined : verifyUnderPolicy(policy, note);
    const policyLog = policy === undefined ? null : checkpointLog(policy, note);
    const pinned =
      typeof args.options['public-key'] === 'string'
        ? args.options['public-key']
        : policyLog === null
          ? undefined
          : policyLog.log.vkey;
    const proof = await consistencyFor(args, trace, trusted.data);
    if (typeof proof === 'string') {
      process.stderr.write(`ledger verify-trace: ${proof}\n`);
      return 2;
    }
    const result = verifyTrace(trace, trusted.data, pinned, proof);
    const policyLines =
      verdict === undefined
        ? []
        : [
            verdict.met
              ? `policy: the checkpoint meets ${String(args.options.policy)}`
              : `not verified under the policy ${String(args.options.policy)}:`,
            ...explainVerdict(verdict).map((line) => `  ${line}`),
          ];
    if (result.ok && verdict?.met !== false) {
      const consistent =
        result.trustedTreeSize !== undefined && result.trustedTreeSize !== result.treeSize
          ? `, which is consistent with the trusted checkpoint of tree size ${result.trustedTreeSize}`
          : '';
      process.stdout.write(
        `ok: ${result.events} event${result.events === 1 ? '' : 's'} verified against the signed checkpoint of tree size ${result.treeSize}${consistent}\n`,
      );
      if (!pinned)
        process.stdout.write(
          'note: the verifier key was taken from the checkpoint itself; pin it with --public-key\n',
        );
      for (const line of policyLines) process.stdout.write(`${line}\n`);
      return 0;
    }
    const problems = result.problems.length + (verdict?.met === false ? 1 : 0);
    process.stdout.write(`FAILED: ${problems} problem${problems === 1 ? '' : 's'}\n`);
    for (const p of result.problems) process.stdout.write(`  - ${p}\n`);
    for (const line of policyLines) process.stdout.write(`  ${line}\n`);
    return 1;
  },
};

/** The consistency proof given (--consistency) or fetched (--server), undefined when neither; a string says why not. */
async function consistencyFor(
  args: ParsedArgs,
  trace: unknown,
  trusted: TraceCheckpoint,
): Promise<TraceConsistencyProof | undefined | string> {
  const file = args.options.consistency;
  const server = args.options.server;
  let raw: unknown;
  if (typeof file === 'string') {
    try {
      raw = readJson(file);
    } catch (error) {
      return `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`;
    }
  } else if (typeof server === 'string') {
    const own = traceCheckpointSchema.safeParse((trace as { checkpoint?: unknown } | null)?.checkpoint);
    if (!own.success || own.data.treeSize === trusted.treeSize) return undefined;
    const [from, to] = [own.data.treeSize, trusted.treeSize].sort((a, b) => a - b);
    let url: URL;
    try {
      url = new URL(`/api/v1/audit/consistency?from=${from}&to=${to}`, server);
    } catch {
      return `--server takes a URL such as https://ledger.example`;
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      if (!response.ok) return `${url.href} answered ${response.status}`;
      raw = await response.json();
    } catch (error) {
      return `cannot fetch ${url.href}: ${error instanceof Error ? error.message : String(error)}`;
    }
  } else return undefined;
  const parsed = consistencyProofSchema.safeParse(raw);
  return parsed.success
    ? parsed.data
    : 'the consistency proof is not in the format of GET /audit/consistency';
}
