/**
 * A log for the witness tests: its key, 300 leaves hashed per RFC 9162 through the project's tree code, its signed
 * checkpoints and add-checkpoint requests between them, and a fork of it (the same first 100 leaves, then others).
 */
import { consistencyProof } from '../../../src/audit/consistencyProof';
import { rootFromLeafHashes, subtreeHashOver } from '../../../src/audit/merkleTreeHash';
import { leafHash } from '../../../src/audit/rfc9162';
import {
  encodeVerifierKey,
  generateSigningKey,
  parseVerifierKey,
  publicKeyFromPrivate,
  signCheckpoint,
} from '../../../src/audit/signedNote';
import { encodeAddCheckpointRequest, type KnownLogs } from '../../../src/audit/witness';

export const ORIGIN = 'ledger.example/participation';
export const logKey = generateSigningKey();
export const LOG_VKEY = encodeVerifierKey(ORIGIN, publicKeyFromPrivate(logKey));
export const LOGS: KnownLogs = new Map([[ORIGIN, [parseVerifierKey(LOG_VKEY)]]]);

function history(leaves: Buffer[]) {
  const subtree = subtreeHashOver(leaves);
  const rootAt = (size: number): Buffer => rootFromLeafHashes(leaves.slice(0, size));
  const checkpointAt = (size: number, key = logKey): string =>
    signCheckpoint({ origin: ORIGIN, treeSize: size, rootHash: rootAt(size) }, key, ORIGIN);
  /** The request a log sends: old size, the consistency proof from it (none from 0), the new checkpoint. */
  const request = (oldSize: number, size: number): string =>
    encodeAddCheckpointRequest({
      oldSize,
      proof: oldSize === 0 ? [] : consistencyProof(oldSize, size, subtree),
      checkpoint: checkpointAt(size),
    });
  return { rootAt, checkpointAt, request };
}

export const LEAVES = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
export const log = history(LEAVES);
/** The same first 100 leaves, then others: a second history signed by the same key. */
export const fork = history([
  ...LEAVES.slice(0, 100),
  ...Array.from({ length: 200 }, (_, i) => leafHash(Buffer.from(`other ${i}`))),
]);
