/**
 * C2SP tiled transparency logs (https://c2sp.org/tlog-tiles), the pure core: tile and entry-bundle paths, which
 * tiles a tree of a given size has, the bytes of a hash tile, and entry bundles. No HTTP and no files here.
 *
 * Tiles have height 8: a full tile is 256 consecutive Merkle Tree Hashes (8,192 bytes). Hash i of tile n at level l
 * is MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]), so level 0 holds leaf hashes and level l ≥ 1 the roots of
 * full tiles one level down. The rightmost tile of a level may be partial (1–255 hashes); a partial tile is never
 * hashed into the level above. Entry bundles are the leaves of a level-0 tile, each prefixed by its big-endian
 * uint16 length. Paths are relative to the log's prefix: `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`.
 *
 * Indexes and sizes are JavaScript numbers, so this covers trees of up to 2^53 − 1 leaves; the path parser refuses
 * any index above Number.MAX_SAFE_INTEGER rather than round it.
 */
import { HASH_SIZE } from './rfc9162';

/** Tile height: each tile spans 8 levels of the Merkle tree. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile (2^TILE_HEIGHT), and entries in a full entry bundle. */
export const TILE_WIDTH = 256;
/** The highest level a tile path may name (tlog-tiles: `<L>` is between 0 and 63). */
export const MAX_TILE_LEVEL = 63;
/** The longest entry an entry bundle can hold: its length is a uint16. */
export const MAX_ENTRY_LENGTH = 0xffff;

/** A hash tile: `width` is 256 for a full tile, 1–255 for a partial one. */
export interface Tile {
  level: number;
  index: number;
  width: number;
}

/** An entry bundle: the leaves of level-0 tile `index`; `width` as for tiles. */
export interface EntryBundle {
  index: number;
  width: number;
}

/** What a tile path names: a hash tile, or an entry bundle. Width is always given (256 = full). */
export type TileAddress = ({ kind: 'tile' } & Tile) | ({ kind: 'entries' } & EntryBundle);

/** The coordinates a path is written from; a missing width (or 256) means a full tile. */
export interface TileCoordinates {
  level: number;
  index: number;
  width?: number;
}

/** Where the tree's hashes come from. MerkleLog satisfies it. */
export interface TileHashSource {
  /** Leaves stored; a tile may only cover leaves below it. */
  size(): number;
  /**
   * The perfect subtrees of height `level` numbered [first, end): subtree i is MTH(D[i·2^level : (i+1)·2^level]),
   * level 0 being the leaf hashes. A tile is one such run, so it costs one read.
   */
  perfectSubtreeHashes(level: number, first: number, end: number): readonly Uint8Array[];
}

const isLevel = (level: unknown): level is number =>
  Number.isInteger(level) && (level as number) >= 0 && (level as number) <= MAX_TILE_LEVEL;
const isIndex = (index: unknown): index is number => Number.isSafeInteger(index) && (index as number) >= 0;
const isWidth = (width: unknown): width is number =>
  Number.isInteger(width) && (width as number) >= 1 && (width as number) <= TILE_WIDTH;

/** `<N>`: zero-padded 3-digit elements, all but the last prefixed by `x` (1234067 → `x001/x234/067`). */
export function tileIndexPath(index: number): string {
  if (!isIndex(index)) throw new RangeError(`tile index must be a safe non-negative integer, got ${index}`);
  let rest = index;
  let path = String(rest % 1000).padStart(3, '0');
  rest = Math.floor(rest / 1000);
  while (rest > 0) {
    path = `x${String(rest % 1000).padStart(3, '0')}/${path}`;
    rest = Math.floor(rest / 1000);
  }
  return path;
}

function widthSuffix(width: number | undefined): string {
  if (width === undefined || width === TILE_WIDTH) return '';
  if (!isWidth(width)) throw new RangeError(`tile width must be an integer from 1 to 256, got ${width}`);
  return `.p/${width}`;
}

/** `tile/<L>/<N>[.p/<W>]`, relative to the log's prefix. */
export function tilePath({ level, index, width }: TileCoordinates): string {
  if (!isLevel(level)) throw new RangeError(`tile level must be an integer from 0 to 63, got ${level}`);
  return `tile/${level}/${tileIndexPath(index)}${widthSuffix(width)}`;
}

/** `tile/entries/<N>[.p/<W>]`, relative to the log's prefix. */
export function entryBundlePath({ index, width }: { index: number; width?: number }): string {
  return `tile/entries/${tileIndexPath(index)}${widthSuffix(width)}`;
}

const TILE_PATH =
  /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/){0,5}[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/;

/**
 * The tile or entry bundle a path names, or null for any string the spec does not allow: a level above 63 or with
 * leading zeroes, an index element that is not 3 digits, a missing or misplaced `x`, a non-canonical index
 * (a leading `x000/`), an index above Number.MAX_SAFE_INTEGER, a width of 0, 256 or more, or with leading zeroes.
 * Exactly the paths tilePath and entryBundlePath write are accepted. Never throws.
 */
export function parseTilePath(path: string): TileAddress | null {
  if (typeof path !== 'string' || path.length > 64) return null;
  const match = TILE_PATH.exec(path);
  if (match === null) return null;
  const [, levelText = '', indexText = '', widthText] = match;
  const elements = indexText.split('/');
  if (elements.length > 1 && elements[0] === 'x000') return null;
  const index = Number(elements.map((element) => element.replace('x', '')).join(''));
  if (!Number.isSafeInteger(index)) return null;
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (widthText !== undefined && width >= TILE_WIDTH) return null;
  if (levelText === 'entries') return { kind: 'entries', index, width };
  const level = Number(levelText);
  if (level > MAX_TILE_LEVEL) return null;
  return { kind: 'tile', level, index, width };
}

/**
 * Every tile a tree of `treeSize` leaves has, by level then index: at level l, floor(s / 256^(l+1)) full tiles
 * and, when floor(s / 256^l) mod 256 is not 0, one partial tile of that width after them. An empty tree has none.
 */
export function tilesFor(treeSize: number): Tile[] {
  if (!isIndex(treeSize)) {
    throw new RangeError(`tree size must be a safe non-negative integer, got ${treeSize}`);
  }
  const tiles: Tile[] = [];
  for (let level = 0, span = 1; span <= treeSize; level++, span *= TILE_WIDTH) {
    const hashes = Math.floor(treeSize / span);
    const full = Math.floor(hashes / TILE_WIDTH);
    for (let index = 0; index < full; index++) tiles.push({ level, index, width: TILE_WIDTH });
    const partial = hashes % TILE_WIDTH;
    if (partial > 0) tiles.push({ level, index: full, width: partial });
  }
  return tiles;
}

/** The entry bundles of a tree of `treeSize` leaves: one per level-0 tile, with its width. */
export function entryBundlesFor(treeSize: number): EntryBundle[] {
  return tilesFor(treeSize)
    .filter((tile) => tile.level === 0)
    .map(({ index, width }) => ({ index, width }));
}

/**
 * The bytes of tile (level, index) of the given width: its `width` hashes concatenated, hash i being
 * MTH(D[(index·256 + i)·256^level : (index·256 + i + 1)·256^level]). The leaves it covers must all be in the source;
 * a tile's bytes do not depend on how far the tree has grown past it.
 */
export function hashTile(source: TileHashSource, level: number, index: number, width: number): Buffer {
  if (!isLevel(level)) throw new RangeError(`tile level must be an integer from 0 to 63, got ${level}`);
  if (!isIndex(index)) throw new RangeError(`tile index must be a safe non-negative integer, got ${index}`);
  if (!isWidth(width)) throw new RangeError(`tile width must be an integer from 1 to 256, got ${width}`);
  const span = TILE_WIDTH ** level;
  const first = index * TILE_WIDTH;
  const end = (first + width) * span;
  const size = source.size();
  if (!Number.isSafeInteger(end) || end > size) {
    throw new RangeError(
      `tile ${tilePath({ level, index, width })} needs leaves the tree of size ${size} lacks`,
    );
  }
  // Hash i of the tile is the perfect subtree of height 8·level numbered index·256 + i.
  const hashes = source.perfectSubtreeHashes(TILE_HEIGHT * level, first, first + width);
  if (hashes.length !== width || !hashes.every((hash) => hash.length === HASH_SIZE)) {
    throw new Error(`the source gave malformed hashes for tile ${tilePath({ level, index, width })}`);
  }
  return Buffer.concat(hashes);
}

/** The hashes of a tile of the given width, or null unless it is exactly width × 32 bytes. */
export function parseHashTile(bytes: Uint8Array, width: number): Buffer[] | null {
  if (!(bytes instanceof Uint8Array) || !isWidth(width) || bytes.length !== width * HASH_SIZE) return null;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: width }, (_, i) =>
    Buffer.from(buffer.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)),
  );
}

/** An entry bundle: each of the 1–256 entries prefixed by its length as a big-endian uint16. */
export function entryBundle(leaves: readonly Uint8Array[]): Buffer {
  if (leaves.length < 1 || leaves.length > TILE_WIDTH) {
    throw new RangeError(`an entry bundle holds 1 to 256 entries, got ${leaves.length}`);
  }
  const parts: Buffer[] = [];
  for (const leaf of leaves) {
    if (leaf.length > MAX_ENTRY_LENGTH) {
      throw new RangeError(`an entry of ${leaf.length} bytes does not fit a uint16 length prefix`);
    }
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16BE(leaf.length);
    parts.push(prefix, Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength));
  }
  return Buffer.concat(parts);
}

/**
 * The entries of an entry bundle, or null unless the bytes are exactly a sequence of uint16-length-prefixed entries
 * (no truncated prefix or entry, nothing left over) numbering 1 to 256, or exactly `width` when it is given.
 * Never throws.
 */
export function parseEntryBundle(bytes: Uint8Array, width?: number): Buffer[] | null {
  if (!(bytes instanceof Uint8Array)) return null;
  if (width !== undefined && !isWidth(width)) return null;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: Buffer[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    if (entries.length === TILE_WIDTH || offset + 2 > buffer.length) return null;
    const length = buffer.readUInt16BE(offset);
    const end = offset + 2 + length;
    if (end > buffer.length) return null;
    entries.push(Buffer.from(buffer.subarray(offset + 2, end)));
    offset = end;
  }
  if (entries.length === 0 || (width !== undefined && entries.length !== width)) return null;
  return entries;
}
