/** `ledger verify`: the full audit of the data directory's ledger, without a server. */
import type { AuditLog } from '../../audit/auditLog';
import { explainVerdict, verifyUnderPolicy, type PolicyVerdict } from '../../audit/policyVerification';
import { verifyLedger, type VerifyResult } from '../../audit/verify';
import { quorumMet, type Policy } from '../../audit/witnessPolicy';
import type { ParsedArgs } from '../args';
import { openAuditStores } from '../openAudit';
import { policyOption } from '../policyOption';
import { progress } from '../progress';

/** A checkpoint younger than this may still be on its way to the witnesses: said so, though still not verified. */
const AWAITING_COSIGNATURE_MS = 30_000;

/** The `policy` section of the result: the newest checkpoint under the policy, and the newest that meets it. */
interface PolicyReport {
  file: string;
  /** The newest checkpoint's verdict; null when no checkpoint has been signed (nothing can meet a policy). */
  newest: (PolicyVerdict & { createdAt: string }) | null;
  /** The newest checkpoint that meets the policy, when the newest does not; null when none does. */
  newestMet: { treeSize: number; createdAt: string } | null;
  /** The newest checkpoint was signed less than AWAITING_COSIGNATURE_MS ago (it is still judged strictly). */
  awaitingCosignature: boolean;
}

export const verifyCommand = {
  summary: 'verify every event against the Merkle tree and the signed checkpoints',
  usage: `ledger verify [--json] [--workers N] [--policy FILE]

First brings the audit log's Merkle tree up to date with the event store in LEDGER_DATA_DIR (as a running server
would; nothing is signed). Then recomputes the leaf hash of every event, compares each with the tree, rebuilds the
tree's root, and checks every signed checkpoint: its signature, its root against the rebuilt one, and the
consistency proof to the next checkpoint. It also checks every event's seal (that it came through the ledger's
own write path) and that the audit trail holds together: the checkpoint journal against the audit database, the
store's length against what was signed (see docs/audit.md). Reads the files directly; a running server may keep
appending meanwhile (events stored after the verify began are left for the next one).

"ok" means every event stored when it began was checked. Otherwise it prints the first bad position and each
problem by cause (altered, missing, inserted or reordered events; unsealed or altered-after-sealing events;
a missing, stale or conflicting audit database or journal; events removed from the end; bad checkpoint
signatures or roots; events it could not verify). Progress goes to stderr.

With --policy, the newest checkpoint, with the witness cosignatures the ledger holds for it, must also meet the
witness policy (C2SP tlog-policy: docs/audit.md, "Checking with a witness policy"): signed by one of its logs
(a policy without log lines: by the data directory's key, as every checkpoint is checked anyway) and cosigned so
that its quorum is met. Otherwise it is not verified, with who cosigned, who did not and what the quorum needs, and
the newest older checkpoint that does meet it (a lagging witness, or a history the witnesses refused). A checkpoint
signed in the last 30 seconds, whose witnesses may not have answered yet, is still not verified (it is said so).

  --json         print the whole result as JSON on stdout (with --policy, a "policy" section)
  --workers N    worker threads that hash events (default: one per core for 50,000 events or more; 0: none)
  --policy FILE  a tlog-policy file the newest checkpoint must meet

Exit code: 0 when the ledger verifies, 1 when a problem is found, 2 on bad usage or configuration (an unreadable or
invalid policy file included, named with its line).`,

  options: ['json', 'workers', 'policy'],
  async run(args: ParsedArgs): Promise<number> {
    const workers = workersOption(args.options.workers);
    if (workers === null) {
      process.stderr.write('ledger verify: --workers takes a whole number (0 for none)\n');
      return 2;
    }
    const policy = policyOption('verify', args.options.policy);
    if (policy === null) return 2;
    const { store, audit, close } = openAuditStores({ signing: false, createNothing: true });
    try {
      // The tree first takes in what the store holds (checking each event's seal), so that every event is judged.
      const head = await store.headPosition();
      await audit.start();
      const bar = progress('verify', { unit: 'events' });
      const result = await verifyLedger(store, audit, {
        head,
        onProgress: (done, total) => bar.update(done, total),
        ...(workers === undefined ? {} : { workers }),
      });
      bar.finish();
      const underPolicy =
        policy === undefined ? undefined : policyReport(audit, policy, args.options.policy as string);
      const ok = result.ok && (underPolicy === undefined || underPolicy.newest?.met === true);
      process.stdout.write(
        args.options.json
          ? `${JSON.stringify({ ...result, ok, ...(underPolicy ? { policy: underPolicy } : {}) }, null, 2)}\n`
          : report(result) + (underPolicy ? reportPolicy(underPolicy) : ''),
      );
      return ok ? 0 : 1;
    } finally {
      await close();
    }
  },
};

function workersOption(value: string | true | undefined): number | undefined | null {
  if (value === undefined) return undefined;
  return typeof value === 'string' && /^[0-9]{1,2}$/.test(value) ? Number(value) : null;
}

function report(result: VerifyResult): string {
  const lines: string[] = [];
  const n = (x: number): string => x.toLocaleString('en');
  const checkpoints = `${result.checkpointsVerified} checkpoint${result.checkpointsVerified === 1 ? '' : 's'}`;
  if (result.ok) {
    lines.push(
      `ok: ${n(result.eventsVerified)} events verified against the Merkle tree (size ${n(result.treeSize)}), ${checkpoints} checked, ${n(result.eventsSealChecked)} seals checked`,
      `root: ${result.rootHash}`,
    );
    if (result.checkpointsVerified === 0) {
      lines.push(
        'note: no checkpoint has been signed yet, so nothing held outside the server vouches for this state; a running server signs one, or `ledger checkpoint --new`',
      );
    }
  } else {
    lines.push(
      `FAILED: ${result.problemCount} problem${result.problemCount === 1 ? '' : 's'} (${n(result.eventsVerified)} events verified against the tree of size ${n(result.treeSize)}, ${checkpoints})`,
    );
    if (result.firstBadPosition !== undefined) lines.push(`first bad position: ${result.firstBadPosition}`);
    for (const problem of result.problems) {
      const where = problem.position === undefined ? '' : `position ${problem.position}: `;
      lines.push(`  ${where}${problem.kind}: ${problem.detail}`);
    }
    if (result.problemCount > result.problems.length) {
      lines.push(`  … and ${result.problemCount - result.problems.length} more`);
    }
    if (result.problems.some((p) => p.kind !== 'beyond-tree')) {
      lines.push(
        'what to do: docs/audit.md, "When the trail breaks"; `ledger audit status` shows what the server sees',
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function policyReport(audit: AuditLog, policy: Policy, file: string): PolicyReport {
  const checkpoints = audit.checkpoints();
  const latest = checkpoints[checkpoints.length - 1];
  if (latest === undefined) return { file, newest: null, newestMet: null, awaitingCosignature: false };
  const newest = { ...verifyUnderPolicy(policy, audit.cosignedNote(latest)), createdAt: latest.createdAt };
  let newestMet: PolicyReport['newestMet'] = null;
  if (!newest.met) {
    // Newest first: the first that meets the policy says how far behind the witnessed history is.
    const older = checkpoints.slice(0, -1);
    const notes = audit.cosignedNotes(older);
    for (let i = older.length - 1; i >= 0; i--) {
      // The quorum first: a note without the cosignatures costs no signature check of the log's.
      const note = notes[i] as string;
      if (quorumMet(policy, note).met && verifyUnderPolicy(policy, note).met) {
        const { treeSize, createdAt } = older[i]!;
        newestMet = { treeSize, createdAt };
        break;
      }
    }
  }
  const age = Date.now() - Date.parse(latest.createdAt);
  return { file, newest, newestMet, awaitingCosignature: !newest.met && age < AWAITING_COSIGNATURE_MS };
}

function reportPolicy(report: PolicyReport): string {
  const { newest } = report;
  if (newest === null)
    return `not verified under the policy ${report.file}: no checkpoint has been signed, so none is witnessed\n`;
  const size = newest.treeSize === null ? '?' : newest.treeSize.toLocaleString('en');
  const lines = [
    newest.met
      ? `policy: verified under ${report.file}: the newest checkpoint (tree size ${size}) meets it`
      : `not verified under the policy ${report.file}: the newest checkpoint (tree size ${size}, signed ${newest.createdAt})`,
    ...explainVerdict(newest).map((line) => `  ${line}`),
  ];
  if (!newest.met) {
    lines.push(
      report.newestMet === null
        ? '  no older checkpoint meets the policy either'
        : `  the newest checkpoint that meets it: tree size ${report.newestMet.treeSize.toLocaleString('en')}, signed ${report.newestMet.createdAt} (a witness lagging behind, or refusing what followed: see the server's GET /readyz, checks.witnesses, and its log)`,
    );
    if (report.awaitingCosignature)
      lines.push(
        '  note: it was signed in the last 30 seconds; its witnesses may not have answered yet, so run verify again',
      );
  }
  return `${lines.join('\n')}\n`;
}
