/**
 * Verifying a mirror of a tiled transparency log (https://c2sp.org/tlog-tiles) against its checkpoint: the check
 * `ledger mirror verify` runs on a folder or a URL prefix that anyone may have copied or served.
 *
 * The checkpoint is authenticated first (the log's signature, and with a tlog-policy its witnesses' quorum). Then
 * the tiles, top-down, so that every tile is compared with hashes already proved and a mismatch names the tile
 * that is wrong:
 *  1. The partial tiles (the rightmost of each level) are the tree's compact range: each hash of the partial tile
 *     at level l is a perfect subtree of 256^l leaves, and folded together they give the root, which must be the
 *     checkpoint's. This proves them all at once (a mismatch cannot tell which of them is wrong, so it names each).
 *  2. Level by level downwards, each full tile must hash (MTH of its 256 hashes) to its hash in the level above,
 *     whose tiles are proved by then. Only the level above is held: 32 bytes per full tile of this level.
 *  3. With entry bundles, each entry must hash (SHA-256(0x00 || entry)) to its leaf hash in the level-0 tile, and
 *     be a ledger event's canonical text: a JSON object whose globalPosition is its index.
 * A folder is also listed: a file under tile/ that is no tile is an error. A partial tile of an earlier, smaller
 * tree (tlog-tiles lets logs keep them) must be a prefix of the tile it grew into; a tile past the checkpoint's tree
 * (a later tree's: an export writes its checkpoint last) cannot be proved by it, and must only be well formed.
 *
 * Reads are issued a few at a time ahead of the one being checked, and checked in order.
 */
import { PARALLEL_FROM, defaultWorkerCount } from './leafPages';
import { startWorker } from '../workerThread';
import { CompactRange } from './compactRange';
import { HASH_SIZE } from './rfc9162';
import { checkLevelZeroTile, tileRoot, type TileCheck } from './tileCheck';
import type { TileCheckAnswer, TileCheckJob } from './tileCheckWorker';
import {
  KEY_ID_SIZE,
  parseCheckpointBody,
  splitNote,
  verifyCheckpointNote,
  type Checkpoint,
  type SignatureLine,
  type VerifierKey,
} from './signedNote';
import {
  entryBundlePath,
  MAX_ENTRY_LENGTH,
  parseEntryBundle,
  parseTilePath,
  tilePath,
  tilesFor,
  TILE_HEIGHT,
  TILE_WIDTH,
  type Tile,
  type TileAddress,
} from './tlogTiles';
import { TileReadError, type TileSource } from './tileSource';
import { checkpointLog, quorumMet, type Policy } from './witnessPolicy';

/** signed-note allows 100 signature lines here; with a long origin this is far more than any checkpoint needs. */
export const MAX_CHECKPOINT_BYTES = 64 * 1024;
/** A full hash tile: 256 hashes. */
export const MAX_TILE_BYTES = TILE_WIDTH * HASH_SIZE;
/** A full entry bundle of the longest entries: 256 × (2 + 65,535) bytes. */
export const MAX_ENTRY_BUNDLE_BYTES = TILE_WIDTH * (2 + MAX_ENTRY_LENGTH);
/** Reads in flight ahead of the one being checked. */
export const READ_AHEAD = 8;

/** What the checkpoint must be signed by: a log's key, and optionally a policy's witness quorum. */
export interface MirrorTrust {
  /** The log's note verifier key; without it, the policy's `log` lines. */
  key?: VerifierKey;
  policy?: Policy;
}

export interface MirrorOptions {
  /** 'required': every entry bundle must be there; 'if-present': checked when the source holds any (a folder). */
  entries: 'required' | 'if-present';
  onProgress?(done: number, total: number): void;
  /** Worker threads for the level-0 tiles; default: one per core (up to 4) from PARALLEL_FROM leaves, else none. */
  workers?: number;
}

export interface MirrorVerified {
  ok: true;
  checkpoint: Checkpoint;
  /** Who signed: the log's key name, and the witnesses whose cosignatures counted. */
  signedBy: string;
  cosignedBy: readonly string[];
  tiles: number;
  entryBundles: number;
  /** Partial tiles of earlier tree sizes found in a folder, each checked as a prefix of its grown tile. */
  earlierPartials: number;
  /** Tiles past the checkpoint's tree found in a folder: well formed, but not proved by this checkpoint. */
  beyondTree: number;
}

export interface MirrorProblem {
  ok: false;
  /** The resource that is wrong (`checkpoint`, a tile's path), when one is. */
  resource: string | null;
  problem: string;
}

export type MirrorResult = MirrorVerified | MirrorProblem;

class Mismatch extends Error {
  constructor(
    readonly resource: string | null,
    readonly problem: string,
  ) {
    super(problem);
  }
}

/** Reads and checks the checkpoint, then every tile and entry bundle its size needs. Never throws for bad data. */
export async function verifyMirror(
  source: TileSource,
  trust: MirrorTrust,
  options: MirrorOptions,
): Promise<MirrorResult> {
  try {
    const note = await source.read('checkpoint', MAX_CHECKPOINT_BYTES);
    if (note === null) throw new Mismatch('checkpoint', `there is no checkpoint at ${source.location}`);
    const { checkpoint, signedBy, cosignedBy } = authenticateCheckpoint(note.toString('utf8'), trust);
    const counts = await verifyTiles(source, checkpoint, options);
    return { ok: true, checkpoint, signedBy, cosignedBy, ...counts };
  } catch (error) {
    if (error instanceof Mismatch) return { ok: false, resource: error.resource, problem: error.problem };
    if (error instanceof TileReadError) return { ok: false, resource: error.path, problem: error.reason };
    throw error;
  }
}

/** The checkpoint a note carries, when it is signed as `trust` asks; a Mismatch naming what fails otherwise. */
export function authenticateCheckpoint(
  note: string,
  trust: MirrorTrust,
): { checkpoint: Checkpoint; signedBy: string; cosignedBy: string[] } {
  const parts = splitNote(note);
  if (parts === null) throw new Mismatch('checkpoint', 'is not a signed note');
  if (parseCheckpointBody(parts.text) === null) {
    throw new Mismatch('checkpoint', 'is a signed note, but not a checkpoint');
  }
  const signed = logSignature(note, parts.signatures, trust);
  let cosignedBy: string[] = [];
  if (trust.policy !== undefined) {
    const quorum = quorumMet(trust.policy, note);
    const list = (names: readonly string[]): string => (names.length === 0 ? 'none' : names.join(', '));
    if (!quorum.met) {
      throw new Mismatch(
        'checkpoint',
        `its cosignatures do not meet the policy's quorum (${trust.policy.quorum}): valid from ` +
          `${list(quorum.cosigned)}; invalid from ${list(quorum.invalid)}; missing from ${list(quorum.missing)}`,
      );
    }
    cosignedBy = quorum.cosigned;
  }
  return { ...signed, cosignedBy };
}

/** The checkpoint, verified with the given log key, else with one of the policy's logs. */
function logSignature(
  note: string,
  signatures: readonly SignatureLine[],
  trust: MirrorTrust,
): { checkpoint: Checkpoint; signedBy: string } {
  const { key, policy } = trust;
  if (key !== undefined) {
    const checkpoint = verifyCheckpointNote(note, key.publicKey, key.keyName);
    if (checkpoint !== null) return { checkpoint, signedBy: key.keyName };
    const hasLine = signatures.some(
      (line) => line.name === key.keyName && line.blob.subarray(0, KEY_ID_SIZE).equals(key.keyId),
    );
    throw new Mismatch(
      'checkpoint',
      hasLine ? `its signature by ${key.keyName} does not verify` : `is not signed by ${key.keyName}`,
    );
  }
  if (policy !== undefined) {
    const signed = checkpointLog(policy, note);
    if (signed !== null) return { checkpoint: signed.checkpoint, signedBy: signed.log.key.keyName };
    throw new Mismatch(
      'checkpoint',
      `is not signed by any log of the policy (${policy.logs.map((log) => log.key.keyName).join(', ') || 'it names none'})`,
    );
  }
  throw new Mismatch('checkpoint', 'cannot be trusted without the log key or a policy');
}

async function verifyTiles(
  source: TileSource,
  checkpoint: Checkpoint,
  options: MirrorOptions,
): Promise<{ tiles: number; entryBundles: number; earlierPartials: number; beyondTree: number }> {
  const { treeSize, rootHash } = checkpoint;
  const tiles = tilesFor(treeSize);
  const levels: Tile[][] = [];
  for (const tile of tiles) (levels[tile.level] ??= []).push(tile);

  // A folder tells what it holds before anything is read: strays, earlier partials, whether it has entries.
  const listing = source.list ? await listFolder(source, tiles) : null;
  const withEntries = options.entries === 'required' || (listing?.hasEntries ?? false);
  const total = tiles.length + (withEntries ? (levels[0]?.length ?? 0) : 0);
  let done = 0;
  const progressed = (): void => options.onProgress?.((done += 1), total);

  // 1. The partial tiles give the root.
  const partials = new Map<number, Buffer>();
  const range = new CompactRange();
  for (let level = levels.length - 1; level >= 0; level--) {
    const last = levels[level]?.at(-1);
    if (last === undefined || last.width === TILE_WIDTH) continue;
    const bytes = await readHashTile(source, last, treeSize);
    partials.set(level, bytes);
    for (let i = 0; i < last.width; i++) {
      range.appendSubtree({
        level: TILE_HEIGHT * level,
        hash: bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE),
      });
    }
  }
  const root = range.root();
  if (!root.equals(rootHash)) {
    const named = [...partials.keys()].map((level) => tilePath(levels[level]!.at(-1)!));
    throw new Mismatch(
      named.length === 1 ? (named[0] as string) : null,
      `the root hash the partial tiles give (${root.toString('base64')}) is not the checkpoint's ` +
        `(${rootHash.toString('base64')}): one of ${named.join(', ')} is wrong, or the checkpoint is for another tree`,
    );
  }

  // 2. and 3. Down the levels, each tile against the proved level above, the entries against level 0.
  const threads = level0Threads(options.workers, treeSize);
  try {
    let above: Buffer[] = [];
    for (let level = levels.length - 1; level >= 0; level--) {
      const row = levels[level] ?? [];
      const here: Buffer[] = [];
      const reads = inOrder(row, READ_AHEAD, async (tile) => {
        // The partial tile was read and proved with the root.
        const bytes =
          (tile.width < TILE_WIDTH ? partials.get(level) : undefined) ??
          (await readHashTile(source, tile, treeSize));
        const bundle = level === 0 && withEntries ? await readEntryBundle(source, tile) : null;
        const check: TileCheck =
          level > 0
            ? { root: tile.width === TILE_WIDTH ? tileRoot(bytes) : null, problem: null }
            : threads
              ? await threads.check(tile, bytes, bundle)
              : checkLevelZeroTile(tile, bytes, bundle);
        return { bytes, bundle, ...check };
      });
      for await (const { item: tile, value } of reads) {
        const { bytes, bundle, root, problem } = value;
        if (root !== null) {
          const expected = hashAt(above, tile.index);
          if (expected === null || !root.equals(expected)) {
            const parent = tilePath(levels[level + 1]![Math.floor(tile.index / TILE_WIDTH)]!);
            throw new Mismatch(
              tilePath(tile),
              `its hashes give ${root.toString('base64')}, but hash ${tile.index % TILE_WIDTH} of ${parent} ` +
                `(proved by the levels above) is ${expected?.toString('base64') ?? 'absent'}`,
            );
          }
        }
        if (problem !== null) throw new Mismatch(entryBundlePath(tile), problem);
        await checkEarlierPartials(source, listing, tile, bytes, bundle);
        if (level > 0) here.push(bytes);
        progressed();
        if (bundle !== null) progressed();
      }
      above = here;
    }
  } finally {
    await threads?.close();
  }

  if (listing !== null && listing.strays.length > 0) {
    const [first] = listing.strays;
    throw new Mismatch(
      first as string,
      'is not a tile or an entry bundle (no tlog-tiles path)' +
        (listing.strays.length > 1 ? `, nor are ${listing.strays.length - 1} more files under tile/` : ''),
    );
  }
  if (listing !== null) await checkBeyondTree(source, listing.beyond, treeSize);
  return {
    tiles: tiles.length,
    entryBundles: withEntries ? (levels[0]?.length ?? 0) : 0,
    earlierPartials: [...(listing?.earlierPartials.values() ?? [])].reduce(
      (sum, widths) => sum + widths.length,
      0,
    ),
    beyondTree: listing?.beyond.length ?? 0,
  };
}

/** The hash tile's bytes, exactly its width of hashes. */
async function readHashTile(source: TileSource, tile: Tile, treeSize: number): Promise<Buffer> {
  const resource = tilePath(tile);
  const bytes = await source.read(resource, MAX_TILE_BYTES);
  if (bytes === null)
    throw new Mismatch(resource, `is missing (the checkpoint's tree of size ${treeSize} needs it)`);
  // parseHashTile's rule, without its copy of every hash: the tiles are read as slices of these bytes.
  if (bytes.length !== tile.width * HASH_SIZE) {
    throw new Mismatch(
      resource,
      `is ${bytes.length} bytes, not ${tile.width} hashes (${tile.width * HASH_SIZE} bytes)`,
    );
  }
  return bytes;
}

async function readEntryBundle(source: TileSource, tile: Tile): Promise<Buffer> {
  const resource = entryBundlePath(tile);
  const bytes = await source.read(resource, MAX_ENTRY_BUNDLE_BYTES);
  if (bytes === null) throw new Mismatch(resource, 'is missing');
  return bytes;
}

/** Hash `index` of the level whose tiles' bytes are `tiles`, in order. */
function hashAt(tiles: readonly Buffer[], index: number): Buffer | null {
  const tile = tiles[Math.floor(index / TILE_WIDTH)];
  const offset = (index % TILE_WIDTH) * HASH_SIZE;
  return tile === undefined || offset + HASH_SIZE > tile.length
    ? null
    : tile.subarray(offset, offset + HASH_SIZE);
}

// ---- a folder's listing -----------------------------------------------------------------------------------------

interface FolderListing {
  hasEntries: boolean;
  /** Files under tile/ that are no tile or bundle of tlog-tiles at all, by path. */
  strays: string[];
  /** Tiles and bundles past the checkpoint's tree (or wider than its partial ones). */
  beyond: TileAddress[];
  /** Partial tiles of earlier trees: `tile:<level>:<index>` or `entries:<index>` → their widths. */
  earlierPartials: Map<string, number[]>;
}

async function listFolder(source: TileSource, tiles: readonly Tile[]): Promise<FolderListing> {
  const widths = new Map(tiles.map((tile) => [`${tile.level}:${tile.index}`, tile.width]));
  const listing: FolderListing = { hasEntries: false, strays: [], beyond: [], earlierPartials: new Map() };
  for await (const file of source.list!()) {
    const address = parseTilePath(file);
    if (address === null) {
      listing.strays.push(file);
      continue;
    }
    const level = address.kind === 'tile' ? address.level : 0;
    const width = widths.get(`${level}:${address.index}`);
    if (width === undefined || address.width > width) {
      listing.beyond.push(address);
      continue;
    }
    if (address.kind === 'entries') listing.hasEntries = true;
    if (address.width < width) {
      const key = address.kind === 'tile' ? `tile:${level}:${address.index}` : `entries:${address.index}`;
      listing.earlierPartials.set(key, [...(listing.earlierPartials.get(key) ?? []), address.width]);
    }
  }
  return listing;
}

/**
 * Tiles past the checkpoint's tree (a later tree's, or an export under way: it writes the checkpoint last) cannot
 * be proved by this checkpoint; each must at least be well formed: its width of hashes, or of entries.
 */
async function checkBeyondTree(
  source: TileSource,
  beyond: readonly TileAddress[],
  treeSize: number,
): Promise<void> {
  for (const address of beyond) {
    const resource = address.kind === 'tile' ? tilePath(address) : entryBundlePath(address);
    const bytes = await source.read(
      resource,
      address.kind === 'tile' ? MAX_TILE_BYTES : MAX_ENTRY_BUNDLE_BYTES,
    );
    const wellFormed =
      bytes !== null &&
      (address.kind === 'tile'
        ? bytes.length === address.width * HASH_SIZE
        : parseEntryBundle(bytes, address.width) !== null);
    if (!wellFormed) {
      const expected =
        address.kind === 'tile'
          ? `${address.width} hashes (${address.width * HASH_SIZE} bytes)`
          : `${address.width} length-prefixed entries`;
      throw new Mismatch(
        resource,
        `lies beyond the tree of size ${treeSize} and is not even a tile: ${bytes?.length ?? 0} bytes, not ${expected}`,
      );
    }
  }
}

/** Each earlier partial of this tile (and of its entry bundle) must be the first hashes (entries) of it. */
async function checkEarlierPartials(
  source: TileSource,
  listing: FolderListing | null,
  tile: Tile,
  bytes: Buffer,
  bundle: Buffer | null,
): Promise<void> {
  if (listing === null) return;
  for (const width of listing.earlierPartials.get(`tile:${tile.level}:${tile.index}`) ?? []) {
    const earlier = { level: tile.level, index: tile.index, width };
    const stale = await source.read(tilePath(earlier), MAX_TILE_BYTES);
    if (stale === null || !stale.equals(bytes.subarray(0, width * HASH_SIZE))) {
      throw new Mismatch(tilePath(earlier), `is not the first ${width} hashes of ${tilePath(tile)}`);
    }
  }
  const bundles = tile.level === 0 ? (listing.earlierPartials.get(`entries:${tile.index}`) ?? []) : [];
  for (const width of bundles) {
    const resource = entryBundlePath({ index: tile.index, width });
    const stale = await source.read(resource, MAX_ENTRY_BUNDLE_BYTES);
    // A bundle is its entries' encodings end to end: an earlier one is a byte prefix of the verified bundle. (An
    // earlier bundle in the folder means the folder has entries, so the verified bundle was read.)
    const same =
      stale !== null &&
      bundle !== null &&
      parseEntryBundle(stale, width) !== null &&
      stale.equals(bundle.subarray(0, stale.length));
    if (!same) throw new Mismatch(resource, `is not the first ${width} entries of ${entryBundlePath(tile)}`);
  }
}

// ---- worker threads --------------------------------------------------------------------------------------------

/** Level-0 tiles checked on worker threads (tileCheckWorker.ts), each job by the least busy thread. */
class TileCheckThreads {
  private readonly threads: Array<{ worker: ReturnType<typeof startWorker>; busy: number }>;
  private readonly waiting = new Map<
    number,
    { resolve(check: TileCheck): void; reject(error: unknown): void }
  >();
  private nextId = 0;

  constructor(count: number) {
    this.threads = Array.from({ length: count }, () => {
      const worker = startWorker(__dirname, 'tileCheckWorker', null);
      const thread = { worker, busy: 0 };
      worker.on('message', ({ id, root, problem }: TileCheckAnswer) => {
        thread.busy -= 1;
        this.waiting.get(id)?.resolve({ root: root === null ? null : Buffer.from(root), problem });
        this.waiting.delete(id);
      });
      worker.on('error', (error) => this.failAll(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.failAll(new Error(`a tile-check thread stopped (exit code ${code})`));
      });
      return thread;
    });
  }

  check(tile: Tile, bytes: Buffer, bundle: Buffer | null): Promise<TileCheck> {
    const id = this.nextId++;
    const thread = this.threads.reduce((a, b) => (b.busy < a.busy ? b : a));
    thread.busy += 1;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      thread.worker.postMessage({ id, tile, bytes, bundle } satisfies TileCheckJob);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map(({ worker }) => worker.terminate()));
  }

  private failAll(error: unknown): void {
    for (const { reject } of this.waiting.values()) reject(error);
    this.waiting.clear();
  }
}

function level0Threads(requested: number | undefined, treeSize: number): TileCheckThreads | null {
  const count = requested ?? (treeSize >= PARALLEL_FROM ? defaultWorkerCount() : 0);
  return count > 0 ? new TileCheckThreads(count) : null;
}

// ---- reading ahead ----------------------------------------------------------------------------------------------

/** `read` applied to each item, at most `ahead` at once, yielded in the items' order. */
async function* inOrder<T, R>(
  items: readonly T[],
  ahead: number,
  read: (item: T) => Promise<R>,
): AsyncGenerator<{ item: T; value: R }> {
  const pending: Array<Promise<R>> = [];
  let next = 0;
  const start = (): void => {
    const item = items[next++] as T;
    const promise = read(item);
    promise.catch(() => undefined); // rejections are taken when it is its turn; until then they are not unhandled
    pending.push(promise);
  };
  while (next < items.length && pending.length < ahead) start();
  for (let i = 0; i < items.length; i++) {
    const value = await (pending.shift() as Promise<R>);
    if (next < items.length) start();
    yield { item: items[i] as T, value };
  }
}
