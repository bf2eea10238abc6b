/**
 * What a replica shares with the writer, opened its way: the events file read-only (appends refused, the writer's
 * appends seen, a row changed behind its back refused by the seal check as on the writer) and the personal-data key
 * store read-only (an erasure on the writer shreds for the replica at once, cached key or not).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pino from 'pino';
import { AuditLog } from '../../../src/audit/auditLog';
import { encodeVerifierKey, publicKeyFromPrivate, signCheckpoint } from '../../../src/audit/signedNote';
import { PersonalDataVault } from '../../../src/privacy/personalDataVault';
import { Pseudonyms } from '../../../src/privacy/pseudonyms';
import { SealKey } from '../../../src/store/eventSeal';
import { StoreReadOnlyError, type RecordedEvent } from '../../../src/store/eventStore';
import { SqliteEventStore } from '../../../src/store/sqlite/sqliteEventStore';
import { appendPlausibleEvents, buildAuditedLedger } from '../../support/auditedLedger';
import { makeTempDir } from '../../support/tempDir';
import { newEvent } from '../../contract/eventStoreContract';

const silent = pino({ level: 'silent' });
let tmp: ReturnType<typeof makeTempDir>;

beforeEach(() => {
  tmp = makeTempDir('ledger-replica-files-');
});
afterEach(() => tmp.cleanup());

describe("the writer's events file, read-only", () => {
  test('a replica appends nothing, and sees what the writer appends', async () => {
    const file = path.join(tmp.dir, 'events.sqlite');
    const writer = new SqliteEventStore({ file });
    await writer.append('arena-1', [newEvent('ArenaRegistered')]);
    const replica = new SqliteEventStore({ file, readOnly: true, pollIntervalMs: 20 });
    await expect(replica.append('arena-2', [newEvent('ArenaRegistered')])).rejects.toBeInstanceOf(
      StoreReadOnlyError,
    );
    expect(await replica.headPosition()).toBe(0);

    const seen: RecordedEvent[] = [];
    const subscription = replica.subscribe(0, (m) => {
      if (m.kind === 'event') seen.push(m.event);
    });
    await writer.append('arena-3', [newEvent('ArenaRegistered', { n: 3 })]);
    for (let i = 0; i < 100 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen.map((e) => [e.globalPosition, e.streamId])).toEqual([
      [0, 'arena-1'],
      [1, 'arena-3'],
    ]);
    await subscription.close();
    await replica.close();
    await writer.close();
    // The refused append is nowhere in the file.
    const check = new Database(file, { readonly: true });
    expect(check.prepare("SELECT count(*) AS n FROM events WHERE stream_id = 'arena-2'").get()).toEqual({
      n: 0,
    });
    check.close();
  });

  test('a replica never creates the file it is pointed at', () => {
    const file = path.join(tmp.dir, 'nowhere.sqlite');
    expect(() => new SqliteEventStore({ file, readOnly: true })).toThrow();
    expect(fs.existsSync(file)).toBe(false);
  });

  test("a row altered behind the replica's back: its seal check refuses it, at that position, as the writer's does", async () => {
    const files = await buildAuditedLedger(tmp.dir, { events: 30, checkpointEvery: 10 });
    const attacker = new Database(files.events);
    attacker.exec('DROP TRIGGER events_no_update');
    attacker
      .prepare("UPDATE events SET data = json_set(data, '$.area', 'Hacked') WHERE global_position = 17")
      .run();
    attacker.close();

    const keyFile = path.join(tmp.dir, 'event-seal-key');
    const store = new SqliteEventStore({
      file: files.events,
      seal: { key: files.sealKey, keyFile },
      readOnly: true,
    });
    const verifierKey = encodeVerifierKey(files.origin, publicKeyFromPrivate(files.key));
    const audit = new AuditLog({
      store,
      file: path.join(tmp.dir, 'replica-audit.sqlite'),
      verifierKey,
      requireSeals: true,
      logger: silent,
    });
    await audit.start();
    const integrity = audit.integrity();
    expect(integrity).toMatchObject({
      state: 'refusing',
      problems: [{ cause: 'event-seal-mismatch', position: 17 }],
    });
    // Nothing from the writer is taken in over a trail that does not hold, however well signed.
    const note = signCheckpoint(
      { origin: files.origin, treeSize: 0, rootHash: audit.merkle.rootAt(0) },
      files.key,
      files.origin,
    );
    expect(audit.adoptCheckpoint(note)).toMatchObject({ kind: 'refused', cause: 'trail-refusing' });
    await audit.close();
    await store.close();
  });

  test('a row inserted after the replica started: the follower refuses it', async () => {
    const files = await buildAuditedLedger(tmp.dir, { events: 20, checkpointEvery: 10 });
    const keyFile = path.join(tmp.dir, 'event-seal-key');
    const store = new SqliteEventStore({
      file: files.events,
      seal: { key: files.sealKey, keyFile },
      readOnly: true,
      pollIntervalMs: 20,
    });
    const audit = new AuditLog({
      store,
      file: path.join(tmp.dir, 'replica-audit.sqlite'),
      verifierKey: encodeVerifierKey(files.origin, publicKeyFromPrivate(files.key)),
      requireSeals: true,
      logger: silent,
    });
    await audit.start();
    expect(audit.integrity().state).toBe('ok');
    // Appended by someone without the seal key: a store of its own on the file, sealing under another key.
    const intruder = new SqliteEventStore({
      file: files.events,
      seal: { key: SealKey.generate(), keyFile: path.join(tmp.dir, 'intruder-key') },
    });
    await appendPlausibleEvents(intruder, 1, 99);
    await intruder.close();
    for (let i = 0; i < 100 && audit.integrity().state === 'ok'; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(audit.integrity()).toMatchObject({
      state: 'refusing',
      // Sealed under a key that is not the writer's, it carries no seal the replica can check.
      problems: [{ cause: 'event-unsealed', position: 20 }],
    });
    expect(audit.treeSize()).toBe(20);
    await audit.close();
    await store.close();
  });
});

describe("the writer's personal-data key store, read-only", () => {
  test('an erasure on the writer hides the name on the replica at once, though the replica had the key cached', () => {
    const file = path.join(tmp.dir, 'personal-data-keys.sqlite');
    const writer = new PersonalDataVault(file);
    const { sealed, keyId } = writer.seal('person-a', { name: 'Kari Nordmann', email: 'kari@example.no' });
    const other = writer.seal('person-b', { name: 'Ola Nordmann' });
    const replica = new PersonalDataVault(file, { readOnly: true });
    expect(replica.open('person-a', keyId, sealed)?.name).toBe('Kari Nordmann'); // now cached
    expect(replica.open('person-a', keyId, sealed)?.name).toBe('Kari Nordmann');

    writer.erase(keyId);
    expect(replica.open('person-a', keyId, sealed)).toBeNull();
    expect(replica.isErased(keyId)).toBe(true);
    // The others are untouched.
    expect(replica.open('person-b', other.keyId, other.sealed)?.name).toBe('Ola Nordmann');
    replica.close();
    writer.close();
  });

  test('a key the writer creates after the replica looked is found (a miss is not kept)', () => {
    const file = path.join(tmp.dir, 'personal-data-keys.sqlite');
    const writer = new PersonalDataVault(file);
    const replica = new PersonalDataVault(file, { readOnly: true });
    const keyId = PersonalDataVault.keyIdFor('person-c');
    const box = {
      alg: 'A256GCM' as const,
      iv: 'AAAAAAAAAAAAAAAA',
      ciphertext: 'AA==',
      tag: 'AAAAAAAAAAAAAAAAAAAAAA==',
    };
    expect(replica.open('person-c', keyId, box)).toBeNull();
    const { sealed } = writer.seal('person-c', { name: 'Per Hansen' });
    expect(replica.open('person-c', keyId, sealed)?.name).toBe('Per Hansen');
    replica.close();
    writer.close();
  });

  test('a read-only vault creates no key and erases none, and never creates its file', () => {
    const file = path.join(tmp.dir, 'personal-data-keys.sqlite');
    expect(() => new PersonalDataVault(path.join(tmp.dir, 'missing.sqlite'), { readOnly: true })).toThrow();
    expect(fs.existsSync(path.join(tmp.dir, 'missing.sqlite'))).toBe(false);
    const writer = new PersonalDataVault(file);
    const { keyId } = writer.seal('person-d', { name: 'Lise Berg' });
    const replica = new PersonalDataVault(file, { readOnly: true });
    expect(() => replica.seal('person-e', { name: 'Nobody' })).toThrow(/read-only/);
    expect(() => replica.erase(keyId)).toThrow(/read-only/);
    expect(replica.isErased(keyId)).toBe(false);
    replica.close();
    writer.close();
  });
});

describe('the pseudonym secret, shared', () => {
  test('one file gives the same pseudonyms everywhere; a replica never makes its own', () => {
    const file = path.join(tmp.dir, 'pseudonym-secret');
    const writer = Pseudonyms.openFile(file);
    const replica = Pseudonyms.openFile(file, { mustExist: true });
    expect(replica.of('person-a')).toBe(writer.of('person-a'));
    expect(() => Pseudonyms.openFile(path.join(tmp.dir, 'other-secret'), { mustExist: true })).toThrow();
    expect(fs.existsSync(path.join(tmp.dir, 'other-secret'))).toBe(false);
  });
});
