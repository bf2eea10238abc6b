/**
 * The read-model file: current state and checkpoint together, snapshots by generation (a rebuild's snapshots stay
 * invisible until the swap; an interrupted rebuild leaves the live view untouched), and older files reset.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { ReadModelDb } from '../../../src/views/readModelDb';
import { makeTempDir } from '../../support/tempDir';

const bigState = (n: number) => ({
  n,
  items: Object.fromEntries(
    Array.from({ length: 40_000 }, (_, i) => [`id-${i}`, { i, n, note: 'Ås og Bærum' }]),
  ),
});

describe('ReadModelDb', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let file: string;
  beforeEach(() => {
    temp = makeTempDir('ledger-read-model-');
    file = path.join(temp.dir, 'read-model.sqlite');
  });
  afterEach(() => temp.cleanup());

  test('a state written in many parts reads back whole, and a new save replaces every part', () => {
    const db = new ReadModelDb(file);
    db.saveCurrent('v', 1, 10, bigState(1));
    db.saveCurrent('v', 1, 20, { small: true });
    expect(db.loadCurrent('v')).toEqual({ version: 1, position: 20, state: { small: true } });
    db.saveCurrent('v', 1, 30, bigState(3));
    expect(db.loadCurrent('v')).toEqual({ version: 1, position: 30, state: bigState(3) });
    const parts = db.db
      .prepare('SELECT count(*) FROM view_state_parts WHERE name = ?')
      .pluck()
      .get('v') as number;
    expect(parts).toBeGreaterThan(1);
    db.close();
  });

  test("a rebuild's snapshots are invisible until the swap, and the swap drops the old generation", () => {
    const db = new ReadModelDb(file);
    db.saveCurrent('v', 1, 100, { old: true });
    db.saveSnapshot('v', 1, 50, { old: 50 });
    const generation = db.beginRebuild('v');
    db.stageSnapshot('v', generation, 1, 40, { new: 40 });
    db.stageSnapshot('v', generation, 1, 80, bigState(80));
    expect(db.nearestSnapshot('v', 1, 90)).toEqual({ version: 1, position: 50, state: { old: 50 } });
    expect(db.nearestSnapshot('v', 1, 45)).toBeUndefined();
    db.stageState('v', generation, { new: true });
    expect(db.loadCurrent('v')?.state).toEqual({ old: true });
    db.swapIn('v', 1, generation, 120);
    expect(db.loadCurrent('v')).toEqual({ version: 1, position: 120, state: { new: true } });
    expect(db.nearestSnapshot('v', 1, 90)).toEqual({ version: 1, position: 80, state: bigState(80) });
    expect(db.nearestSnapshot('v', 1, 45)).toEqual({ version: 1, position: 40, state: { new: 40 } });
    expect(db.nearestSnapshot('v', 1, 39)).toBeUndefined();
    // Live snapshots after the swap belong to the new generation.
    db.saveSnapshot('v', 1, 150, { live: 150 });
    expect(db.nearestSnapshot('v', 1, 200)?.state).toEqual({ live: 150 });
    db.close();
  });

  test('an interrupted rebuild leaves the live view as it was, and the next rebuild starts clean', () => {
    let db = new ReadModelDb(file);
    db.saveCurrent('v', 1, 100, { live: true });
    db.saveSnapshot('v', 1, 60, { live: 60 });
    const first = db.beginRebuild('v');
    db.stageSnapshot('v', first, 1, 70, { half: 70 });
    db.stageState('v', first, { half: true });
    db.close(); // the process dies here

    db = new ReadModelDb(file);
    expect(db.loadCurrent('v')).toEqual({ version: 1, position: 100, state: { live: true } });
    expect(db.nearestSnapshot('v', 1, 99)?.state).toEqual({ live: 60 });
    const second = db.beginRebuild('v');
    const leftovers = db.db
      .prepare('SELECT count(*) FROM view_snapshots WHERE name = ? AND generation = ?')
      .pluck()
      .get('v', first) as number;
    expect(leftovers).toBe(0);
    const leftoverParts = db.db
      .prepare('SELECT count(*) FROM view_state_parts WHERE name = ? AND generation = ?')
      .pluck()
      .get('v', first) as number;
    expect(leftoverParts).toBe(0);
    db.stageState('v', second, { rebuilt: true });
    db.swapIn('v', 1, second, 100);
    expect(db.loadCurrent('v')?.state).toEqual({ rebuilt: true });
    expect(db.nearestSnapshot('v', 1, 99)).toBeUndefined();
    db.close();
  });

  test('snapshots of another projection version are not used', () => {
    const db = new ReadModelDb(file);
    db.saveSnapshot('v', 1, 10, { v: 1 });
    expect(db.nearestSnapshot('v', 2, 10)).toBeUndefined();
    db.dropView('v');
    expect(db.nearestSnapshot('v', 1, 10)).toBeUndefined();
    expect(db.loadCurrent('v')).toBeUndefined();
    db.close();
  });

  test('a file in the older layout is emptied (its views are rebuilt from the log), not misread', () => {
    const old = new Database(file);
    old.exec(
      'CREATE TABLE view_state (name TEXT PRIMARY KEY, version INTEGER, position INTEGER, state BLOB); ' +
        "INSERT INTO view_state VALUES ('v', 1, 5, x'789c')",
    );
    old.close();
    const db = new ReadModelDb(file);
    expect(db.loadCurrent('v')).toBeUndefined();
    db.saveCurrent('v', 1, 6, { fresh: true });
    expect(db.loadCurrent('v')?.state).toEqual({ fresh: true });
    db.close();
  });
});
