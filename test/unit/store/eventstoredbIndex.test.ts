/**
 * The EventStoreDB adapter's parts that stand without a server: the local index that numbers `$all` densely, the
 * revision and position mapping, and the envelope in the metadata.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { WrongExpectedVersionError } from '@eventstore/db-client';
import { SealKey } from '../../../src/store/eventSeal';
import { WrongExpectedRevisionError } from '../../../src/store/eventStore';
import {
  fingerprintOf,
  metadataOf,
  readEnvelope,
  sealedFieldsOfNew,
  sealedFieldsOfRead,
  type EsdbEvent,
} from '../../../src/store/eventstoredb/envelope';
import { EventIndex, type FollowedEvent } from '../../../src/store/eventstoredb/eventIndex';
import {
  exactClientRevision,
  isAfter,
  positionFromText,
  positionText,
  toClientRevision,
  toPortConflict,
} from '../../../src/store/eventstoredb/revisions';
import { makeTempDir } from '../../support/tempDir';
import { newEvent } from '../../contract/eventStoreContract';

const temp = makeTempDir('ledger-esdb-index-');
afterAll(() => temp.cleanup());
let files = 0;
const freshFile = (): string => path.join(temp.dir, `index-${files++}.sqlite`);

const openIndex = (file = ':memory:'): EventIndex =>
  new EventIndex(file, (e) => fingerprintOf(e.streamId, e, e.dataJson));

let uuidCounter = 0;
function uuid(): string {
  return `00000000-0000-4000-8000-${(uuidCounter++).toString(16).padStart(12, '0')}`;
}

/** An ESDB event as the client reads it; `ledger` adds the ledger's metadata. */
function esdbEvent(
  streamId: string,
  revision: number,
  type: string,
  position: bigint,
  extra: Partial<EsdbEvent> = {},
): FollowedEvent {
  const e: EsdbEvent = {
    id: uuid(),
    streamId,
    revision: BigInt(revision),
    type,
    isJson: true,
    data: { n: revision },
    metadata: undefined,
    created: new Date('2026-01-01T00:00:00.000Z'),
    position: { commit: position, prepare: position },
    ...extra,
  };
  return { position: e.position as { commit: bigint; prepare: bigint }, envelope: readEnvelope(e) };
}

describe('the local index numbers $all densely', () => {
  test('system events ($ types or $ streams) get no position; the ledger’s events are 0, 1, 2 over byte offsets', () => {
    const index = openIndex();
    const outcomes = index.ingest([
      esdbEvent('$settings', 0, '$settings', 100n),
      esdbEvent('proposal-1', 0, 'ProposalSubmitted', 377n),
      esdbEvent('$$proposal-1', 0, '$metadata', 1_024n),
      esdbEvent('proposal-1', 1, '$>', 2_000n),
      esdbEvent('$ce-proposal', 0, 'ProposalSubmitted', 2_500n),
      esdbEvent('person-1', 0, 'PersonRegistered', 9_000_000_000n),
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual([
      'system',
      'indexed',
      'system',
      'system',
      'system',
      'indexed',
    ]);
    expect(index.head()).toBe(1);
    expect(index.rows(0, 10, 10).map((r) => [r.globalPosition, r.streamId, r.position.commit])).toEqual([
      [0, 'proposal-1', 377n],
      [1, 'person-1', 9_000_000_000n],
    ]);
    expect(index.followed()).toEqual({ commit: 9_000_000_000n, prepare: 9_000_000_000n });
    index.close();
  });

  test('events at or behind the followed position are passed over (two readers of $all may overlap)', () => {
    const index = openIndex();
    const a = esdbEvent('s', 0, 'T', 10n);
    const b = esdbEvent('s', 1, 'T', 20n);
    index.ingest([a, b]);
    expect(index.ingest([a, b, esdbEvent('s', 2, 'T', 30n)]).map((o) => o.kind)).toEqual([
      'alreadyFollowed',
      'alreadyFollowed',
      'indexed',
    ]);
    expect(index.head()).toBe(2);
    index.close();
  });

  test('a second copy of an id already numbered (ESDB’s dedup is best-effort) takes no position and is kept', () => {
    const index = openIndex();
    const first = esdbEvent('s', 0, 'T', 10n);
    const copy = esdbEvent('s', 1, 'T', 20n, { id: first.envelope.eventId });
    const outcomes = index.ingest([first, copy, esdbEvent('s', 2, 'T', 30n)]);
    expect(outcomes.map((o) => o.kind)).toEqual(['indexed', 'duplicateCopy', 'indexed']);
    expect(index.byEventId(first.envelope.eventId)?.globalPosition).toBe(0);
    expect(index.head()).toBe(1);
    expect(index.duplicateCopies()).toBe(1);
    index.close();
  });

  test('recordedAt never decreases along the order; a claim that is not an ISO instant does not move it', () => {
    const index = openIndex();
    const at = (iso: string, n: bigint): FollowedEvent =>
      esdbEvent('s', Number(n), 'T', n, { created: new Date(iso) });
    index.ingest([
      at('2026-01-02T00:00:00.000Z', 1n),
      at('2026-01-01T00:00:00.000Z', 2n),
      at('2026-01-03T00:00:00.000Z', 3n),
    ]);
    const ledgerLike = esdbEvent('s', 4, 'T', 4n, {
      metadata: { ledger: { ...validLedgerMetadata(), recordedAt: 'yesterday' } },
    });
    index.ingest([ledgerLike]);
    expect(index.rows(0, 10, 10).map((r) => r.recordedAt)).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
    ]);
    index.close();
  });

  test('its file keeps positions and the followed position across reopening', () => {
    const file = freshFile();
    const index = openIndex(file);
    expect(index.existed).toBe(false);
    index.ingest([esdbEvent('s', 0, 'T', 50n), esdbEvent('$x', 0, '$y', 70n)]);
    index.close();
    const again = openIndex(file);
    expect(again.existed).toBe(true);
    expect(again.structuralProblem()).toBeUndefined();
    expect(again.head()).toBe(0);
    expect(again.followed()).toEqual({ commit: 70n, prepare: 70n });
    again.close();
  });

  test('a file changed behind its back is named: a row removed, another format, rows without a followed position', () => {
    const file = freshFile();
    const index = openIndex(file);
    index.ingest([esdbEvent('s', 0, 'T', 1n), esdbEvent('s', 1, 'T', 2n), esdbEvent('s', 2, 'T', 3n)]);
    index.close();
    const raw = new Database(file);
    raw.prepare('DELETE FROM indexed_events WHERE global_position = 1').run();
    raw.close();
    const holed = openIndex(file);
    expect(holed.structuralProblem()).toMatch(/not dense from 0/);
    holed.close();
    const raw2 = new Database(file);
    raw2.prepare("UPDATE index_meta SET value = 'something else' WHERE key = 'format'").run();
    raw2.close();
    const other = openIndex(file);
    expect(other.structuralProblem()).toMatch(/format/);
    other.close();
    const file3 = freshFile();
    openIndex(file3).close();
    const raw3 = new Database(file3);
    raw3
      .prepare(
        "INSERT INTO indexed_events VALUES (0, 'x', 's', 0, 'T', '00000000000000000001', '00000000000000000001', 'f', '2026-01-01T00:00:00.000Z')",
      )
      .run();
    raw3.close();
    const planted = openIndex(file3);
    expect(planted.structuralProblem()).toMatch(/no followed/);
    planted.close();
    expect(fs.existsSync(file3)).toBe(true);
  });

  test('property: however $all is cut into reads, the positions follow the reference rule', () => {
    type Item = { system: boolean; copyOf: number | null; gap: number };
    const itemArb: fc.Arbitrary<Item> = fc.record({
      system: fc.boolean(),
      copyOf: fc.option(fc.nat({ max: 30 }), { freq: 4 }),
      gap: fc.integer({ min: 1, max: 5_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(itemArb, { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 7 })),
        (items, cuts) => {
          let position = 0n;
          const ids: string[] = [];
          const events = items.map((item, i) => {
            position += BigInt(item.gap);
            const copied = item.copyOf !== null ? ids[item.copyOf % Math.max(1, ids.length)] : undefined;
            const e = esdbEvent(item.system ? '$sys' : 's', i, item.system ? '$x' : 'T', position, {
              ...(copied ? { id: copied } : {}),
            });
            ids.push(e.envelope.eventId);
            return e;
          });
          // The reference: number each non-system event whose id was not numbered before.
          const numbered = new Map<string, number>();
          for (const e of events) {
            if (e.envelope.streamId.startsWith('$') || numbered.has(e.envelope.eventId)) continue;
            numbered.set(e.envelope.eventId, numbered.size);
          }
          const index = openIndex();
          let at = 0;
          let c = 0;
          while (at < events.length) {
            const size = cuts.length > 0 ? (cuts[c++ % cuts.length] as number) : events.length;
            // Each read starts at the followed position, inclusive, as $all reads do: one event again.
            index.ingest(events.slice(Math.max(0, at - 1), at + size));
            at += size;
          }
          expect(index.head()).toBe(numbered.size - 1);
          for (const [id, p] of numbered) expect(index.byEventId(id)?.globalPosition).toBe(p);
          index.close();
        },
      ),
      { numRuns: 100 },
    );
  });
});

function validLedgerMetadata() {
  return {
    v: 1,
    schemaVersion: 1,
    occurredAt: '2021-03-04',
    actor: { principal: 'clerk-1', role: 'clerk' },
    correlationId: 'c',
    causationId: null,
    recordedAt: '2026-01-01T00:00:00.000Z',
    globalPosition: 0,
  };
}

describe('revisions and positions in the client’s terms', () => {
  test('expected revisions map to the client’s constants or a bigint; nonsense is refused', () => {
    expect(toClientRevision('any')).toBe('any');
    expect(toClientRevision('no_stream')).toBe('no_stream');
    expect(toClientRevision('stream_exists')).toBe('stream_exists');
    expect(toClientRevision(7)).toBe(7n);
    expect(toClientRevision(-1)).toBe('no_stream');
    expect(() => toClientRevision(-2)).toThrow(RangeError);
    expect(() => toClientRevision(1.5)).toThrow(RangeError);
    expect(exactClientRevision(-1)).toBe('no_stream');
    expect(exactClientRevision(0)).toBe(0n);
  });

  test('WrongExpectedVersionError becomes the port’s conflict with the actual revision', () => {
    const atFour = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 2n, current: 4n });
    const conflict = toPortConflict(atFour, 's', 2);
    expect(conflict).toBeInstanceOf(WrongExpectedRevisionError);
    expect(conflict).toMatchObject({ streamId: 's', expected: 2, actual: 4 });
    const none = new WrongExpectedVersionError(undefined, {
      streamName: 's',
      expected: 'stream_exists',
      current: 'no_stream',
    });
    expect(toPortConflict(none, 's', 'stream_exists')).toMatchObject({ actual: -1 });
    expect(toPortConflict(new Error('other'), 's', 'any')).toBeUndefined();
  });

  test('property: position texts sort as the unsigned 64-bit numbers and read back exactly', () => {
    const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
    fc.assert(
      fc.property(u64, u64, (a, b) => {
        expect(positionFromText(positionText(a))).toBe(a);
        expect(positionText(a) < positionText(b)).toBe(a < b);
        expect(isAfter({ commit: a, prepare: 0n }, { commit: b, prepare: 0n })).toBe(a > b);
      }),
    );
    expect(() => positionText(-1n)).toThrow(RangeError);
    expect(() => positionText(1n << 64n)).toThrow(RangeError);
    expect(() => positionFromText('12')).toThrow(RangeError);
  });
});

describe('the envelope in the metadata', () => {
  const key = SealKey.generate();

  test('what the writer seals is what a reader of the stored event checks', () => {
    const e = newEvent(
      'ProposalSubmitted',
      { title: 'Blåbær 🌲', n: [1, 2] },
      { dataKeyId: 'k-1', causationId: 'x' },
    );
    const placement = { globalPosition: 41, streamRevision: 3, recordedAt: '2026-12-02T07:00:00.000Z' };
    const dataJson = JSON.stringify(e.data);
    const seal = key.seal(sealedFieldsOfNew('proposal-1', e, dataJson, placement));
    // What the server gives back: the JSON parsed again, the metadata too.
    const stored: EsdbEvent = {
      id: e.eventId,
      streamId: 'proposal-1',
      revision: 3n,
      type: e.type,
      isJson: true,
      data: JSON.parse(dataJson),
      metadata: JSON.parse(JSON.stringify(metadataOf(e, placement, { keyId: key.id, seal }))),
      created: new Date(),
    };
    const read = readEnvelope(stored);
    expect(read.fromLedger).toBe(true);
    expect(read.sealedPosition).toBe(41);
    expect(read.seal?.keyId).toBe(key.id);
    const fields = sealedFieldsOfRead(read, 41, placement.recordedAt);
    expect(key.matches(fields, read.seal?.seal as Buffer)).toBe(true);
    // At another position (a second writer got there first) the same seal does not match.
    expect(key.matches(sealedFieldsOfRead(read, 42, placement.recordedAt), read.seal?.seal as Buffer)).toBe(
      false,
    );
  });

  test.each([
    ['no metadata', undefined],
    ['ledger as text', { ledger: 'yes' }],
    ['a wrong type', { ledger: { ...validLedgerMetadata(), globalPosition: '0' } }],
    ['an unknown field', { ledger: { ...validLedgerMetadata(), admin: true } }],
    ['another version', { ledger: { ...validLedgerMetadata(), v: 2 } }],
  ])(
    'metadata with %s is read as an event written around the ledger, with placeholders',
    (_what, metadata) => {
      const read = readEnvelope({
        id: uuid(),
        streamId: 'proposal-9',
        revision: 0n,
        type: 'ProposalSubmitted',
        isJson: true,
        data: { title: 'planted' },
        metadata,
        created: new Date('2026-05-01T00:00:00.000Z'),
      });
      expect(read).toMatchObject({
        fromLedger: false,
        seal: undefined,
        sealedPosition: undefined,
        schemaVersion: 0,
        actor: { principal: '(written around the ledger)', role: '(none)' },
        claimedRecordedAt: '2026-05-01T00:00:00.000Z',
      });
    },
  );

  test('binary data (not JSON) is read as its base64 text', () => {
    const read = readEnvelope({
      id: uuid(),
      streamId: 's',
      revision: 0n,
      type: 'Blob',
      isJson: false,
      data: Buffer.from([0, 255, 1]),
      metadata: undefined,
      created: new Date(),
    });
    expect(read.data).toBe('AP8B');
    expect(read.dataJson).toBe('"AP8B"');
  });
});
