import fs from 'node:fs';
import path from 'node:path';
import { AuditLog } from '../../src/audit/auditLog';
import { verifyConsistency } from '../../src/audit/consistencyProof';
import { verifyInclusion } from '../../src/audit/inclusionProof';
import { rootFromLeafHashes } from '../../src/audit/merkleTreeHash';
import { eventLeafHash } from '../../src/audit/eventLeaf';
import { generateSigningKey, parseVerifierKey, verifyCheckpointNote } from '../../src/audit/signedNote';
import { loadSigningKey } from '../../src/audit/signingKey';
import type { RecordedEvent } from '../../src/store/eventStore';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { appendPlausibleEvents, seededRandom } from '../support/auditedLedger';
import { makeTempDir } from '../support/tempDir';

async function allEvents(store: SqliteEventStore): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readAll(0)) events.push(event);
  return events;
}

async function caughtUp(audit: AuditLog, store: SqliteEventStore): Promise<number> {
  const size = (await store.headPosition()) + 1;
  expect(await audit.waitForSize(size, 10_000)).toBe(true);
  return size;
}

describe('AuditLog, the follower that keeps the Merkle tree and signs checkpoints', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let store: SqliteEventStore;
  const key = generateSigningKey();
  const open = (options: Partial<ConstructorParameters<typeof AuditLog>[0]> = {}): AuditLog =>
    new AuditLog({
      store,
      file: path.join(temp.dir, 'audit.sqlite'),
      signingKey: key,
      origin: 'test.example/ledger',
      checkpointEveryEvents: 25,
      maxBatch: 7,
      ...options,
    });

  beforeEach(() => {
    temp = makeTempDir('ledger-auditlog-');
    store = new SqliteEventStore({ file: path.join(temp.dir, 'events.sqlite'), synchronous: 'NORMAL' });
  });
  afterEach(async () => {
    await store.close();
    temp.cleanup();
  });

  it('given concurrent appends while it follows, then the tree is exactly the RFC 9162 tree of every event, leaf i = position i', async () => {
    const audit = open();
    await audit.start();
    await Promise.all(Array.from({ length: 8 }, (_, caller) => appendPlausibleEvents(store, 30, caller + 1)));
    const size = await caughtUp(audit, store);
    const leaves = (await allEvents(store)).map(eventLeafHash);
    expect(size).toBe(240);
    expect(audit.treeSize()).toBe(240);
    expect(audit.merkle.leafHashes(0, size)).toEqual(leaves);
    expect(audit.merkle.rootAt(size).equals(rootFromLeafHashes(leaves))).toBe(true);
    await audit.close();
  });

  it('given events already stored when it starts, then start() resolves once it has caught up, with a first checkpoint', async () => {
    await appendPlausibleEvents(store, 60);
    const audit = open({ checkpointEveryEvents: 1000 });
    await audit.start();
    expect(audit.treeSize()).toBe(60);
    expect(audit.latestCheckpoint()?.treeSize).toBe(60);
    await audit.close();
  });

  it('given a fresh, empty ledger, then it signs a checkpoint of the empty tree, so there always is one', async () => {
    const audit = open();
    await audit.start();
    const checkpoint = audit.latestCheckpoint();
    expect(checkpoint?.treeSize).toBe(0);
    expect(verifyCheckpointNote(checkpoint?.note ?? '', audit.publicKey, audit.origin)?.rootHash).toEqual(
      rootFromLeafHashes([]),
    );
    await audit.close();
  });

  it('given growth, then a checkpoint is signed every N events, each a valid C2SP note over the root of its size', async () => {
    const audit = open({ checkpointEveryEvents: 25 });
    await audit.start();
    await appendPlausibleEvents(store, 130);
    await caughtUp(audit, store);
    const leaves = (await allEvents(store)).map(eventLeafHash);
    const checkpoints = audit.checkpoints();
    const sizes = checkpoints.map((c) => c.treeSize);
    expect(sizes[0]).toBe(0);
    expect(sizes.at(-1)).toBeGreaterThanOrEqual(125);
    sizes.slice(1).forEach((size, i) => expect(size - (sizes[i] as number)).toBeGreaterThanOrEqual(25));
    const { keyName, publicKey } = parseVerifierKey(audit.verifierKey);
    expect(keyName).toBe('test.example/ledger');
    for (const checkpoint of checkpoints) {
      const note = verifyCheckpointNote(checkpoint.note, publicKey, keyName);
      expect(note).toEqual({
        origin: 'test.example/ledger',
        treeSize: checkpoint.treeSize,
        rootHash: rootFromLeafHashes(leaves.slice(0, checkpoint.treeSize)),
      });
      expect(checkpoint.rootHash.equals(note?.rootHash ?? Buffer.alloc(0))).toBe(true);
    }
    await audit.close();
  });

  it('given a checkpoint, then inclusion proofs of its events and consistency proofs between checkpoints verify against the signed roots', async () => {
    const audit = open({ checkpointEveryEvents: 40 });
    await audit.start();
    await appendPlausibleEvents(store, 150);
    await caughtUp(audit, store);
    const events = await allEvents(store);
    const checkpoints = audit.checkpoints().filter((c) => c.treeSize > 0);
    const random = seededRandom(7);
    for (const checkpoint of checkpoints) {
      for (let k = 0; k < 10; k++) {
        const position = Math.floor(random() * checkpoint.treeSize);
        const proof = audit.inclusion(position, checkpoint.treeSize);
        expect(proof.leafHash.equals(eventLeafHash(events[position] as RecordedEvent))).toBe(true);
        expect(
          verifyInclusion(position, checkpoint.treeSize, proof.leafHash, proof.path, checkpoint.rootHash),
        ).toBe(true);
      }
    }
    for (let i = 1; i < checkpoints.length; i++) {
      const older = checkpoints[i - 1] as (typeof checkpoints)[number];
      const newer = checkpoints[i] as (typeof checkpoints)[number];
      const proof = audit.consistency(older.treeSize, newer.treeSize);
      expect(
        verifyConsistency(older.treeSize, newer.treeSize, proof.path, older.rootHash, newer.rootHash),
      ).toBe(true);
    }
    expect(() => audit.inclusion(events.length, events.length)).toThrow(RangeError);
    expect(() => audit.consistency(10, events.length + 1)).toThrow(RangeError);
    await audit.close();
  });

  it('given it is stopped and restarted, then it continues where it left, keeps its checkpoints and its origin', async () => {
    const first = open({ origin: undefined });
    await first.start();
    await appendPlausibleEvents(store, 50, 3);
    await first.close(); // a clean stop: the tree takes in every event and a last checkpoint covers them
    const origin = first.origin;
    expect(origin).toMatch(/^participation-ledger\//);

    await appendPlausibleEvents(store, 35, 4); // appended while no follower runs
    const second = open({ origin: undefined });
    expect(second.origin).toBe(origin);
    expect(second.treeSize()).toBe(50);
    expect(second.latestCheckpoint()?.treeSize).toBe(50);
    await second.start();
    await caughtUp(second, store);
    const leaves = (await allEvents(store)).map(eventLeafHash);
    expect(second.treeSize()).toBe(85);
    expect(second.merkle.rootAt(85).equals(rootFromLeafHashes(leaves))).toBe(true);
    expect(second.checkpoints()[0]?.treeSize).toBe(0);
    await second.close();
  });

  it('given two followers on one tree (a CLI beside the server), then neither corrupts it: leaves are the same whoever writes them', async () => {
    const a = open();
    const b = open();
    await Promise.all([a.start(), b.start()]);
    await Promise.all([appendPlausibleEvents(store, 70, 5), appendPlausibleEvents(store, 70, 6)]);
    await Promise.all([caughtUp(a, store), caughtUp(b, store)]);
    const leaves = (await allEvents(store)).map(eventLeafHash);
    expect(a.merkle.leafHashes(0, 140)).toEqual(leaves);
    expect(b.merkle.rootAt(140).equals(rootFromLeafHashes(leaves))).toBe(true);
    await Promise.all([a.close(), b.close()]);
  });

  it('given a tree that stays short of a size, then waitForSize answers false instead of waiting for ever', async () => {
    const audit = open();
    await audit.start();
    expect(await audit.waitForSize(1, 50)).toBe(false);
    await audit.close();
    expect(await audit.waitForSize(1, 50)).toBe(false);
  });

  it('given the time interval passes with growth, then a checkpoint is signed though fewer than N events came', async () => {
    const audit = open({ checkpointEveryEvents: 1000, checkpointEverySeconds: 1 });
    await audit.start();
    await appendPlausibleEvents(store, 5);
    await caughtUp(audit, store);
    let latest = audit.latestCheckpoint()?.treeSize;
    for (let waited = 0; latest !== 5 && waited < 50; waited++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      latest = audit.latestCheckpoint()?.treeSize;
    }
    expect(latest).toBe(5);
    await audit.close();
  });

  it('given an origin that cannot be a key name, then it is refused before anything is stored', () => {
    expect(() => open({ origin: 'has space' })).toThrow(TypeError);
    expect(() => open({ origin: 'has+plus' })).toThrow(TypeError);
  });
});

describe('checkpoint signing key file', () => {
  it('given no file, then one is created with mode 0600 and read back as the same key afterwards', () => {
    const temp = makeTempDir('ledger-key-');
    try {
      const file = path.join(temp.dir, 'checkpoint-signing-key.pem');
      const created = loadSigningKey(file, true);
      expect(created.created).toBe(true);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const again = loadSigningKey(file, true);
      expect(again).toMatchObject({ created: false, looseMode: false });
      expect(again.key.export({ format: 'der', type: 'pkcs8' })).toEqual(
        created.key.export({ format: 'der', type: 'pkcs8' }),
      );
      fs.chmodSync(file, 0o644);
      expect(loadSigningKey(file, false).looseMode).toBe(true);
      expect(() => loadSigningKey(path.join(temp.dir, 'none.pem'), false)).toThrow(
        /no checkpoint signing key/,
      );
    } finally {
      temp.cleanup();
    }
  });
});
