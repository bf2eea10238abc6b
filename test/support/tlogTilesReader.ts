/**
 * An independent reading of C2SP tlog-tiles.md, written from the spec's text for tests: its own path encoding,
 * SHA-256 from node:crypto, RFC 6962 MTH, and the tile formula MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l]).
 * It uses nothing from src/audit (tlogTiles.ts, merkleLog.ts), so that a test reading the project's tiles with it
 * checks the project against the spec rather than against itself.
 */
import { createHash } from 'node:crypto';

export const sha256 = (...parts: Uint8Array[]): Buffer =>
  createHash('sha256').update(Buffer.concat(parts)).digest();
export const specLeafHash = (entry: Uint8Array): Buffer => sha256(Buffer.from([0x00]), entry);
export const specNodeHash = (left: Uint8Array, right: Uint8Array): Buffer =>
  sha256(Buffer.from([0x01]), left, right);

/** "zero-padded 3-digit path elements. All but the last path element MUST begin with an x." */
export function specIndexPath(n: number): string {
  const digits = String(n);
  const padded = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const elements = padded.match(/[0-9]{3}/g) ?? [];
  return elements.map((element, i) => (i < elements.length - 1 ? `x${element}` : element)).join('/');
}

/** `tile/<L>/<N>[.p/<W>]`, or `tile/entries/<N>[.p/<W>]` with L = 'entries'. */
export const specPath = (level: number | 'entries', n: number, width: number): string =>
  `tile/${level}/${specIndexPath(n)}${width < 256 ? `.p/${width}` : ''}`;

/** "The partial tile at level l for a tree of size s has floor(s / 256**l) mod 256 entries"; full tiles before it. */
export function specTilePaths(s: number): string[] {
  const paths: string[] = [];
  for (let l = 0; 256 ** l <= s; l++) {
    const full = Math.floor(s / 256 ** (l + 1));
    for (let n = 0; n < full; n++) paths.push(specPath(l, n, 256));
    const partial = Math.floor(s / 256 ** l) % 256;
    if (partial > 0) paths.push(specPath(l, full, partial));
  }
  return paths;
}

export type Fetch = (path: string) => Uint8Array | undefined;

/** RFC 6962 §2.1 MTH over a list of hashes whose length is a power of two. */
export function mthOfPowerOfTwo(hashes: Buffer[]): Buffer {
  let row = hashes;
  while (row.length > 1) {
    row = Array.from({ length: row.length / 2 }, (_, i) => specNodeHash(row[2 * i]!, row[2 * i + 1]!));
  }
  return row[0]!;
}

/**
 * The root of the tree of size s from its tiles alone, after checking that every hash at level l ≥ 1 is the MTH of
 * the full tile below it ("each hash in a tile is the Merkle Tree Hash of a full tile at the level below"). Throws
 * when a tile is missing, has the wrong length, or disagrees with the level below.
 */
export function rootFromTiles(s: number, fetch: Fetch): Buffer {
  const hashesAtLevel = (l: number): number => Math.floor(s / 256 ** l);
  const tileHashes = (l: number, n: number): Buffer[] => {
    const width = Math.min(256, hashesAtLevel(l) - n * 256);
    const path = specPath(l, n, width);
    const bytes = fetch(path);
    if (bytes === undefined) throw new Error(`missing ${path}`);
    if (bytes.length !== width * 32) throw new Error(`${path} is ${bytes.length} bytes, not ${width * 32}`);
    return Array.from({ length: width }, (_, i) => Buffer.from(bytes.subarray(i * 32, (i + 1) * 32)));
  };
  const hashAt = (l: number, j: number): Buffer => tileHashes(l, Math.floor(j / 256))[j % 256]!;

  for (let l = 1; 256 ** l <= s; l++) {
    for (let j = 0; j < hashesAtLevel(l); j++) {
      if (!hashAt(l, j).equals(mthOfPowerOfTwo(tileHashes(l - 1, j)))) {
        throw new Error(`hash ${j} at level ${l} is not the MTH of tile ${j} at level ${l - 1}`);
      }
    }
  }

  /** MTH of the 2^k leaves from `start` (a multiple of 2^k): 2^(k mod 8) hashes at level floor(k / 8). */
  const perfect = (start: number, k: number): Buffer => {
    const l = Math.floor(k / 8);
    const first = start / 256 ** l;
    return mthOfPowerOfTwo(Array.from({ length: 2 ** (k % 8) }, (_, i) => hashAt(l, first + i)));
  };
  /** RFC 6962 §2.1: MTH(D[start:end]), split at the largest power of two smaller than the length. */
  const mth = (start: number, end: number): Buffer => {
    const n = end - start;
    if (n === 0) return sha256();
    let k = 0;
    while (2 ** (k + 1) <= n) k += 1;
    if (2 ** k === n) return perfect(start, k);
    const split = 2 ** k;
    return specNodeHash(mth(start, start + split), mth(start + split, end));
  };
  return mth(0, s);
}

/** The entries of bundle n, read as "big-endian uint16 length-prefixed log entries". */
export function specBundleEntries(bytes: Uint8Array): Buffer[] {
  const entries: Buffer[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const length = bytes[offset]! * 256 + bytes[offset + 1]!;
    entries.push(Buffer.from(bytes.subarray(offset + 2, offset + 2 + length)));
    offset += 2 + length;
  }
  return entries;
}

/**
 * tlog-checkpoint.md: the note's text is the origin line, the tree size in decimal, the root hash in base64, then
 * optional extension lines; a blank line; then the signature lines. The body alone, from the spec's words.
 */
export function specCheckpoint(note: string): { origin: string; size: number; root: Buffer } {
  const [body = ''] = note.split('\n\n');
  const [origin = '', size = '', root = ''] = body.split('\n');
  if (!/^(0|[1-9][0-9]*)$/.test(size))
    throw new Error(`the checkpoint's size line is ${JSON.stringify(size)}`);
  const hash = Buffer.from(root, 'base64');
  if (hash.length !== 32 || hash.toString('base64') !== root)
    throw new Error('the root hash is not 32 bytes of base64');
  return { origin, size: Number(size), root: hash };
}
