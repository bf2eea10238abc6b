/**
 * A tiled log written to a folder as tlog-tiles lays it out (`checkpoint`, `tile/<L>/<N>[.p/<W>]`,
 * `tile/entries/<N>[.p/<W>]`), from a real MerkleLog over `size` event-like leaves, with a checkpoint signed by a
 * fresh key: what `ledger tiles export` writes, for the mirror tests.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../../src/audit/canonicalJson';
import { MerkleLog } from '../../src/audit/merkleLog';
import { leafHash } from '../../src/audit/rfc9162';
import {
  encodeVerifierKey,
  generateSigningKey,
  publicKeyFromPrivate,
  signCheckpoint,
} from '../../src/audit/signedNote';
import { entryBundle, entryBundlePath, hashTile, tilePath, tilesFor } from '../../src/audit/tlogTiles';

export interface SampleLog {
  merkle: MerkleLog;
  leaves: Buffer[];
  origin: string;
  signingKey: KeyObject;
  /** The log's verifier key, `origin+keyid+key`. */
  vkey: string;
  close(): void;
}

/** The leaf text of event `position`: canonical JSON, as the ledger's leaves are. */
export function eventLike(position: number): Buffer {
  return Buffer.from(
    canonicalJson({
      globalPosition: position,
      type: 'ProposalSubmitted',
      data: { title: `proposal ${position}` },
    }),
  );
}

export function sampleLog(size: number, origin = 'ledger.example/api/v1/audit/tlog'): SampleLog {
  const db = new Database(':memory:');
  const merkle = new MerkleLog(db);
  const leaves = Array.from({ length: size }, (_, i) => eventLike(i));
  merkle.appendLeafHashes(leaves.map((leaf) => leafHash(leaf)));
  const signingKey = generateSigningKey();
  return {
    merkle,
    leaves,
    origin,
    signingKey,
    vkey: encodeVerifierKey(origin, publicKeyFromPrivate(signingKey)),
    close: () => db.close(),
  };
}

/** The checkpoint of the log's first `treeSize` leaves, signed by its key (or another). */
export function checkpointNote(log: SampleLog, treeSize = log.merkle.size(), key = log.signingKey): string {
  return signCheckpoint(
    { origin: log.origin, treeSize, rootHash: log.merkle.rootAt(treeSize) },
    key,
    log.origin,
  );
}

/** Writes the checkpoint, the tiles and (unless told not to) the entry bundles of the first `treeSize` leaves. */
export function writeTileFolder(
  dir: string,
  log: SampleLog,
  { treeSize = log.merkle.size(), entries = true }: { treeSize?: number; entries?: boolean } = {},
): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'checkpoint'), checkpointNote(log, treeSize));
  for (const tile of tilesFor(treeSize)) {
    writeFile(dir, tilePath(tile), hashTile(log.merkle, tile.level, tile.index, tile.width));
    if (entries && tile.level === 0) {
      const first = tile.index * 256;
      writeFile(dir, entryBundlePath(tile), entryBundle(log.leaves.slice(first, first + tile.width)));
    }
  }
}

export function writeFile(dir: string, resource: string, bytes: Uint8Array | string): void {
  const file = path.join(dir, resource);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
}
