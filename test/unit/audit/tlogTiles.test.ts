/**
 * tlogTiles against C2SP tlog-tiles.md. The tiles are served by the project's code (tilesFor, tilePath, hashTile,
 * entryBundlePath, entryBundle) and read back by a reader written here straight from the spec's text: its own path
 * encoding, SHA-256 from node:crypto, RFC 6962 MTH, and the tile formula MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]).
 * The reader (test/support/tlogTilesReader.ts) uses nothing from src/audit/tlogTiles.ts, so the two readings of the
 * spec check each other.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { MerkleLog } from '../../../src/audit/merkleLog';
import { leafHash } from '../../../src/audit/rfc9162';
import type { Tile } from '../../../src/audit/tlogTiles';
import {
  rootFromTiles,
  specBundleEntries,
  specLeafHash,
  specPath,
  specTilePaths,
} from '../../support/tlogTilesReader';
import {
  entryBundle,
  entryBundlePath,
  entryBundlesFor,
  hashTile,
  parseEntryBundle,
  parseHashTile,
  parseTilePath,
  tileIndexPath,
  tilePath,
  tilesFor,
} from '../../../src/audit/tlogTiles';

// ---- The tree and what the project serves for it ----------------------------------------------------------------

const LARGEST = 100_000;
const SIZES = [0, 1, 255, 256, 257, 65_536, 65_537, 70_000, LARGEST];

/** Leaves of varied lengths, some empty. */
const leafAt = (i: number): Buffer =>
  i % 1000 === 999 ? Buffer.alloc(0) : Buffer.from(`entry ${i}${'.'.repeat(i % 7)}`);
const leaves = Array.from({ length: LARGEST }, (_, i) => leafAt(i));

let db: Database.Database;
let log: MerkleLog;

beforeAll(() => {
  db = new Database(':memory:');
  log = new MerkleLog(db);
  log.appendLeafHashes(leaves.map((leaf) => leafHash(leaf)));
});

afterAll(() => db.close());

/** Every tile and entry bundle the project serves for a tree of size s, by path. */
function serve(s: number): Map<string, Buffer> {
  const served = new Map<string, Buffer>();
  for (const tile of tilesFor(s))
    served.set(tilePath(tile), hashTile(log, tile.level, tile.index, tile.width));
  for (const bundle of entryBundlesFor(s)) {
    const start = bundle.index * 256;
    served.set(entryBundlePath(bundle), entryBundle(leaves.slice(start, start + bundle.width)));
  }
  return served;
}

const tilePathsOf = (served: Map<string, Buffer>): string[] =>
  [...served.keys()].filter((path) => !path.startsWith('tile/entries/'));

// ---- Paths -----------------------------------------------------------------------------------------------------

describe('tile paths (tlog-tiles: <prefix>/tile/<L>/<N>[.p/<W>])', () => {
  it('given the spec example 1234067, then the index is x001/x234/067', () => {
    expect(tileIndexPath(1234067)).toBe('x001/x234/067');
    expect(tilePath({ level: 0, index: 1234067 })).toBe('tile/0/x001/x234/067');
    expect(tilePath({ level: 2, index: 1234067, width: 17 })).toBe('tile/2/x001/x234/067.p/17');
    expect(entryBundlePath({ index: 1234067, width: 1 })).toBe('tile/entries/x001/x234/067.p/1');
    expect(parseTilePath('tile/0/x001/x234/067')).toEqual({
      kind: 'tile',
      level: 0,
      index: 1234067,
      width: 256,
    });
  });

  it('given indexes at the 3-digit boundaries, then each is padded and every element but the last has an x', () => {
    expect([0, 7, 999, 1000, 1001, 999_999, 1_000_000].map(tileIndexPath)).toEqual([
      '000',
      '007',
      '999',
      'x001/000',
      'x001/001',
      'x999/999',
      'x001/x000/000',
    ]);
    expect(tileIndexPath(Number.MAX_SAFE_INTEGER)).toBe('x009/x007/x199/x254/x740/991');
  });

  it('given a full tile, then it has no .p suffix whether its width is omitted or 256', () => {
    expect(tilePath({ level: 63, index: 5, width: 256 })).toBe('tile/63/005');
    expect(entryBundlePath({ index: 5 })).toBe('tile/entries/005');
    expect(parseTilePath('tile/entries/005.p/255')).toEqual({ kind: 'entries', index: 5, width: 255 });
  });

  it('given coordinates the spec does not allow, then tilePath refuses them', () => {
    for (const bad of [
      { level: 64, index: 0 },
      { level: -1, index: 0 },
      { level: 0.5, index: 0 },
      { level: 0, index: -1 },
      { level: 0, index: 2 ** 53 },
      { level: 0, index: 1.5 },
      { level: 0, index: 0, width: 0 },
      { level: 0, index: 0, width: 257 },
    ]) {
      expect(() => tilePath(bad)).toThrow(RangeError);
    }
  });

  it('given any level, index up to 2^53 − 1 and width, then the path is the spec encoding and parses back', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 63 }),
        fc.oneof(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.nat(1_000_000)),
        fc.integer({ min: 1, max: 256 }),
        (level, index, width) => {
          const path = tilePath({ level, index, width });
          expect(path).toBe(specPath(level, index, width));
          expect(parseTilePath(path)).toEqual({ kind: 'tile', level, index, width });
          const bundle = entryBundlePath({ index, width });
          expect(bundle).toBe(specPath('entries', index, width));
          expect(parseTilePath(bundle)).toEqual({ kind: 'entries', index, width });
        },
      ),
      { numRuns: 500 },
    );
  });

  it.each([
    ['an empty string', ''],
    ['no tile/ segment', '0/000'],
    ['a leading slash', '/tile/0/000'],
    ['a trailing slash', 'tile/0/000/'],
    ['an empty level', 'tile//000'],
    ['a level with a leading zero', 'tile/00/000'],
    ['a level with a leading zero (2)', 'tile/07/000'],
    ['level 64', 'tile/64/000'],
    ['level 100', 'tile/100/000'],
    ['a negative level', 'tile/-1/000'],
    ['a level with a sign', 'tile/+1/000'],
    ['another word than entries', 'tile/entry/000'],
    ['capitalised Entries', 'tile/Entries/000'],
    ['a 2-digit element', 'tile/0/00'],
    ['a 4-digit element', 'tile/0/0000'],
    ['an unpadded index', 'tile/0/7'],
    ['a missing x', 'tile/0/001/234'],
    ['an x on the last element', 'tile/0/x001/x234'],
    ['an x on a lone element', 'tile/0/x067'],
    ['a capital X', 'tile/0/X001/234'],
    ['a short x element', 'tile/0/x1/234'],
    ['a leading x000 element', 'tile/0/x000/067'],
    ['leading x000 elements', 'tile/0/x000/x001/067'],
    ['index 2^53', 'tile/0/x009/x007/x199/x254/x740/992'],
    ['seven elements', 'tile/0/x001/x000/x000/x000/x000/x000/000'],
    ['width 0', 'tile/0/000.p/0'],
    ['width 256', 'tile/0/000.p/256'],
    ['width 1000', 'tile/0/000.p/1000'],
    ['a width with a leading zero', 'tile/0/000.p/07'],
    ['a negative width', 'tile/0/000.p/-1'],
    ['an empty width', 'tile/0/000.p/'],
    ['.p without a width', 'tile/0/000.p'],
    ['a width with a trailing slash', 'tile/0/000.p/1/'],
    ['a .p element in the wrong place', 'tile/0/x001.p/234'],
    ['an entry bundle of width 256', 'tile/entries/000.p/256'],
    ['a space', 'tile/0/ 000'],
    ['a trailing newline', 'tile/0/000\n'],
    ['an exponent', 'tile/0/1e3'],
    ['fullwidth digits', 'tile/0/\uff10\uff10\uff10'],
    ['a dot segment', 'tile/0/../000'],
    ['a query string', 'tile/0/000?x=1'],
    ['a very long path', `tile/0/${'x001/'.repeat(1000)}000`],
  ])('given %s, then parseTilePath refuses it', (_name, path) => {
    expect(parseTilePath(path)).toBeNull();
  });

  it('given any string, then parseTilePath never throws and accepts only what tilePath or entryBundlePath writes', () => {
    const valid = fc
      .tuple(
        fc.oneof(fc.integer({ min: 0, max: 63 }), fc.constant('entries' as const)),
        fc.nat(10_000_000),
        fc.integer({ min: 1, max: 256 }),
      )
      .map(([level, index, width]) => specPath(level, index, width));
    const mutated = fc
      .tuple(valid, fc.nat(), fc.constantFrom('', '0', 'x', '/', '.p/', '1', '9', '-'), fc.nat(2))
      .map(([path, at, insert, cut]) => {
        const i = at % (path.length + 1);
        return path.slice(0, i) + insert + path.slice(i + cut);
      });
    fc.assert(
      fc.property(fc.oneof(fc.string(), mutated, valid), (path) => {
        const parsed = parseTilePath(path);
        if (parsed === null) return;
        const written =
          parsed.kind === 'tile'
            ? tilePath(parsed)
            : entryBundlePath({ index: parsed.index, width: parsed.width });
        expect(written).toBe(path);
      }),
      { numRuns: 2000 },
    );
  });
});

// ---- Which tiles exist -----------------------------------------------------------------------------------------

describe('tilesFor (which tiles a tree of size N has)', () => {
  const describeTiles = (tiles: Tile[]): Record<string, number[]> => {
    const byLevel: Record<string, number[]> = {};
    for (const { level, width } of tiles) (byLevel[`level ${level}`] ??= []).push(width);
    return byLevel;
  };
  const summary = (tiles: Tile[]): Record<string, { full: number; partial: number | null }> =>
    Object.fromEntries(
      Object.entries(describeTiles(tiles)).map(([level, widths]) => [
        level,
        { full: widths.filter((w) => w === 256).length, partial: widths.find((w) => w < 256) ?? null },
      ]),
    );

  it("given the spec's tree of size 70,000, then 273 full + 112 wide at level 0, 1 full + 17 wide at level 1, 1 wide at level 2", () => {
    expect(summary(tilesFor(70_000))).toEqual({
      'level 0': { full: 273, partial: 112 },
      'level 1': { full: 1, partial: 17 },
      'level 2': { full: 0, partial: 1 },
    });
  });

  it("given the spec's tree of size 256, then a full level-0 tile and a partial level-1 tile of width 1", () => {
    expect(tilesFor(256)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 1, index: 0, width: 1 },
    ]);
  });

  it('given an empty tree, then there are no tiles and no entry bundles (empty tiles MUST NOT be served)', () => {
    expect(tilesFor(0)).toEqual([]);
    expect(entryBundlesFor(0)).toEqual([]);
  });

  it.each(SIZES)('given a tree of size %d, then the tiles are the ones the spec formula gives', (s) => {
    expect(tilesFor(s).map(tilePath)).toEqual(specTilePaths(s));
    expect(entryBundlesFor(s)).toEqual(
      tilesFor(s)
        .filter((tile) => tile.level === 0)
        .map(({ index, width }) => ({ index, width })),
    );
  });

  it('given any tree size, then the tiles are the spec formula, and each level has at most one partial tile, 1–255 wide', () => {
    fc.assert(
      fc.property(fc.nat(300_000), (s) => {
        const tiles = tilesFor(s);
        expect(tiles.map(tilePath)).toEqual(specTilePaths(s));
        for (let l = 0; 256 ** l <= s; l++) {
          const width = Math.floor(s / 256 ** l) % 256;
          const partial = tiles.filter((t) => t.level === l && t.width < 256).map((t) => t.width);
          expect(partial).toEqual(width === 0 ? [] : [width]);
        }
        for (const tile of tiles) expect(tile.width >= 1 && tile.width <= 256).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

// ---- Reading the tiles back ------------------------------------------------------------------------------------

describe('hash tiles and entry bundles, read independently from tlog-tiles.md', () => {
  it.each(SIZES)(
    'given a tree of size %d, then the root rebuilt from the tiles alone is rootAt(size)',
    (s) => {
      const served = serve(s);
      expect(tilePathsOf(served).sort()).toEqual(specTilePaths(s).sort());
      expect(rootFromTiles(s, (path) => served.get(path)).toString('hex')).toBe(
        log.rootAt(s).toString('hex'),
      );
    },
  );

  it.each(SIZES)('given a tree of size %d, then the partial tiles have the widths the spec gives', (s) => {
    const served = serve(s);
    for (let l = 0; 256 ** l <= s; l++) {
      const width = Math.floor(s / 256 ** l) % 256;
      const path = specPath(l, Math.floor(s / 256 ** (l + 1)), width);
      if (width === 0) {
        expect(tilePathsOf(served).filter((p) => p.startsWith(`tile/${l}/`) && p.includes('.p/'))).toEqual(
          [],
        );
      } else {
        expect(served.get(path)?.length).toBe(width * 32);
        expect(parseHashTile(served.get(path)!, width)).toHaveLength(width);
      }
    }
  });

  it.each(SIZES)(
    'given a tree of size %d, then each entry bundle holds exactly the leaves of its positions, hashing to its level-0 tile',
    (s) => {
      const served = serve(s);
      const wrong: string[] = [];
      let position = 0;
      for (let n = 0; n * 256 < s; n++) {
        const width = Math.min(256, s - n * 256);
        const bundle = served.get(specPath('entries', n, width));
        const tile = served.get(specPath(0, n, width));
        if (bundle === undefined || tile === undefined) throw new Error(`bundle or tile ${n} missing`);
        const entries = specBundleEntries(bundle);
        expect(entries).toHaveLength(width);
        entries.forEach((entry, i) => {
          if (!entry.equals(leaves[n * 256 + i]!))
            wrong.push(`bundle ${n} entry ${i} is not leaf ${n * 256 + i}`);
          if (!specLeafHash(entry).equals(tile.subarray(i * 32, (i + 1) * 32))) {
            wrong.push(`bundle ${n} entry ${i} does not hash to level-0 tile ${n} hash ${i}`);
          }
        });
        const parsed = parseEntryBundle(bundle, width);
        if (parsed === null || parsed.some((entry, i) => !entry.equals(entries[i]!))) {
          wrong.push(`parseEntryBundle reads bundle ${n} otherwise`);
        }
        position += entries.length;
      }
      expect(wrong).toEqual([]);
      expect(position).toBe(s);
      expect([...served.keys()].filter((path) => path.startsWith('tile/entries/'))).toHaveLength(
        Math.ceil(s / 256),
      );
    },
  );

  describe('given one changed byte in a tile, then the independent reading no longer yields the root', () => {
    const outcome = (
      s: number,
      served: Map<string, Buffer>,
      path: string,
      offset: number,
      mask: number,
    ): string => {
      const original = served.get(path)!;
      const changed = Buffer.from(original);
      changed[offset % changed.length]! ^= mask;
      try {
        return rootFromTiles(s, (p) => (p === path ? changed : served.get(p))).toString('hex');
      } catch (error) {
        return `refused: ${(error as Error).message}`;
      }
    };

    it.each([1, 255, 256, 257, 1000, 4097])('of every tile of a tree of size %d', (s) => {
      const served = serve(s);
      const root = log.rootAt(s).toString('hex');
      for (const path of tilePathsOf(served)) {
        for (const offset of [0, 31, 8191]) expect(outcome(s, served, path, offset, 0x01)).not.toBe(root);
      }
    });

    it('of every tile above level 0 and every partial tile, and of sampled full level-0 tiles, of a tree of size 70,000', () => {
      const s = 70_000;
      const served = serve(s);
      const root = log.rootAt(s).toString('hex');
      const paths = tilePathsOf(served);
      const exhaustive = paths.filter((path) => !path.startsWith('tile/0/') || path.includes('.p/'));
      expect(exhaustive).toEqual(['tile/0/273.p/112', 'tile/1/000', 'tile/1/001.p/17', 'tile/2/000.p/1']);
      for (const path of [...exhaustive, 'tile/0/000', 'tile/0/136', 'tile/0/272']) {
        expect(outcome(s, served, path, 4000, 0x80)).not.toBe(root);
      }
      fc.assert(
        fc.property(
          fc.constantFrom(...paths),
          fc.nat(8191),
          fc.integer({ min: 1, max: 255 }),
          (path, offset, mask) => {
            expect(outcome(s, served, path, offset, mask)).not.toBe(root);
          },
        ),
        { numRuns: 15 },
      );
    });
  });
});

// ---- hashTile, hash tiles and entry bundles as bytes ----------------------------------------------------------

describe('hashTile', () => {
  it('given a tile the tree does not yet cover, then it is refused rather than served short', () => {
    expect(() => hashTile(log, 0, Math.floor(LARGEST / 256), 256)).toThrow(RangeError);
    expect(() => hashTile(log, 3, 0, 1)).toThrow(RangeError);
    expect(() => hashTile(log, 0, 0, 0)).toThrow(RangeError);
    expect(() => hashTile(log, 64, 0, 1)).toThrow(RangeError);
  });

  it('given a tile, then its bytes are the same whatever size the tree has grown to since', () => {
    const small = new Database(':memory:');
    try {
      const smallLog = new MerkleLog(small);
      smallLog.appendLeafHashes(leaves.slice(0, 65_537).map((leaf) => leafHash(leaf)));
      for (const tile of tilesFor(65_537)) {
        const { level, index, width } = tile;
        expect(hashTile(smallLog, level, index, width).equals(hashTile(log, level, index, width))).toBe(true);
      }
    } finally {
      small.close();
    }
  });

  it('given a source that is not a MerkleLog, then hashTile asks it for one run of perfect subtrees per tile', () => {
    const asked: string[] = [];
    const source = {
      size: () => 1 << 20,
      perfectSubtreeHashes: (level: number, first: number, end: number) => {
        asked.push(`level ${level} ${first}-${end}`);
        return Array.from({ length: end - first }, () => Buffer.alloc(32));
      },
    };
    expect(hashTile(source, 0, 3, 2)).toHaveLength(64);
    expect(hashTile(source, 2, 0, 2)).toHaveLength(64);
    expect(hashTile(source, 1, 1, 256)).toHaveLength(8192);
    expect(asked).toEqual(['level 0 768-770', 'level 16 0-2', 'level 8 256-512']);
  });

  it('given a source that answers short, then hashTile refuses rather than serve a malformed tile', () => {
    const source = {
      size: () => 1 << 20,
      perfectSubtreeHashes: (_level: number, first: number, end: number) =>
        Array.from({ length: end - first - 1 }, () => Buffer.alloc(32)),
    };
    expect(() => hashTile(source, 0, 0, 256)).toThrow(/malformed/);
  });
});

describe('parseHashTile', () => {
  it('given bytes that are not exactly width × 32, then it refuses them', () => {
    expect(parseHashTile(Buffer.alloc(64), 2)).toHaveLength(2);
    expect(parseHashTile(Buffer.alloc(63), 2)).toBeNull();
    expect(parseHashTile(Buffer.alloc(96), 2)).toBeNull();
    expect(parseHashTile(Buffer.alloc(0), 0)).toBeNull();
    expect(parseHashTile(Buffer.alloc(257 * 32), 257)).toBeNull();
  });
});

describe('entry bundles (big-endian uint16 length-prefixed entries)', () => {
  it('given entries, then each is prefixed by its big-endian uint16 length', () => {
    expect(entryBundle([Buffer.from('ab'), Buffer.alloc(0), Buffer.alloc(0x0102, 7)]).subarray(0, 8)).toEqual(
      Buffer.from([0x00, 0x02, 0x61, 0x62, 0x00, 0x00, 0x01, 0x02]),
    );
  });

  it('given 1 to 256 entries of up to 65,535 bytes, then the bundle parses back to them', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 256 }), (entries) => {
        const bundle = entryBundle(entries);
        expect(specBundleEntries(bundle)).toEqual(entries.map((e) => Buffer.from(e)));
        expect(parseEntryBundle(bundle)).toEqual(entries.map((e) => Buffer.from(e)));
        expect(parseEntryBundle(bundle, entries.length)).not.toBeNull();
        expect(parseEntryBundle(bundle, entries.length === 1 ? 2 : entries.length - 1)).toBeNull();
      }),
      { numRuns: 200 },
    );
    const largest = Buffer.alloc(0xffff, 1);
    expect(parseEntryBundle(entryBundle([largest]))).toEqual([largest]);
  });

  it('given no entries, more than 256, or one longer than 65,535 bytes, then entryBundle refuses', () => {
    expect(() => entryBundle([])).toThrow(RangeError);
    expect(() => entryBundle(Array.from({ length: 257 }, () => Buffer.alloc(0)))).toThrow(RangeError);
    expect(() => entryBundle([Buffer.alloc(0x10000)])).toThrow(RangeError);
  });

  it.each([
    ['no bytes', Buffer.alloc(0)],
    ['a lone length byte', Buffer.from([0x00])],
    ['a truncated entry', Buffer.from([0x00, 0x03, 0x61, 0x62])],
    ['a byte left over', Buffer.from([0x00, 0x01, 0x61, 0x00])],
    ['257 entries', Buffer.alloc(257 * 2)],
  ])('given %s, then parseEntryBundle refuses it', (_name, bytes) => {
    expect(parseEntryBundle(bytes)).toBeNull();
  });

  it('given any bytes, then parseEntryBundle never throws, and what it accepts re-encodes to the same bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.option(fc.integer({ min: -1, max: 300 }), { nil: undefined }),
        (bytes, width) => {
          const entries = parseEntryBundle(bytes, width);
          if (entries !== null) expect(entryBundle(entries).equals(Buffer.from(bytes))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
