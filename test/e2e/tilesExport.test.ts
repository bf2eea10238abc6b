/**
 * `ledger tiles export DIR`, through the built bin, against a folder someone changes behind its back: symbolic links
 * inside DIR are refused and nothing is written through them, a changed or deleted tile is put right by the next
 * export (and a replaced one named), a stray temporary file does not stop it, hash tiles only without --entries,
 * and bad usage is exit 2.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runLedger } from '../support/ledgerBin';
import { checkpointWithTiles } from '../support/servedRoutes';
import { openLedgerApp, type LedgerApp } from '../support/ledgerApp';
import { makeTempDir } from '../support/tempDir';

describe('ledger tiles export, given a folder changed behind its back', () => {
  let t: LedgerApp;
  const temp = makeTempDir('ledger-tiles-export-');
  let treeSize = 0;
  const tiles = (dir: string, ...more: string[]) =>
    runLedger(['tiles', 'export', dir, ...more], { LEDGER_DATA_DIR: t.dataDir });
  const listing = (dir: string): string[] =>
    fs
      .readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((p) => fs.lstatSync(path.join(dir, p)).isFile())
      .sort();

  beforeAll(async () => {
    t = await openLedgerApp();
    treeSize = await checkpointWithTiles(t);
  }, 120_000);
  afterAll(async () => {
    await t.close();
    temp.cleanup();
  });

  it('given a fresh folder, then the checkpoint and the hash tiles only, and no entry bundle', () => {
    const dir = path.join(temp.dir, 'public');
    const run = tiles(dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`tree size ${treeSize}`);
    expect(listing(dir)).toEqual(['checkpoint', 'tile/0/000', 'tile/0/001.p/1', 'tile/1/000.p/1']);
    expect(fs.readFileSync(path.join(dir, 'checkpoint'), 'utf8')).toBe(
      t.ledger.audit.latestCheckpoint()!.note,
    );
  });

  it('given --entries, then the entry bundles too', () => {
    const dir = path.join(temp.dir, 'private');
    expect(tiles(dir, '--entries').status).toBe(0);
    expect(listing(dir)).toEqual([
      'checkpoint',
      'tile/0/000',
      'tile/0/001.p/1',
      'tile/1/000.p/1',
      'tile/entries/000',
      'tile/entries/001.p/1',
    ]);
    // "--entries DIR" is the flag and the folder, as "DIR --entries" is.
    expect(
      runLedger(['tiles', 'export', '--entries', path.join(temp.dir, 'private2')], {
        LEDGER_DATA_DIR: t.dataDir,
      }).status,
    ).toBe(0);
    expect(listing(path.join(temp.dir, 'private2'))).toEqual(listing(dir));
  });

  it('given a changed byte in a tile and a deleted one, then the next export puts both right and names the changed', () => {
    const dir = path.join(temp.dir, 'tampered');
    expect(tiles(dir).status).toBe(0);
    const tile = path.join(dir, 'tile/0/000');
    const original = fs.readFileSync(tile);
    const changed = Buffer.from(original);
    changed[100]! ^= 0x01;
    fs.writeFileSync(tile, changed);
    fs.rmSync(path.join(dir, 'tile/1/000.p/1'));
    fs.writeFileSync(path.join(dir, 'tile/0/000.abc.tmp'), 'left by a crash');
    const run = tiles(dir);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('tile/0/000 held other bytes and was replaced');
    expect(run.stdout).toContain('2 files written, 2 unchanged');
    expect(fs.readFileSync(tile).equals(original)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'tile/1/000.p/1'))).toBe(true);
  });

  it.each([
    ['the tile folder', 'tile'],
    ['a level folder', 'tile/0'],
    ['a tile', 'tile/0/000'],
    ['the checkpoint', 'checkpoint'],
  ])(
    'given %s as a symbolic link to elsewhere, then it refuses (exit 2) and writes nothing there',
    (_what, link) => {
      const dir = path.join(temp.dir, `linked-${link.replace(/\//g, '-')}`);
      const elsewhere = path.join(temp.dir, `elsewhere-${link.replace(/\//g, '-')}`);
      fs.mkdirSync(elsewhere);
      fs.mkdirSync(path.dirname(path.join(dir, link)), { recursive: true });
      const target = link === 'tile' || link === 'tile/0' ? elsewhere : path.join(elsewhere, 'victim');
      if (target !== elsewhere) fs.writeFileSync(target, 'precious');
      fs.symlinkSync(target, path.join(dir, link));
      const run = tiles(dir);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/symbolic link/);
      expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      if (target === elsewhere) expect(fs.readdirSync(elsewhere)).toEqual([]);
      else expect(fs.readFileSync(target, 'utf8')).toBe('precious');
    },
  );

  it('given a file where DIR should be, a missing parent, or bad usage, then exit 2 with one line', () => {
    const file = path.join(temp.dir, 'a-file');
    fs.writeFileSync(file, 'x');
    for (const args of [
      ['tiles', 'export', file],
      ['tiles', 'export', path.join(temp.dir, 'no/such/parent')],
      ['tiles', 'export'],
      ['tiles', 'import', temp.dir],
      ['tiles', 'export', temp.dir, '--nonsense'],
    ]) {
      const run = runLedger(args, { LEDGER_DATA_DIR: t.dataDir });
      expect({ args, status: run.status, lines: run.stderr.split('\n').filter(Boolean).length }).toEqual({
        args,
        status: 2,
        lines: 1,
      });
    }
  });

  it('is listed in ledger --help', () => {
    expect(runLedger(['--help']).stdout).toMatch(/^ {2}tiles {2,}export the log as static C2SP tiles/m);
  });
});
