import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import {
  encodeWitnessVerifierKey,
  parseWitnessVerifierKey,
  verifyCosignature,
} from '../../../src/audit/cosignature';
import {
  generateSigningKey,
  parseVerifierKey,
  publicKeyFromPrivate,
  verifyCheckpointNote,
} from '../../../src/audit/signedNote';
import {
  WITNESS_STATE_APPLICATION_ID,
  WitnessState,
  WitnessStateError,
  originHashOf,
} from '../../../src/witness/witnessState';
import { makeTempDir } from '../../support/tempDir';
import { LOGS, LOG_VKEY, ORIGIN, fork, log } from './witnessedLog';

const KEY = { name: 'witness.example/w1', privateKey: generateSigningKey() };
const WITNESS_VKEY = parseWitnessVerifierKey(
  encodeWitnessVerifierKey(KEY.name, publicKeyFromPrivate(KEY.privateKey)),
);
const NOW = 1_764_645_000;

const temp = makeTempDir('witness-state-');
afterAll(() => temp.cleanup());
let n = 0;
const freshFile = (): string => path.join(temp.dir, `state-${++n}.sqlite`);

function opened(file: string): WitnessState {
  return WitnessState.open(file).state;
}

/** A state file with one cosigned head at size 100, closed again. */
function stateAt100(): string {
  const file = freshFile();
  const state = opened(file);
  expect(state.addCheckpoint(log.request(0, 100), LOGS, KEY, NOW).outcome.status).toBe(200);
  state.close();
  return file;
}

/** Changes the file behind the witness's back, with SQLite itself. */
function tamper(file: string, sql: string, ...params: unknown[]): void {
  const db = new Database(file);
  db.prepare(sql).run(...params);
  db.close();
}

describe('the witness state: one SQLite file, one head per log', () => {
  test('a missing file is created, says so, and starts with no history', () => {
    const file = freshFile();
    const { state, created } = WitnessState.open(file);
    expect(created).toBe(true);
    expect(state.heads()).toEqual([]);
    state.close();
    const again = WitnessState.open(file);
    expect(again.created).toBe(false);
    again.state.close();
  });

  test('a cosigned head is stored with its cosigned checkpoint, and survives a restart', () => {
    const file = stateAt100();
    const state = opened(file);
    const head = state.head(ORIGIN);
    expect(head).toMatchObject({ origin: ORIGIN, treeSize: 100, rootHash: log.rootAt(100), updatedAt: NOW });
    // The monitoring retrieval serves the log's signature and the witness's cosignature, both valid.
    const note = state.cosignedCheckpointOf(originHashOf(ORIGIN));
    expect(note).toBe(head?.cosignedCheckpoint);
    const logKey = parseVerifierKey(LOG_VKEY);
    expect(verifyCheckpointNote(note ?? '', logKey.publicKey, logKey.keyName)?.treeSize).toBe(100);
    expect(verifyCosignature(note ?? '', WITNESS_VKEY)).toBe(NOW);
    expect(state.cosignedCheckpointOf(originHashOf('another.example/log'))).toBeNull();
    // After the restart the old size 0 is stale: 409 with the size it remembers.
    const stale = state.addCheckpoint(log.request(0, 150), LOGS, KEY, NOW + 1).outcome;
    expect(stale).toMatchObject({ status: 409, body: '100\n' });
    expect(state.addCheckpoint(log.request(100, 150), LOGS, KEY, NOW + 1).outcome.status).toBe(200);
    expect(state.head(ORIGIN)?.treeSize).toBe(150);
    state.close();
  });

  test('a refused request stores nothing: a fork is not cosigned and the head stays', () => {
    const file = stateAt100();
    const state = opened(file);
    expect(state.addCheckpoint(log.request(100, 150), LOGS, KEY, NOW + 1).outcome.status).toBe(200);
    // The fork shares the first 100 leaves only: from 150 no proof carries the cosigned root to its 200.
    const { outcome, stored } = state.addCheckpoint(fork.request(150, 200), LOGS, KEY, NOW + 5);
    expect(outcome).toMatchObject({ status: 422, evidence: true });
    expect(stored?.rootHash).toEqual(log.rootAt(150));
    const head = { treeSize: 150, rootHash: log.rootAt(150), updatedAt: NOW + 1 };
    expect(state.head(ORIGIN)).toMatchObject(head);
    state.close();
  });

  test('two connections to one file with the same old size: exactly one is cosigned (the A/B race)', () => {
    const file = stateAt100();
    const a = opened(file);
    const b = opened(file);
    const first = a.addCheckpoint(log.request(100, 200), LOGS, KEY, NOW + 1).outcome;
    const second = b.addCheckpoint(log.request(100, 150), LOGS, KEY, NOW + 1).outcome;
    expect([first.status, second.status]).toEqual([200, 409]);
    expect(second.body).toBe('200\n');
    // No rollback: the head is the larger one, as both connections read it.
    expect(a.head(ORIGIN)?.treeSize).toBe(200);
    expect(b.head(ORIGIN)?.treeSize).toBe(200);
    a.close();
    b.close();
  });

  test('a row of a log the policy no longer lists is kept, and does not stop the start', () => {
    const file = stateAt100();
    const state = opened(file);
    const none = new Map();
    expect(state.addCheckpoint(log.request(100, 200), none, KEY, NOW).outcome.status).toBe(404);
    expect(state.head(ORIGIN)?.treeSize).toBe(100);
    state.close();
  });
});

describe('a state file that is not a witness state is refused, never taken for an empty history', () => {
  const refused = (file: string, pattern: RegExp): void => {
    expect(() => WitnessState.open(file)).toThrow(WitnessStateError);
    expect(() => WitnessState.open(file)).toThrow(pattern);
  };

  test('an empty file, garbage, a truncated state', () => {
    const empty = freshFile();
    fs.writeFileSync(empty, '');
    refused(empty, /is empty, not a witness state/);

    const garbage = freshFile();
    fs.writeFileSync(garbage, 'this is not a database at all\n'.repeat(200));
    refused(garbage, /not a witness state/);

    const truncated = stateAt100();
    fs.truncateSync(truncated, 1000);
    refused(truncated, /not a witness state/);
  });

  test('another SQLite database, another version, a changed table', () => {
    const other = freshFile();
    const foreign = new Database(other);
    foreign.pragma('journal_mode = WAL');
    foreign.exec('CREATE TABLE log_heads (origin TEXT)');
    foreign.close();
    const bytes = fs.readFileSync(other);
    refused(other, /an SQLite database, but not a witness state/);
    // Refused without a byte of someone else's database changed (not even its journal mode).
    expect(fs.readFileSync(other).equals(bytes)).toBe(true);

    const version = stateAt100();
    const db = new Database(version);
    db.pragma('user_version = 2');
    db.close();
    refused(version, /version 2; this witness reads version 1/);

    const altered = stateAt100();
    tamper(altered, 'ALTER TABLE log_heads ADD COLUMN note TEXT');
    refused(altered, /table was changed/);

    const extraTable = stateAt100();
    tamper(extraTable, 'CREATE TABLE other (x)');
    refused(extraTable, /table was changed/);

    // A trigger that puts the old head back after every write would turn the fork protection off, silently.
    const trigger = stateAt100();
    tamper(
      trigger,
      'CREATE TRIGGER keep_old AFTER UPDATE ON log_heads BEGIN UPDATE log_heads SET tree_size = OLD.tree_size, root_hash = OLD.root_hash, cosigned_checkpoint = OLD.cosigned_checkpoint WHERE origin = NEW.origin; END',
    );
    refused(trigger, /other schema objects than its table \(trigger keep_old\)/);
    const view = stateAt100();
    tamper(view, 'CREATE VIEW v AS SELECT 1');
    refused(view, /view v/);
    expect(WITNESS_STATE_APPLICATION_ID).toBe(0x746c7774);
  });

  test.each([
    ['a root that is not 32 bytes', 'UPDATE log_heads SET root_hash = zeroblob(31)', /not 32 bytes/],
    ['a negative size', 'UPDATE log_heads SET tree_size = -1', /tree size that is not a size/],
    [
      'a size beyond 2^53',
      'UPDATE log_heads SET tree_size = 9007199254740993',
      /tree size that is not a size/,
    ],
    ['a size that disagrees with its note', 'UPDATE log_heads SET tree_size = 99', /another head/],
    ['a root that disagrees with its note', 'UPDATE log_heads SET root_hash = zeroblob(32)', /another head/],
    [
      'a note that is not a checkpoint',
      "UPDATE log_heads SET cosigned_checkpoint = 'x'",
      /not a checkpoint note/,
    ],
    ['no cosignature time', 'UPDATE log_heads SET updated_at = 0', /no cosignature time/],
    ['an origin with a newline', "UPDATE log_heads SET origin = 'a\nb'", /no valid origin/],
  ])('a row with %s', (_what, sql, pattern) => {
    const file = stateAt100();
    tamper(file, sql);
    refused(file, pattern);
  });

  test('a row changed while the witness runs: the next request touching it throws, nothing is cosigned', () => {
    const file = stateAt100();
    const state = opened(file);
    tamper(file, 'UPDATE log_heads SET root_hash = zeroblob(16)');
    expect(() => state.addCheckpoint(log.request(100, 200), LOGS, KEY, NOW)).toThrow(/not 32 bytes/);
    expect(() => state.cosignedCheckpointOf(originHashOf(ORIGIN))).toThrow(WitnessStateError);
    state.close();
    const db = new Database(file);
    expect(db.prepare('SELECT tree_size FROM log_heads').pluck().get()).toBe(100);
    db.close();
  });

  test.each([
    ['its row deleted', (file: string) => tamper(file, 'DELETE FROM log_heads')],
    [
      'an older copy written over it in place',
      (file: string) => {
        const older = stateAt100();
        fs.writeFileSync(file, fs.readFileSync(older));
      },
    ],
    [
      'a trigger added that undoes its writes',
      (file: string) =>
        tamper(
          file,
          'CREATE TRIGGER keep_old AFTER UPDATE ON log_heads BEGIN UPDATE log_heads SET tree_size = OLD.tree_size, root_hash = OLD.root_hash, cosigned_checkpoint = OLD.cosigned_checkpoint WHERE origin = NEW.origin; END',
        ),
    ],
    ['the file removed', (file: string) => fs.rmSync(file)],
    [
      'another file put at its path',
      (file: string) => {
        const other = stateAt100();
        fs.renameSync(other, file);
      },
    ],
  ])(
    'the state with %s while the witness runs: a fork from the older head is refused, not cosigned',
    (_what, change) => {
      const file = freshFile();
      const state = opened(file);
      expect(state.addCheckpoint(log.request(0, 100), LOGS, KEY, NOW).outcome.status).toBe(200);
      expect(state.addCheckpoint(log.request(100, 200), LOGS, KEY, NOW).outcome.status).toBe(200);
      change(file);
      // From the head at 100 (or none) a fork would be consistent; the witness has cosigned 200 and must remember it.
      const cosigned = (request: string): boolean => {
        try {
          return state.addCheckpoint(request, LOGS, KEY, NOW).outcome.status === 200;
        } catch (error) {
          expect(error).toBeInstanceOf(WitnessStateError);
          return false;
        }
      };
      expect([cosigned(fork.request(100, 150)), cosigned(fork.request(0, 150))]).toEqual([false, false]);
      // Nor does a write it cannot keep let a cosignature out (a trigger undoes it; the other files are not its own).
      expect(() => state.addCheckpoint(log.request(200, 300), LOGS, KEY, NOW)).toThrow(WitnessStateError);
      state.close();
    },
  );

  test('a row deleted behind its back is a lost history: the start is allowed, the size falls to 0', () => {
    // What the witness cannot tell from its own file; docs/witness.md says why the state is backed up.
    const file = stateAt100();
    tamper(file, 'DELETE FROM log_heads');
    const state = opened(file);
    expect(state.head(ORIGIN)).toBeNull();
    state.close();
  });
});
