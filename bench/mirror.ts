/**
 * P11's mirror half: `ledger mirror verify DIR --key VKEY --entries` (the built CLI, as a user runs it) on the tiled
 * log of the simulated trial at `scale` (100 ≈ 1M events), against a raw ordered scan of the events table with
 * JSON.parse (P2's baseline) in the same run. Entry bundles are included: hashing every leaf and parsing every entry
 * is the work comparable to scanning every event.
 *
 * The folder is written once into bench/.cache from the fixture's events, with tlogTiles.ts over a MerkleLog built
 * here (the fixture is only read: it is shared), and a checkpoint signed by a key made for it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { eventLeafText } from '../src/audit/eventLeafText';
import { MerkleLog } from '../src/audit/merkleLog';
import { leafHash } from '../src/audit/rfc9162';
import {
  encodeVerifierKey,
  generateSigningKey,
  publicKeyFromPrivate,
  signCheckpoint,
} from '../src/audit/signedNote';
import {
  entryBundle,
  entryBundlePath,
  hashTile,
  tilePath,
  tilesFor,
  TILE_WIDTH,
} from '../src/audit/tlogTiles';
import { rowToEvent } from '../src/store/sqlite/eventRows';
import { EVENT_COLUMNS, type EventRow } from '../src/store/sqlite/schema';
import { ensureLedger } from './fixture';
import { report } from './report';
import { rawScan } from './views';

const ORIGIN = 'bench.example/api/v1/audit/tlog';

interface TileFolderFixture {
  dir: string;
  treeSize: number;
  vkey: string;
}

function writeResource(dir: string, resource: string, bytes: Uint8Array | string): void {
  const file = path.join(dir, resource);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
}

/** The fixture's events as a tlog-tiles folder (checkpoint, tiles, entry bundles), made on first use. */
function ensureTileFolder(eventsFile: string, scale: number): TileFolderFixture {
  const dir = path.resolve(__dirname, `../../bench/.cache/mirror-tiles-${scale}`);
  const done = `${dir}.json`;
  if (fs.existsSync(done))
    return { dir, ...(JSON.parse(fs.readFileSync(done, 'utf8')) as Omit<TileFolderFixture, 'dir'>) };
  fs.rmSync(dir, { recursive: true, force: true });
  const started = Date.now();
  const treeFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-bench-mirror-')), 'tree.sqlite');
  const treeDb = new Database(treeFile);
  treeDb.pragma('journal_mode = WAL');
  treeDb.pragma('synchronous = OFF');
  const merkle = new MerkleLog(treeDb);
  const events = new Database(eventsFile, { readonly: true });
  let leaves: Buffer[] = [];
  const flush = (): void => {
    const index = merkle.size() / TILE_WIDTH;
    merkle.appendLeafHashes(leaves.map((leaf) => leafHash(leaf)));
    writeResource(dir, entryBundlePath({ index, width: leaves.length }), entryBundle(leaves));
    leaves = [];
  };
  for (const row of events
    .prepare(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY global_position`)
    .iterate() as Iterable<EventRow>) {
    leaves.push(Buffer.from(eventLeafText(rowToEvent(row)), 'utf8'));
    if (leaves.length === TILE_WIDTH) flush();
  }
  if (leaves.length > 0) flush();
  events.close();
  const treeSize = merkle.size();
  for (const tile of tilesFor(treeSize)) {
    writeResource(dir, tilePath(tile), hashTile(merkle, tile.level, tile.index, tile.width));
  }
  const key = generateSigningKey();
  writeResource(
    dir,
    'checkpoint',
    signCheckpoint({ origin: ORIGIN, treeSize, rootHash: merkle.rootAt(treeSize) }, key, ORIGIN),
  );
  treeDb.close();
  fs.rmSync(path.dirname(treeFile), { recursive: true, force: true });
  const fixture = { treeSize, vkey: encodeVerifierKey(ORIGIN, publicKeyFromPrivate(key)) };
  fs.writeFileSync(done, JSON.stringify(fixture));
  process.stderr.write(
    `  mirror fixture: ${treeSize.toLocaleString('en')} leaves in ${(Date.now() - started) / 1000} s\n`,
  );
  return { dir, ...fixture };
}

/** One `ledger mirror verify` run as a process: wall time and (through /usr/bin/time, where there is one) peak RSS. */
function mirrorVerify(folder: TileFolderFixture): { seconds: number; peakMb: number | null } {
  const cli = path.resolve(__dirname, '../src/cli/ledger.js');
  const args = [cli, 'mirror', 'verify', folder.dir, '--key', folder.vkey, '--entries'];
  const timed = fs.existsSync('/usr/bin/time');
  const started = process.hrtime.bigint();
  const run = timed
    ? spawnSync('/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, ...args], { encoding: 'utf8' })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0 || !run.stdout.startsWith('ok: ')) {
    throw new Error(`ledger mirror verify did not verify the bench folder: ${run.stdout}${run.stderr}`);
  }
  const peak = /peak-rss-kb (\d+)/.exec(run.stderr);
  return { seconds, peakMb: peak ? Number(peak[1]) / 1024 : null };
}

export async function benchMirror(args: { scale?: number }): Promise<void> {
  const scale = args.scale ?? 100;
  const fixture = await ensureLedger(scale);
  const eventsFile = path.join(fixture.dir, 'events.sqlite');
  const folder = ensureTileFolder(eventsFile, scale);
  // Alternating, the better of two runs each (as P2 does): this machine is shared and noisy.
  const raws: Array<{ events: number; seconds: number }> = [];
  const mirrors: Array<{ seconds: number; peakMb: number | null }> = [];
  for (let round = 0; round < 2; round++) {
    raws.push(rawScan(eventsFile));
    mirrors.push(mirrorVerify(folder));
  }
  const rawRate = Math.max(...raws.map((r) => r.events / r.seconds));
  const mirrorRates = mirrors.map((m) => folder.treeSize / m.seconds);
  const mirrorRate = Math.max(...mirrorRates);
  const peaks = mirrors.map((m) => m.peakMb).filter((m): m is number => m !== null);
  report({
    name: 'mirror',
    command: `npm run bench -- mirror --scale ${scale}`,
    rows: [
      { what: `tiled log (simulated trial, scale ${scale})`, value: folder.treeSize, unit: 'entries' },
      {
        what: 'raw ordered scan with JSON.parse',
        value: rawRate,
        unit: 'events/s',
        note: `runs ${raws.map((r) => Math.round(r.events / r.seconds).toLocaleString('en')).join(' / ')}`,
      },
      {
        what: 'ledger mirror verify DIR --entries (process, tiles + entry bundles)',
        value: mirrorRate,
        unit: 'entries/s',
        note: `runs ${mirrors.map((m) => `${m.seconds.toFixed(2)} s`).join(' / ')}`,
      },
      { what: 'ratio mirror verify / raw scan', value: mirrorRate / rawRate, unit: '×' },
      ...(peaks.length > 0
        ? [{ what: 'peak RSS of ledger mirror verify', value: Math.max(...peaks), unit: 'MB' }]
        : []),
    ],
    checks: [
      {
        target: 'P11 mirror ≥ 0.5 × raw scan',
        measured: `${(mirrorRate / rawRate).toFixed(2)} ×`,
        ok: mirrorRate / rawRate >= 0.5,
      },
    ],
  });
}
