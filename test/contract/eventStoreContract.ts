/**
 * The contract every event store adapter must pass. Adapters call `describeEventStoreContract` with a factory
 * that opens a fresh, empty store (optionally whose log starts at `genesisPosition`).
 */
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { openWorkerLog } from '../../src/store/workerLog';
import {
  type ViewEvent,
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type SubscriptionMessage,
} from '../../src/store/eventStore';

export interface StoreFactory {
  open(options?: { genesisPosition?: number }): Promise<EventStore>;
  /** Whether the adapter can start a log past 2^31 (SQLite can; a server-assigned log may not). */
  supportsGenesisPosition: boolean;
  /** Whether the stores it opens describe a log worker threads can open (EventStore.workerLog). */
  describesWorkerLog: boolean;
}

export function newEvent(type = 'Tested', data: unknown = { n: 1 }, extra: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: uuidv7(),
    type,
    schemaVersion: 1,
    occurredAt: '2021-03-04',
    actor: { principal: 'clerk-1', role: 'clerk' },
    correlationId: uuidv7(),
    causationId: null,
    data,
    ...extra,
  };
}

async function collect(iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}

function uniqueStream(prefix = 'test'): string {
  return `${prefix}-${uuidv7()}`;
}

export function describeEventStoreContract(adapterName: string, factory: StoreFactory): void {
  describe(`event store contract: ${adapterName}`, () => {
    let store: EventStore;
    beforeEach(async () => {
      store = await factory.open();
    });
    afterEach(async () => {
      await store.close();
    });

    test('an empty store has head -1 and unknown streams read as empty', async () => {
      expect(await store.headPosition()).toBe(-1);
      expect(await store.readStream(uniqueStream())).toEqual([]);
      expect(await store.streamRevision(uniqueStream())).toBe(-1);
      expect(await collect(store.readAll(0))).toEqual([]);
    });

    test('append gives consecutive revisions and dense global positions, and the envelope round-trips', async () => {
      const a = uniqueStream('a');
      const b = uniqueStream('b');
      const first = newEvent('First', { x: 1 }, { dataKeyId: 'key-1', causationId: uuidv7() });
      const r1 = await store.append(a, [first, newEvent('Second', { x: 2 })], {
        expectedRevision: 'no_stream',
      });
      expect(r1).toEqual({ nextExpectedRevision: 1, positions: [0, 1], alreadyStored: false });
      const r2 = await store.append(b, [newEvent()], { expectedRevision: 'no_stream' });
      expect(r2.positions).toEqual([2]);
      const r3 = await store.append(a, [newEvent('Third')], { expectedRevision: 1 });
      expect(r3).toEqual({ nextExpectedRevision: 2, positions: [3], alreadyStored: false });

      const streamA = await store.readStream(a);
      expect(streamA.map((e) => [e.type, e.streamRevision, e.globalPosition])).toEqual([
        ['First', 0, 0],
        ['Second', 1, 1],
        ['Third', 2, 3],
      ]);
      const stored = streamA[0] as RecordedEvent;
      expect(stored).toMatchObject({
        eventId: first.eventId,
        streamId: a,
        type: 'First',
        schemaVersion: 1,
        occurredAt: first.occurredAt,
        actor: first.actor,
        correlationId: first.correlationId,
        causationId: first.causationId,
        data: { x: 1 },
        dataKeyId: 'key-1',
      });
      expect(Number.isNaN(Date.parse(stored.recordedAt))).toBe(false);
      expect((streamA[1] as RecordedEvent).dataKeyId).toBeUndefined();
      expect(await store.headPosition()).toBe(3);
      expect(await store.streamRevision(a)).toBe(2);
      const all = await collect(store.readAll(0));
      expect(all.map((e) => e.globalPosition)).toEqual([0, 1, 2, 3]);
      const recorded = all.map((e) => e.recordedAt);
      expect([...recorded].sort()).toEqual(recorded);
    });

    test('readStream reads forwards, backwards, from a revision and with a limit; readAll from a position', async () => {
      const s = uniqueStream();
      await store.append(
        s,
        [0, 1, 2, 3, 4].map((n) => newEvent('N', { n })),
      );
      const revs = (events: RecordedEvent[]): number[] => events.map((e) => e.streamRevision);
      expect(revs(await store.readStream(s, { fromRevision: 2 }))).toEqual([2, 3, 4]);
      expect(revs(await store.readStream(s, { fromRevision: 1, limit: 2 }))).toEqual([1, 2]);
      expect(revs(await store.readStream(s, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
      expect(revs(await store.readStream(s, { direction: 'backwards', fromRevision: 3, limit: 2 }))).toEqual([
        3, 2,
      ]);
      expect((await collect(store.readAll(3))).map((e) => e.globalPosition)).toEqual([3, 4]);
      expect((await collect(store.readAll(1, { limit: 2 }))).map((e) => e.globalPosition)).toEqual([1, 2]);
      expect((await collect(store.readAll(0, { toPosition: 1 }))).map((e) => e.globalPosition)).toEqual([
        0, 1,
      ]);
    });

    test('readAllBatches pages through the same events as readAll', async () => {
      for (let i = 0; i < 7; i++)
        await store.append(uniqueStream(), [newEvent('N', { i }), newEvent('M', { i })]);
      const flat: number[] = [];
      for await (const page of store.readAllBatches(3, { toPosition: 11 })) {
        expect(page.length).toBeGreaterThan(0);
        flat.push(...page.map((e) => e.globalPosition));
      }
      expect(flat).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
      const viaReadAll = (await collect(store.readAll(0))).map((e) => e.eventId);
      const viaBatches: string[] = [];
      for await (const page of store.readAllBatches()) viaBatches.push(...page.map((e) => e.eventId));
      expect(viaBatches).toEqual(viaReadAll);
      const onlyM: number[] = [];
      for await (const page of store.readAllBatches(0, { types: ['M'], toPosition: 9 })) {
        onlyM.push(...page.map((e) => e.globalPosition));
        expect(page.every((e) => e.type === 'M')).toBe(true);
      }
      expect(onlyM).toEqual([1, 3, 5, 7, 9]);
    });

    test('readViewBatches gives the position, stream, type and data, in order, over several pages', async () => {
      const streams = [uniqueStream(), uniqueStream(), uniqueStream()];
      for (let i = 0; i < 12; i++) {
        const events = Array.from({ length: 100 }, (_, j) =>
          newEvent(j % 3 === 0 ? 'M' : 'N', { i, j, name: 'Bjørn 🙂' }),
        );
        await store.append(streams[i % 3] as string, events);
      }
      const all = await collect(store.readAll(0));
      const lean: ViewEvent[] = [];
      for await (const page of store.readViewBatches(0)) lean.push(...page);
      expect(lean).toEqual(
        all.map(({ globalPosition, streamId, type, data }) => ({ globalPosition, streamId, type, data })),
      );
      const some: ViewEvent[] = [];
      for await (const page of store.readViewBatches(150, { toPosition: 1_050, types: ['M'] }))
        some.push(...page);
      expect(some.map((e) => e.globalPosition)).toEqual(
        all
          .filter((e) => e.type === 'M' && e.globalPosition >= 150 && e.globalPosition <= 1_050)
          .map((e) => e.globalPosition),
      );
      expect(some.length).toBeGreaterThan(250);
    });

    test('readEvent finds a stored event by its id, and an unknown id reads as undefined', async () => {
      const wanted = newEvent('Wanted', { name: 'Åse' });
      for (let i = 0; i < 5; i++) await store.append(uniqueStream(), [newEvent('N', { i })]);
      await store.append(uniqueStream('w'), [newEvent(), wanted]);
      await store.append(uniqueStream(), [newEvent()]);
      const found = await store.readEvent(wanted.eventId);
      expect(found).toMatchObject({
        eventId: wanted.eventId,
        type: 'Wanted',
        globalPosition: 6,
        streamRevision: 1,
      });
      expect(found?.data).toEqual({ name: 'Åse' });
      expect(await store.readEvent(uuidv7())).toBeUndefined();
      // An id is matched whole: a prefix or a different case finds nothing.
      expect(await store.readEvent(wanted.eventId.slice(0, -1))).toBeUndefined();
      expect(await store.readEvent(wanted.eventId.toUpperCase())).toBeUndefined();
    });

    test('a store opened without a seal key says it does not seal, and refuses to check or seal', async () => {
      await store.append(uniqueStream(), [newEvent()]);
      expect(store.seals.sealing).toBe(false);
      expect(store.seals.keyId).toBeUndefined();
      await expect(store.seals.check(0, 0)).rejects.toThrow(/does not seal/);
      await expect(store.seals.sealExisting(0, 0)).rejects.toThrow(/does not seal/);
    });

    test('a worker-side reader opened from workerLog reads the same events as readAll, range by range', async () => {
      for (let i = 0; i < 6; i++)
        await store.append(uniqueStream(), [newEvent('N', { i, text: 'Bjørn 🙂' }), newEvent('M', { i })]);
      const description = store.workerLog();
      expect(description !== undefined).toBe(factory.describesWorkerLog);
      if (description === undefined) return;
      const all = await collect(store.readAll(0));
      const reader = openWorkerLog(description);
      try {
        expect(reader.readRange(0, 12)).toEqual(all);
        expect(reader.readRange(3, 7)).toEqual(all.slice(3, 7));
        expect(reader.readRange(12, 20)).toEqual([]);
        expect(reader.readRange(5, 5)).toEqual([]);
      } finally {
        reader.close();
      }
    });

    test('expected revisions are enforced and a conflicting append writes nothing', async () => {
      const s = uniqueStream();
      await expect(
        store.append(s, [newEvent()], { expectedRevision: 'stream_exists' }),
      ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      await expect(store.append(s, [newEvent()], { expectedRevision: 0 })).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await store.append(s, [newEvent()], { expectedRevision: 'no_stream' });
      await expect(store.append(s, [newEvent()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await expect(store.append(s, [newEvent()], { expectedRevision: 5 })).rejects.toBeInstanceOf(
        WrongExpectedRevisionError,
      );
      await store.append(s, [newEvent()], { expectedRevision: 'stream_exists' });
      await store.append(s, [newEvent()], { expectedRevision: 1 });
      await store.append(s, [newEvent()], { expectedRevision: 'any' });
      expect(await store.streamRevision(s)).toBe(3);
      expect(await store.headPosition()).toBe(3);
    });

    test('re-appending stored events returns the original result and writes nothing', async () => {
      const s = uniqueStream();
      const events = [newEvent('A', { a: 'æøå' }), newEvent('B')];
      const original = await store.append(s, events, { expectedRevision: 'no_stream' });
      await store.append(uniqueStream(), [newEvent()]);
      // Even with an expected revision that no longer holds, the replay answers with the first result.
      const replay = await store.append(s, events, { expectedRevision: 'no_stream' });
      expect(replay).toEqual({ ...original, alreadyStored: true });
      expect(await store.headPosition()).toBe(2);
      // Same id, other content, or another stream: refused.
      const changed = { ...events[0], data: { a: 'other' } } as NewEvent;
      await expect(store.append(s, [changed])).rejects.toBeInstanceOf(DuplicateEventIdError);
      await expect(store.append(uniqueStream(), [events[0] as NewEvent])).rejects.toBeInstanceOf(
        DuplicateEventIdError,
      );
      // Part stored, part new: refused rather than half-applied.
      await expect(store.append(s, [events[1] as NewEvent, newEvent()])).rejects.toBeInstanceOf(
        DuplicateEventIdError,
      );
      expect(await store.headPosition()).toBe(2);
    });

    test('concurrent appends: one conflicting append fails alone without failing its neighbours', async () => {
      const contested = uniqueStream('contested');
      await store.append(contested, [newEvent()]);
      const others = Array.from({ length: 20 }, () => uniqueStream('other'));
      const results = await Promise.allSettled([
        ...Array.from({ length: 10 }, () => store.append(contested, [newEvent()], { expectedRevision: 0 })),
        ...others.map((s) => store.append(s, [newEvent()], { expectedRevision: 'no_stream' })),
      ]);
      const contestedResults = results.slice(0, 10);
      expect(contestedResults.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of contestedResults.filter((r) => r.status === 'rejected')) {
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);
      }
      expect(results.slice(10).every((r) => r.status === 'fulfilled')).toBe(true);
      const all = await collect(store.readAll(0));
      expect(all.map((e) => e.globalPosition)).toEqual(Array.from({ length: 22 }, (_, i) => i));
    });

    test('the same event appended concurrently many times is stored once', async () => {
      const s = uniqueStream();
      const e = newEvent();
      const results = await Promise.all(Array.from({ length: 25 }, () => store.append(s, [e])));
      expect(new Set(results.map((r) => r.positions[0]))).toEqual(new Set([0]));
      expect(results.filter((r) => !r.alreadyStored)).toHaveLength(1);
      expect(await store.headPosition()).toBe(0);
    });

    test('subscription catches up, says so, then receives live appends with no gap and no duplicate', async () => {
      const streams = Array.from({ length: 8 }, () => uniqueStream());
      for (const s of streams) await store.append(s, [newEvent(), newEvent()]);
      const seen: number[] = [];
      let caughtUpAt: number | undefined;
      const total = 16 + 8 * 25;
      let resolveAll: () => void = () => undefined;
      const allSeen = new Promise<void>((r) => (resolveAll = r));
      const sub = store.subscribe(0, async (m: SubscriptionMessage) => {
        if (m.kind === 'caughtUp') caughtUpAt ??= m.position;
        else {
          seen.push(m.event.globalPosition);
          // A slow consumer must not lose or repeat anything while writers keep going.
          if (m.event.globalPosition % 7 === 0) await new Promise((r) => setTimeout(r, 1));
        }
        // The writers may outpace the reader, so "caught up" can come before or after the live events.
        if (seen.length === total && caughtUpAt !== undefined) resolveAll();
      });
      await Promise.all(
        streams.map(async (s) => {
          for (let i = 0; i < 25; i++) await store.append(s, [newEvent('Live', { i })]);
        }),
      );
      await allSeen;
      await sub.close();
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
      expect(caughtUpAt).toBeGreaterThanOrEqual(15);
    });

    test('a subscription from a later position starts there', async () => {
      const s = uniqueStream();
      await store.append(s, [newEvent(), newEvent(), newEvent()]);
      const messages: SubscriptionMessage[] = [];
      let resolve: () => void = () => undefined;
      const caught = new Promise<void>((r) => (resolve = r));
      const sub = store.subscribe(2, (m) => {
        messages.push(m);
        if (m.kind === 'caughtUp') resolve();
      });
      await caught;
      await sub.close();
      expect(
        messages.map((m) => (m.kind === 'event' ? m.event.globalPosition : `caughtUp@${m.position}`)),
      ).toEqual([2, 'caughtUp@2']);
    });

    test('Norwegian text and emoji round-trip exactly', async () => {
      const text = 'Innbyggertorget på Tofte: «Blåbær, æøå ÆØÅ» – ønsker 🌲🏘️👩🏽‍🦱 og ﬁ-ligaturer \u0000 nul';
      const s = uniqueStream();
      await store.append(s, [newEvent('Text', { text, nested: { 'nøkkel-æ': [text] } })]);
      const [e] = await store.readStream(s);
      expect(e?.data).toEqual({ text, nested: { 'nøkkel-æ': [text] } });
    });

    test('a 1 MB payload round-trips', async () => {
      const big = 'å'.repeat(512 * 1024); // 1 MiB of UTF-8
      const s = uniqueStream();
      await store.append(s, [newEvent('Big', { big })]);
      const [e] = await store.readStream(s);
      expect((e?.data as { big: string }).big).toBe(big);
    });

    (factory.supportsGenesisPosition ? test : test.skip)(
      'global positions beyond 2^31 are kept exactly',
      async () => {
        const genesis = 2 ** 31 + 7;
        const big = await factory.open({ genesisPosition: genesis });
        try {
          const r = await big.append(uniqueStream(), [newEvent(), newEvent()]);
          expect(r.positions).toEqual([genesis, genesis + 1]);
          expect(await big.headPosition()).toBe(genesis + 1);
          const all = await collect(big.readAll(genesis + 1));
          expect(all.map((e) => e.globalPosition)).toEqual([genesis + 1]);
        } finally {
          await big.close();
        }
      },
    );

    test('property: any sequence of appends behaves like the reference model', async () => {
      type Op = {
        stream: number;
        count: number;
        expected: 'any' | 'no_stream' | 'stream_exists' | 'exact' | 'wrong';
      };
      const opArb: fc.Arbitrary<Op> = fc.record({
        stream: fc.integer({ min: 0, max: 3 }),
        count: fc.integer({ min: 1, max: 3 }),
        expected: fc.constantFrom('any', 'no_stream', 'stream_exists', 'exact', 'wrong'),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
          const local = await factory.open();
          try {
            const names = [0, 1, 2, 3].map(() => uniqueStream('p'));
            const model = new Map<string, number>();
            let head = -1;
            for (const op of ops) {
              const name = names[op.stream] as string;
              const current = model.get(name) ?? -1;
              const expected: ExpectedRevision =
                op.expected === 'exact' ? current : op.expected === 'wrong' ? current + 2 : op.expected;
              const shouldPass =
                expected === 'any' ||
                (expected === 'no_stream' && current === -1) ||
                (expected === 'stream_exists' && current >= 0) ||
                expected === current;
              const events = Array.from({ length: op.count }, () => newEvent());
              const attempt = local.append(name, events, { expectedRevision: expected });
              if (shouldPass) {
                const r = await attempt;
                expect(r.positions).toEqual(events.map((_, i) => head + 1 + i));
                head += op.count;
                model.set(name, current + op.count);
                expect(r.nextExpectedRevision).toBe(current + op.count);
              } else {
                await expect(attempt).rejects.toBeInstanceOf(WrongExpectedRevisionError);
              }
            }
            expect(await local.headPosition()).toBe(head);
            for (const name of names) expect(await local.streamRevision(name)).toBe(model.get(name) ?? -1);
          } finally {
            await local.close();
          }
        }),
        { numRuns: 40 },
      );
    });
  });
}
