/** `ledger verify`: the full audit of the data directory's ledger, without a server. */
import { verifyLedger, type VerifyResult } from '../../audit/verify';
import type { ParsedArgs } from '../args';
import { openAuditStores } from '../openAudit';
import { progress } from '../progress';

export const verifyCommand = {
  summary: 'verify every event against the Merkle tree and the signed checkpoints',
  usage: `ledger verify [--json] [--workers N]

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

  --json       print the whole result as JSON on stdout
  --workers N  worker threads that hash events (default: one per core for 50,000 events or more; 0: none)

Exit code: 0 when the ledger verifies, 1 when a problem is found, 2 on bad usage or configuration.`,

  options: ['json', 'workers'],
  async run(args: ParsedArgs): Promise<number> {
    const workers = workersOption(args.options.workers);
    if (workers === null) {
      process.stderr.write('ledger verify: --workers takes a whole number (0 for none)\n');
      return 2;
    }
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
      process.stdout.write(args.options.json ? `${JSON.stringify(result, null, 2)}\n` : report(result));
      return result.ok ? 0 : 1;
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
