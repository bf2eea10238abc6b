/**
 * The ledger as a C2SP tiled transparency log (https://c2sp.org/tlog-tiles): what is published, and its bytes. The
 * HTTP routes (src/http/routes/tlog.ts) and `ledger tiles export` both serve from here, so a folder exported and the
 * server answer the same paths with the same bytes.
 *
 * Everything published is of the latest checkpoint's tree: a tile (full or partial) or entry bundle is published when
 * all its hashes lie within that tree, which includes the partial tiles of every earlier checkpoint that the full
 * tile has not yet replaced (tlog-tiles: they MUST be served) and nothing the checkpoint does not commit to.
 */
import type { EventStore } from '../store/eventStore';
import type { AuditLog } from './auditLog';
import type { StoredCheckpoint } from './checkpointStore';
import { eventLeafText } from './eventLeafText';
import { entryBundle, hashTile, MAX_ENTRY_LENGTH, TILE_WIDTH, type TileAddress } from './tlogTiles';

/** The checkpoint resource's path, relative to the log's prefix. */
export const CHECKPOINT_PATH = 'checkpoint';

/** Whether a tile or entry bundle is published for a tree of `treeSize` leaves: all its hashes lie within it. */
export function publishedIn(address: TileAddress, treeSize: number): boolean {
  const level = address.kind === 'tile' ? address.level : 0;
  const end = (address.index * TILE_WIDTH + address.width) * TILE_WIDTH ** level;
  return Number.isSafeInteger(end) && end <= treeSize;
}

/** An entry too long for an entry bundle's uint16 length, stored before the write path refused such events. */
export class EntryTooLongError extends Error {
  override name = 'EntryTooLongError';
  constructor(
    readonly position: number,
    readonly length: number,
  ) {
    super(`the leaf text at position ${position} is ${length} bytes, more than an entry bundle can hold`);
  }
}

export class TiledLog {
  constructor(
    private readonly audit: AuditLog,
    private readonly store: EventStore,
  ) {}

  /** The latest checkpoint, whose tree is what is published; undefined before the first is signed. */
  latest(): StoredCheckpoint | undefined {
    return this.audit.latestCheckpoint();
  }

  /** The checkpoint resource: its signed note with the witnesses' cosignature lines appended. */
  checkpointText(checkpoint: StoredCheckpoint): string {
    return this.audit.cosignedNote(checkpoint);
  }

  /** The bytes of a hash tile published in the tree of `treeSize`, or null when it is not published. */
  hashTile(address: TileAddress & { kind: 'tile' }, treeSize: number): Buffer | null {
    if (!publishedIn(address, treeSize)) return null;
    return hashTile(this.audit.merkle, address.level, address.index, address.width);
  }

  /**
   * The entry bundle published in the tree of `treeSize`: the leaf texts (API.md "Leaf hash") of its positions, as
   * the events are stored, or null when it is not published. Throws EntryTooLongError for a leaf over 65,535 bytes.
   */
  async entryBundle(address: TileAddress & { kind: 'entries' }, treeSize: number): Promise<Buffer | null> {
    if (!publishedIn(address, treeSize)) return null;
    const first = address.index * TILE_WIDTH;
    const leaves = await this.leafTexts(first, first + address.width);
    return entryBundle(leaves);
  }

  /** The leaf texts of positions [first, end), read from the store in one pass; throws unless all are there. */
  async leafTexts(first: number, end: number): Promise<Buffer[]> {
    const leaves: Buffer[] = [];
    for await (const page of this.store.readAllBatches(first, { toPosition: end - 1, limit: end - first })) {
      for (const event of page) {
        if (event.globalPosition !== first + leaves.length) {
          throw new Error(`the event store has no event at position ${first + leaves.length}`);
        }
        const leaf = Buffer.from(eventLeafText(event), 'utf8');
        if (leaf.length > MAX_ENTRY_LENGTH) throw new EntryTooLongError(event.globalPosition, leaf.length);
        leaves.push(leaf);
      }
    }
    if (leaves.length !== end - first) {
      throw new Error(`the event store has no event at position ${first + leaves.length}`);
    }
    return leaves;
  }
}
