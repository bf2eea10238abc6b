import Database from 'better-sqlite3';
import fc from 'fast-check';
import { AuditLog } from '../../src/audit/auditLog';
import { rootFromLeafHashes } from '../../src/audit/merkleTreeHash';
import { summariseRange } from '../../src/audit/rangeSummary';
import { RebuiltTree } from '../../src/audit/rebuiltTree';
import { eventLeafHash } from '../../src/audit/eventLeaf';
import { leafHash } from '../../src/audit/rfc9162';
import { verifyLedger } from '../../src/audit/verify';
import type { EventStore, RecordedEvent } from '../../src/store/eventStore';
import { SqliteEventStore } from '../../src/store/sqlite/sqliteEventStore';
import { ForwardingStore } from '../support/forwardingStore';
import { appendPlausibleEvents, buildAuditedLedger, type AuditedLedgerFiles } from '../support/auditedLedger';
import { makeTempDir } from '../support/tempDir';

function portOnly(store: SqliteEventStore): EventStore {
  // The port's core alone: verify must not need the SQLite adapter's own readers.
  return new ForwardingStore(store);
}

describe('verifyLedger', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let files: AuditedLedgerFiles;
  let store: SqliteEventStore;
  let audit: AuditLog;

  beforeEach(async () => {
    temp = makeTempDir('ledger-verify-');
    files = await buildAuditedLedger(temp.dir, { events: 120, checkpointEvery: 30 });
    store = new SqliteEventStore({ file: files.events });
    audit = new AuditLog({ store, file: files.audit, signingKey: files.key, origin: files.origin });
  });
  afterEach(async () => {
    await audit.close();
    await store.close();
    temp.cleanup();
  });

  const events = async (): Promise<RecordedEvent[]> => {
    const all: RecordedEvent[] = [];
    for await (const event of store.readAll(0)) all.push(event);
    return all;
  };
  /** A plain connection to the audit database, as an attacker (or a disk fault) would have. */
  const tamperAudit = (sql: string, ...params: unknown[]): void => {
    const db = new Database(files.audit);
    db.prepare(sql).run(...params);
    db.close();
  };

  it('given an untouched ledger, then it is ok, with the root of the events and every checkpoint checked', async () => {
    const progress: number[] = [];
    const result = await verifyLedger(store, audit, { onProgress: (done) => progress.push(done) });
    const root = rootFromLeafHashes((await events()).map(eventLeafHash));
    expect(result).toMatchObject({
      ok: true,
      treeSize: 120,
      rootHash: root.toString('base64'),
      eventsVerified: 120,
      eventsBeyondTree: 0,
      problems: [],
      positionsAffected: 0,
    });
    expect(result.firstBadPosition).toBeUndefined();
    expect(result.checkpointsVerified).toBe(audit.checkpoints().length);
    expect(result.checkpointsVerified).toBeGreaterThanOrEqual(5);
    expect(progress.at(-1)).toBe(120);
  });

  it('given a store with only the port (no raw pages), then it verifies the same', async () => {
    const viaPort = await verifyLedger(portOnly(store), audit);
    const viaPages = await verifyLedger(store, audit);
    expect(viaPort).toEqual(viaPages);
  });

  it('given events appended after the tree stopped, then verify is not ok: it says they were not verified', async () => {
    await appendPlausibleEvents(store, 9, 99);
    const result = await verifyLedger(store, audit);
    expect(result).toMatchObject({ ok: false, treeSize: 120, eventsBeyondTree: 9 });
    expect(result.firstBadPosition).toBeUndefined(); // not verified is not bad: nothing says they were tampered with
    expect(result.problems).toEqual([
      expect.objectContaining({
        kind: 'beyond-tree',
        position: 120,
        detail: expect.stringMatching(/not verified/),
      }),
    ]);
  });

  it('given a checkpoint note whose signature was altered, then it names a bad checkpoint signature', async () => {
    const checkpoint = audit.checkpoints()[2];
    const note = checkpoint?.note ?? '';
    // One base64 character of the signature itself (key id and name untouched) is changed.
    const at = note.length - 20;
    const forged = `${note.slice(0, at)}${note[at] === 'A' ? 'B' : 'A'}${note.slice(at + 1)}`;
    tamperAudit('UPDATE checkpoints SET note = ? WHERE tree_size = ?', forged, checkpoint?.treeSize);
    const result = await verifyLedger(store, audit);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'checkpoint-signature' })]);
  });

  it('given a checkpoint record whose root differs from its signed note, then it is named too', async () => {
    tamperAudit('UPDATE checkpoints SET root_hash = ? WHERE tree_size = 60', Buffer.alloc(32, 7));
    const result = await verifyLedger(store, audit);
    expect(result.problems.map((p) => p.kind)).toEqual(['checkpoint-signature']);
  });

  it('given an event and its stored leaf both rewritten, then the rebuilt root betrays it at every later checkpoint', async () => {
    const db = new Database(files.events);
    db.exec('DROP TRIGGER events_no_update');
    db.prepare("UPDATE events SET type = 'Forged' WHERE global_position = 70").run();
    db.close();
    // The attacker recomputes the forged event's leaf and writes it over the stored one (not the nodes above it).
    tamperAudit(
      'UPDATE merkle_node SET hash = ? WHERE level = 0 AND idx = 70',
      eventLeafHash((await events())[70] as RecordedEvent),
    );
    const result = await verifyLedger(store, audit);
    expect(result.ok).toBe(false);
    expect(result.problems.filter((p) => p.kind === 'checkpoint-root')).toHaveLength(
      audit.checkpoints().filter((c) => c.treeSize > 70).length,
    );
  });

  it('given the audit tree lost its newest leaves, then the checkpoint that covers them says so', async () => {
    tamperAudit('DELETE FROM merkle_node WHERE level = 0 AND idx >= 110');
    const result = await verifyLedger(store, audit);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.kind)).toContain('stored-tree');
  });
});

describe('RebuiltTree: what verify folds the events into', () => {
  it('given ranges summarised as the worker threads do, then it reaches the roots and discrepancies it reaches leaf by leaf', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 6 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 12 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 199 }), { maxLength: 5 }),
        (size, chunkLevel, wantedSizes, altered) => {
          const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
          const stored = leaves.map((leaf, i) =>
            altered.includes(i) ? leafHash(Buffer.from(`forged ${i}`)) : leaf,
          );
          const rootSizes = wantedSizes.filter((s) => s <= size);
          const byLeaf = new RebuiltTree(new Set(rootSizes));
          byLeaf.takeLeaves({ kind: 'leaves', positions: leaves.map((_, i) => i), hashes: leaves }, stored);
          const bySummary = new RebuiltTree(new Set(rootSizes));
          const chunk = 2 ** chunkLevel;
          for (let from = 0; from < size; from += chunk) {
            const to = Math.min(size, from + chunk);
            const inside = rootSizes.filter((s) => from < s && s < to);
            const summary = summariseRange(from, leaves.slice(from, to), stored.slice(from, to), inside);
            bySummary.takeSummary({ kind: 'summary', from, to, ...summary });
          }
          expect(bySummary.root()).toEqual(byLeaf.root());
          expect(bySummary.root()).toEqual(rootFromLeafHashes(leaves));
          expect(new Map([...bySummary.roots].sort())).toEqual(new Map([...byLeaf.roots].sort()));
          expect(bySummary.roots.size).toBe(rootSizes.length);
          expect(bySummary.discrepancies.kept.map((d) => d.position)).toEqual(
            byLeaf.discrepancies.kept.map((d) => d.position),
          );
          expect(bySummary.eventsTaken).toBe(size);
        },
      ),
      { numRuns: 300 },
    );
  });
});
