import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CosignatureStore } from '../../../src/audit/cosignatureStore';

describe('the cosignature store', () => {
  let dir: string;
  let db: Database.Database;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cosig-'));
    db = new Database(path.join(dir, 'audit.sqlite'));
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps one line per witness and size, the newest replacing an older one, by witness name', () => {
    const store = new CosignatureStore(db);
    store.add({ treeSize: 5, witness: 'b.example', line: '— b.example AAA\n', receivedAt: 't1' });
    store.add({ treeSize: 5, witness: 'a.example', line: '— a.example BBB\n', receivedAt: 't1' });
    store.add({ treeSize: 5, witness: 'b.example', line: '— b.example CCC\n', receivedAt: 't2' });
    store.add({ treeSize: 9, witness: 'a.example', line: '— a.example DDD\n', receivedAt: 't3' });
    expect(store.of(5).map((c) => c.line)).toEqual(['— a.example BBB\n', '— b.example CCC\n']);
    expect(store.of(7)).toEqual([]);
    expect(store.between(5, 9).map((c) => [c.treeSize, c.witness])).toEqual([
      [5, 'a.example'],
      [5, 'b.example'],
      [9, 'a.example'],
    ]);
    // Survives reopening: it is the audit database, not memory.
    db.close();
    db = new Database(path.join(dir, 'audit.sqlite'));
    expect(new CosignatureStore(db).of(9)[0]?.receivedAt).toBe('t3');
  });
});
