/** `ledger checkpoint`: the latest signed checkpoint of the data directory's ledger, or a new one. */
import type { StoredCheckpoint } from '../../audit/checkpointStore';
import type { ParsedArgs } from '../args';
import { openAuditStores } from '../openAudit';

export const checkpointCommand = {
  summary: 'print the latest signed checkpoint (--new: sign one now)',
  usage: `ledger checkpoint [--new] [--json]

Prints the latest signed checkpoint of the ledger in LEDGER_DATA_DIR on stdout: a C2SP signed note (origin,
tree size, base64 root hash, then the Ed25519 signature line). The verifier key that checks it goes to stderr.

  --new   first bring the Merkle tree up to date with the event store, then sign a checkpoint of it (unless
          the latest one already covers every event); works with or without a running server
  --json  print {origin, treeSize, rootHash, signedNote, publicKey, publicKeyRaw, createdAt} instead

Exit code: 0 with a checkpoint, 1 when none has been signed yet (and --new was not given), 2 on bad usage.`,

  options: ['new', 'json'],
  async run(args: ParsedArgs): Promise<number> {
    const { audit, close } = openAuditStores({ createNothing: !args.options.new });
    try {
      let checkpoint: StoredCheckpoint | undefined;
      if (args.options.new) {
        await audit.start();
        checkpoint = await audit.checkpointNow();
      } else checkpoint = audit.latestCheckpoint();
      if (!checkpoint) {
        process.stderr.write('ledger checkpoint: no checkpoint has been signed yet (--new signs one)\n');
        return 1;
      }
      if (args.options.json) {
        const json = {
          origin: checkpoint.origin,
          treeSize: checkpoint.treeSize,
          rootHash: checkpoint.rootHash.toString('base64'),
          signedNote: checkpoint.note,
          publicKey: audit.verifierKey,
          publicKeyRaw: audit.publicKey.toString('base64'),
          createdAt: checkpoint.createdAt,
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      } else {
        process.stdout.write(checkpoint.note);
        process.stderr.write(`verifier key: ${audit.verifierKey}\n`);
      }
      return 0;
    } finally {
      await close();
    }
  },
};
