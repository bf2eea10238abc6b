/** `ledger verify`: the full audit of the data directory's ledger, without a server. */
import { verifyLedger, type VerifyResult } from '../../audit/verify';
import type { ParsedArgs } from '../args';
import { openAuditStores } from '../openAudit';
import { progress } from '../progress';

export const verifyCommand = {
  summary: 'verify every event against the Merkle tree and the signed checkpoints',
  usage: `ledger verify [--json] [--workers N]

Recomputes the leaf hash of every event in the event store (LEDGER_DATA_DIR), compares each with the audit
log's Merkle tree, rebuilds the tree's root, and checks every signed checkpoint: its signature, its root against
the rebuilt one, and the consistency proof to the next checkpoint. Reads the files directly; a running server
may keep appending meanwhile (events after the tree are counted, not judged).

Prints the first bad position and each problem found (altered, missing, inserted or reordered events; bad
checkpoint signatures or roots). Progress goes to stderr.

  --json       print the whole result as JSON on stdout
  --workers N  worker threads that hash events (default: one per core for 50,000 events or more; 0: none)

Exit code: 0 when the ledger verifies, 1 when a problem is found, 2 on bad usage or configuration.`,

  async run(args: ParsedArgs): Promise<number> {
    const workers = workersOption(args.options.workers);
    if (workers === null) {
      process.stderr.write('ledger verify: --workers takes a whole number (0 for none)\n');
      return 2;
    }
    const { store, audit, close } = openAuditStores();
    try {
      const bar = progress('verify', { unit: 'events' });
      const result = await verifyLedger(store, audit, {
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
  const size = `${result.eventsVerified.toLocaleString('en')} events, tree size ${result.treeSize.toLocaleString('en')}`;
  const checkpoints = `${result.checkpointsVerified} checkpoint${result.checkpointsVerified === 1 ? '' : 's'}`;
  if (result.ok) {
    lines.push(`ok: ${size}, ${checkpoints} verified`, `root: ${result.rootHash}`);
  } else {
    lines.push(`FAILED: ${result.problemCount} problems (${size}, ${checkpoints})`);
    if (result.firstBadPosition !== undefined) lines.push(`first bad position: ${result.firstBadPosition}`);
    for (const problem of result.problems) {
      const where = problem.position === undefined ? '' : `position ${problem.position}: `;
      lines.push(`  ${where}${problem.kind}: ${problem.detail}`);
    }
    if (result.problemCount > result.problems.length) {
      lines.push(`  … and ${result.problemCount - result.problems.length} more`);
    }
  }
  if (result.eventsBeyondTree > 0) {
    lines.push(
      `note: the ${result.eventsBeyondTree} newest events are not in the tree yet (a running server's audit log ` +
        'takes them in; `ledger checkpoint --new` does it without one)',
    );
  }
  return `${lines.join('\n')}\n`;
}
