/**
 * `ledger tiles export DIR`: the tiled log (tiledLog.ts) written to a folder in the tlog-tiles layout — `checkpoint`,
 * `tile/<L>/<N>[.p/<W>]` and, when asked, `tile/entries/<N>[.p/<W>]` — so that any static web server can publish it
 * with DIR as the log's prefix.
 *
 * A half-finished export is never taken for a finished one: every file is written beside its place and renamed
 * into it, and the checkpoint goes last, so until it is replaced the folder holds the old checkpoint and tiles it
 * needs (tiles of one append-only tree never contradict each other). Exporting again writes only what is missing or
 * differs. Nothing is written through a symbolic link, nor over anything but a regular file: a link inside DIR
 * that would lead elsewhere makes the export refuse before it writes there.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { StoredCheckpoint } from './checkpointStore';
import { CHECKPOINT_PATH, type TiledLog } from './tiledLog';
import { entryBundlePath, entryBundlesFor, tilePath, tilesFor } from './tlogTiles';

/** The folder cannot be written safely: a link or a non-folder where the layout needs a folder or a file. */
export class TileFolderError extends Error {
  override name = 'TileFolderError';
}

export interface TileExportOptions {
  /** Entry bundles too: they carry person ids and ciphertext, so a public mirror gets hash tiles only. */
  entries?: boolean;
  /** Called after each resource, with how many are done of how many. */
  onProgress?: (done: number, total: number) => void;
}

export interface TileExportResult {
  checkpoint: StoredCheckpoint;
  /** Resources written because they were missing or differed. */
  written: number;
  /** Resources already there with the same bytes. */
  unchanged: number;
  /** Of those written, the ones that replaced different bytes (a full tile that changed means another tree). */
  replaced: string[];
}

/** Writes the latest checkpoint's tiled log into `dir` (created if missing, its parent must exist). */
export async function exportTiles(
  tiled: TiledLog,
  dir: string,
  options: TileExportOptions = {},
): Promise<TileExportResult> {
  const checkpoint = tiled.latest();
  if (!checkpoint) throw new TileFolderError('no checkpoint has been signed yet');
  const root = openRoot(dir);
  const { treeSize } = checkpoint;
  const tiles = tilesFor(treeSize);
  const bundles = options.entries ? entryBundlesFor(treeSize) : [];
  const total = tiles.length + bundles.length + 1;
  const result: TileExportResult = { checkpoint, written: 0, unchanged: 0, replaced: [] };
  const put = (relative: string, bytes: Buffer): void => {
    const outcome = writeResource(root, relative, bytes);
    if (outcome === 'unchanged') result.unchanged++;
    else result.written++;
    if (outcome === 'replaced') result.replaced.push(relative);
    options.onProgress?.(result.written + result.unchanged, total);
  };
  for (const tile of tiles) {
    const bytes = tiled.hashTile({ kind: 'tile', ...tile }, treeSize);
    if (bytes === null) throw new Error(`tile ${tilePath(tile)} is not in the tree of size ${treeSize}`);
    put(tilePath(tile), bytes);
  }
  for (const bundle of bundles) {
    const bytes = await tiled.entryBundle({ kind: 'entries', ...bundle }, treeSize);
    if (bytes === null) throw new Error(`${entryBundlePath(bundle)} is not in the tree of size ${treeSize}`);
    put(entryBundlePath(bundle), bytes);
  }
  // Last: only now do the files the new checkpoint needs all exist.
  put(CHECKPOINT_PATH, Buffer.from(tiled.checkpointText(checkpoint), 'utf8'));
  return result;
}

/** DIR, made if missing; it may itself be a link the operator named, but must lead to a folder. */
function openRoot(dir: string): string {
  const root = path.resolve(dir);
  if (!fs.existsSync(root)) {
    const parent = path.dirname(root);
    if (!fs.existsSync(parent)) throw new TileFolderError(`${parent} does not exist`);
    fs.mkdirSync(root, { mode: 0o755 });
  }
  if (!fs.statSync(root).isDirectory()) throw new TileFolderError(`${dir} is not a folder`);
  return fs.realpathSync(root);
}

/** Each folder on the way to `relative` inside `root`, made if missing, refused if it is anything but a folder. */
function ensureFolders(root: string, relative: string): string {
  const parts = relative.split('/');
  let at = root;
  for (const part of parts.slice(0, -1)) {
    at = path.join(at, part);
    const stat = lstatOrNull(at);
    if (stat === null) fs.mkdirSync(at, { mode: 0o755 });
    else if (stat.isSymbolicLink())
      throw new TileFolderError(`${at} is a symbolic link: refusing to write through it`);
    else if (!stat.isDirectory()) throw new TileFolderError(`${at} is not a folder`);
  }
  return path.join(at, parts[parts.length - 1] as string);
}

/** Writes one resource unless it is there already, via a temporary file renamed into place. */
function writeResource(root: string, relative: string, bytes: Buffer): 'written' | 'replaced' | 'unchanged' {
  if (relative.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new TileFolderError(`${relative} is not a path inside the folder`);
  }
  const target = ensureFolders(root, relative);
  const stat = lstatOrNull(target);
  if (stat !== null) {
    if (stat.isSymbolicLink())
      throw new TileFolderError(`${target} is a symbolic link: refusing to write it`);
    if (!stat.isFile()) throw new TileFolderError(`${target} is not a file`);
    if (stat.size === bytes.length && fs.readFileSync(target).equals(bytes)) return 'unchanged';
  }
  const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  // A new file (O_EXCL), never through a link (O_NOFOLLOW).
  const fd = fs.openSync(
    temporary,
    fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW,
    0o644,
  );
  try {
    fs.writeSync(fd, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, target);
  return stat === null ? 'written' : 'replaced';
}

function lstatOrNull(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
