/**
 * The per-tile work of a mirror check (tileMirror.ts), pure so that it runs on this thread or on a worker
 * (tileCheckWorker.ts): the root of a full tile, and an entry bundle against its level-0 tile. Hashing every entry
 * and parsing it as an event is most of the cost of checking a mirror with its entries.
 */
import { HASH_SIZE, leafHash, nodeHash } from './rfc9162';
import { parseEntryBundle, tilePath, TILE_WIDTH, type Tile } from './tlogTiles';

/** What one level-0 tile (and its bundle) gave: the tile's root when it is full, and what is wrong with the bundle. */
export interface TileCheck {
  root: Buffer | null;
  problem: string | null;
}

/** MTH of a full tile's 256 hashes: the perfect subtree of height 8 they are the leaves of. */
export function tileRoot(bytes: Uint8Array): Buffer {
  let row: Uint8Array[] = [];
  for (let i = 0; i < TILE_WIDTH; i++) row.push(bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  while (row.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < row.length; i += 2)
      next.push(nodeHash(row[i] as Uint8Array, row[i + 1] as Uint8Array));
    row = next;
  }
  return Buffer.from(row[0] as Uint8Array);
}

/**
 * The entry bundle of a level-0 tile: exactly its width of length-prefixed entries, each hashing
 * (SHA-256(0x00 || entry)) to its leaf hash, and each a ledger event's text: a JSON object whose globalPosition is
 * its leaf index. Null when it is all that, else what is wrong (the bundle being the resource).
 */
export function entryBundleProblem(tile: Tile, leafHashes: Uint8Array, bundle: Uint8Array): string | null {
  const entries = parseEntryBundle(bundle, tile.width);
  if (entries === null) return `is not ${tile.width} length-prefixed entries (${bundle.length} bytes)`;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as Buffer;
    const index = tile.index * TILE_WIDTH + i;
    if (!leafHash(entry).equals(leafHashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
      return `entry ${i} (leaf ${index}) does not hash to leaf hash ${i} of ${tilePath(tile)}`;
    }
    let event: unknown;
    try {
      event = JSON.parse(entry.toString('utf8'));
    } catch {
      return `entry ${i} (leaf ${index}) is not JSON, so not a ledger event`;
    }
    const position = (event as { globalPosition?: unknown } | null)?.globalPosition;
    if (position !== index) return `entry ${i} is leaf ${index} but says globalPosition ${String(position)}`;
  }
  return null;
}

/**
 * Both checks of a level-0 tile: its root when full, and its bundle's problem when there is a bundle. The caller
 * holds the root against the level above first: until then a bundle that disagrees may be right and the tile wrong.
 */
export function checkLevelZeroTile(tile: Tile, bytes: Uint8Array, bundle: Uint8Array | null): TileCheck {
  return {
    root: tile.width === TILE_WIDTH ? tileRoot(bytes) : null,
    problem: bundle === null ? null : entryBundleProblem(tile, bytes, bundle),
  };
}
