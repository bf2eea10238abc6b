import path from 'node:path';
import Database from 'better-sqlite3';
import { SealKey } from '../../src/store/eventSeal';
import { STORED_COLUMNS } from '../../src/store/sqlite/schema';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { makeTempDir } from '../support/tempDir';
import { describeEventStoreContract, newEvent } from './eventStoreContract';

const temp = makeTempDir('ledger-contract-');
let n = 0;
afterAll(() => temp.cleanup());

describeEventStoreContract('sqlite', {
  supportsGenesisPosition: true,
  describesWorkerLog: true,
  open: async (options = {}) =>
    new SqliteEventStore({
      file: path.join(temp.dir, `events-${n++}.sqlite`),
      pollIntervalMs: 50,
      ...options,
    }),
});

describe('the events table refuses UPDATE and DELETE through a plain SQLite connection', () => {
  let raw: Database.Database;
  let stored: unknown;
  let columns: Array<{ name: string; type: string }>;

  beforeAll(async () => {
    const file = path.join(temp.dir, 'immutable.sqlite');
    const store = new SqliteEventStore({ file, seal: { key: SealKey.generate(), keyFile: 'unused' } });
    // Every nullable column holds a value, so that no UPDATE below is a change from NULL to NULL.
    await store.append('s-1', [newEvent('T', { v: 1 }, { causationId: 'cause-1', dataKeyId: 'key-1' })]);
    await store.append('s-1', [newEvent('T', { v: 2 })]);
    await store.close();
    raw = new Database(file);
    stored = raw.prepare('SELECT * FROM events ORDER BY global_position').all();
    columns = raw.prepare('SELECT name, type FROM pragma_table_info(?)').all('events') as typeof columns;
  });
  afterAll(() => raw.close());

  test('the table has the columns the store reads, each tried below', () => {
    expect(columns.map((c) => c.name)).toEqual(STORED_COLUMNS);
  });

  /** Runs `sql` in a transaction rolled back afterwards, so a statement that gets through changes no other test. */
  function attempt(sql: string, ...params: unknown[]): { error: unknown; rows: unknown } {
    raw.exec('BEGIN');
    try {
      let error: unknown;
      try {
        raw.prepare(sql).run(...params);
      } catch (e) {
        error = e;
      }
      return { error, rows: raw.prepare('SELECT * FROM events ORDER BY global_position').all() };
    } finally {
      raw.exec('ROLLBACK');
    }
  }

  // A trigger narrowed to some columns (BEFORE UPDATE OF data) would let the others be rewritten.
  test.each(STORED_COLUMNS)('UPDATE of %s fails and changes no row', (column) => {
    const type = columns.find((c) => c.name === column)?.type;
    // Values no row holds: position 99 is free, so not even the primary key's uniqueness stops this UPDATE.
    const value = type === 'INTEGER' ? 99 : type === 'BLOB' ? Buffer.alloc(32, 1) : 'tampered';
    const { error, rows } = attempt(`UPDATE events SET ${column} = ? WHERE global_position = 0`, value);
    expect(String(error)).toMatch(/events are immutable: UPDATE is refused/);
    expect(rows).toEqual(stored);
  });

  test('UPDATE of every column at once fails and changes no row', () => {
    const assignments = columns.map(
      (c) => `${c.name} = ${c.type === 'INTEGER' ? '99' : c.type === 'BLOB' ? "x'01'" : "'tampered'"}`,
    );
    const { error, rows } = attempt(`UPDATE events SET ${assignments.join(', ')} WHERE global_position = 1`);
    expect(String(error)).toMatch(/events are immutable: UPDATE is refused/);
    expect(rows).toEqual(stored);
  });

  test.each([
    ['one row', 'DELETE FROM events WHERE global_position = 1'],
    ['every row', 'DELETE FROM events'],
  ])('DELETE of %s fails and changes no row', (_what, sql) => {
    const { error, rows } = attempt(sql);
    expect(String(error)).toMatch(/events are immutable: DELETE is refused/);
    expect(rows).toEqual(stored);
  });
});

describe('seals an operator adds later (event_reseals) are insert-only too', () => {
  test('UPDATE and DELETE fail through a plain SQLite connection', async () => {
    const file = path.join(temp.dir, 'reseals.sqlite');
    const store = new SqliteEventStore({ file, seal: { key: SealKey.generate(), keyFile: 'unused' } });
    await store.append('s-1', [newEvent('T', { v: 1 })]);
    await store.close();
    // A new key seals the stored event beside its first seal.
    const resealing = new SqliteEventStore({ file, seal: { key: SealKey.generate(), keyFile: 'unused' } });
    expect(await resealing.seals.sealExisting(0, 0)).toBe(1);
    expect(await resealing.seals.check(0, 0)).toEqual({ checked: 1, failures: [], failureCount: 0 });
    await resealing.close();
    const raw = new Database(file);
    try {
      expect(() => raw.prepare('UPDATE event_reseals SET seal = ?').run(Buffer.alloc(32))).toThrow(
        /seals are immutable: UPDATE is refused/,
      );
      expect(() => raw.prepare('DELETE FROM event_reseals').run()).toThrow(
        /seals are immutable: DELETE is refused/,
      );
      expect(raw.prepare('SELECT count(*) AS n FROM event_reseals').get()).toEqual({ n: 1 });
    } finally {
      raw.close();
    }
  });
});
