/**
 * The EventStoreDB test double, seen through the plain @eventstore/db-client 6.2.1 client: each behaviour the
 * ledger's adapter relies on, as the KurrentDB server source gives it (the file is named in each describe). These
 * tests prove the double behaves like the server as far as the source was read — not that the server does; a real
 * server runs the store contract through EVENTSTORE_CONNECTION_STRING (eventStoreDb.contract.test.ts).
 */
import fc from 'fast-check';
import { credentials } from '@grpc/grpc-js';
import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { ServerFeaturesClient } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import type { SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty } from '@eventstore/db-client/generated/shared_pb';
import { v4 as uuidv4 } from 'uuid';
import { startEventStoreDbDouble, type EventStoreDbDouble } from '../support/eventStoreDbDouble';
import { startEventStoreDbDoubleProcess } from '../support/eventStoreDbDoubleProcess';
import {
  TransactionLog,
  type ExpectedVersion,
  type ProposedEvent,
} from '../support/eventStoreDbDouble/transactionLog';

// This file's ports: 4401–4419 (the esdb-double range is 4400–4449).
let nextPort = 4401;
const port = (): number => nextPort++;

async function collect<E>(events: AsyncIterable<E>): Promise<E[]> {
  const all: E[] = [];
  for await (const event of events) all.push(event);
  return all;
}

const streamName = (prefix = 'proposal'): string => `${prefix}-${uuidv4()}`;
const event = (type = 'SupportGiven', data: Record<string, unknown> = { n: 1 }, id?: string) =>
  jsonEvent({ type, data, ...(id ? { id } : {}) });
const ids = (events: ResolvedEvent[]): (string | undefined)[] => events.map((e) => e.event?.id);
const commitOf = (e: AllStreamResolvedEvent | ResolvedEvent): bigint => e.event?.position?.commit ?? -1n;

let double: EventStoreDbDouble;
let client: EventStoreDBClient;

beforeAll(async () => {
  double = await startEventStoreDbDouble({ port: port() });
  client = EventStoreDBClient.connectionString(double.connectionString);
});

afterAll(async () => {
  await client.dispose();
  await double.close();
});

describe('ServerFeatures (ServerFeatures.cs) and the client 6.2.1 append path', () => {
  test('lists Append and Read but not BatchAppend, so appendToStream uses Append — BatchAppend is unimplemented', async () => {
    const features = new ServerFeaturesClient(`127.0.0.1:${double.port}`, credentials.createInsecure());
    const answer = await new Promise<SupportedMethods>((resolve, reject) =>
      features.getSupportedMethods(new Empty(), (error, methods) =>
        error ? reject(error) : resolve(methods),
      ),
    );
    features.close();
    const listed = answer.getMethodsList().map((m) => `${m.getServiceName()}/${m.getMethodName()}`);
    expect(listed).toContain('event_store.client.streams.streams/append');
    expect(listed).toContain('event_store.client.streams.streams/read');
    expect(listed).not.toContain('event_store.client.streams.streams/batchappend');
    expect(answer.getEventStoreServerVersion()).toMatch(/^\d+\.\d+\.\d+$/);
    // Were BatchAppend chosen, this append would fail UNIMPLEMENTED.
    const result = await client.appendToStream(streamName(), event());
    expect(result.success).toBe(true);
  });
});

describe('Append: expected revision (IndexWriter.CheckCommit, Streams.Append.cs)', () => {
  test('any and no_stream create a stream; stream_exists and a revision on a missing stream fail with no_stream', async () => {
    const a = streamName();
    expect((await client.appendToStream(a, event(), { expectedRevision: ANY })).nextExpectedRevision).toBe(
      0n,
    );
    const b = streamName();
    expect(
      (await client.appendToStream(b, event(), { expectedRevision: NO_STREAM })).nextExpectedRevision,
    ).toBe(0n);

    for (const expectedRevision of [STREAM_EXISTS, 0n, 3n] as const) {
      const error = await client.appendToStream(streamName(), event(), { expectedRevision }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect((error as WrongExpectedVersionError).actualVersion).toBe('no_stream');
      expect((error as WrongExpectedVersionError).expectedVersion).toBe(expectedRevision);
    }
  });

  test('the exact revision appends; a stale one, a future one and no_stream fail with the actual revision', async () => {
    const s = streamName();
    await client.appendToStream(s, [event(), event()], { expectedRevision: NO_STREAM });
    const next = await client.appendToStream(s, event(), { expectedRevision: 1n });
    expect(next.nextExpectedRevision).toBe(2n);
    expect(
      (await client.appendToStream(s, event(), { expectedRevision: STREAM_EXISTS })).nextExpectedRevision,
    ).toBe(3n);
    for (const expectedRevision of [1n, 9n, NO_STREAM] as const) {
      const error = await client.appendToStream(s, event(), { expectedRevision }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect((error as WrongExpectedVersionError).actualVersion).toBe(3n);
    }
    expect((await collect(client.readStream(s))).length).toBe(4);
  });

  test('a multi-event append is atomic and contiguous in $all, even with other appends running at once', async () => {
    const streams = Array.from({ length: 12 }, () => streamName('committee'));
    await Promise.all(
      streams.map((s, i) =>
        client.appendToStream(
          s,
          Array.from({ length: 2 + (i % 4) }, (_, n) => event('MemberAppointed', { n })),
        ),
      ),
    );
    const all = await collect(client.readAll({ fromPosition: START }));
    for (const [i, s] of streams.entries()) {
      const at = all.map((e, index) => (e.event?.streamId === s ? index : -1)).filter((index) => index >= 0);
      expect(at.length).toBe(2 + (i % 4));
      expect(at.at(-1)! - at[0]!).toBe(at.length - 1); // nothing between them
    }
  });

  test('a failed expected-revision check writes nothing', async () => {
    const s = streamName();
    await client.appendToStream(s, event());
    await expect(
      client.appendToStream(s, [event(), event()], { expectedRevision: 5n }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect((await collect(client.readStream(s))).length).toBe(1);
  });
});

describe('Append: best-effort event-id deduplication (IndexWriter.CheckCommit, StorageWriterService.VerifyCommitChecks)', () => {
  test('any: re-appending the same events answers the first append (revision and position), writes nothing', async () => {
    const s = streamName();
    const batch = [event('VoteCast', { v: 1 }), event('VoteCast', { v: 2 })];
    const first = await client.appendToStream(s, batch);
    const again = await client.appendToStream(s, batch);
    expect(again.success).toBe(true);
    expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
    expect(again.position).toEqual(first.position);
    expect((await collect(client.readStream(s))).length).toBe(2);
  });

  test('any: a batch whose first event is new is written whole, even the events already stored (duplicates)', async () => {
    const s = streamName();
    const old = event('VoteCast', { v: 1 });
    await client.appendToStream(s, old);
    await client.appendToStream(s, [event('VoteCast', { v: 2 }), old]);
    const stored = ids(await collect(client.readStream(s)));
    expect(stored.length).toBe(3);
    expect(stored.filter((id) => id === old.id).length).toBe(2);
  });

  test('any: a batch that starts with a stored event and goes on with a new one fails as a wrong expected version', async () => {
    const s = streamName();
    const old = event();
    await client.appendToStream(s, old);
    const error = await client.appendToStream(s, [old, event()]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect((error as WrongExpectedVersionError).actualVersion).toBe(0n);
    expect((await collect(client.readStream(s))).length).toBe(1);
  });

  test('an event id already stored in another stream is written again — and keeps being, the cache names the first stream', async () => {
    const e = event();
    const [a, b] = [streamName(), streamName()];
    await client.appendToStream(a, e);
    await client.appendToStream(b, e, { expectedRevision: NO_STREAM });
    // The cache keeps its first entry for an id (PutRecord with throwOnDuplicate: false): it says `a`, so a retry
    // into `b` with `any` is not recognised either.
    await client.appendToStream(b, e);
    expect(ids(await collect(client.readStream(a)))).toEqual([e.id]);
    expect(ids(await collect(client.readStream(b)))).toEqual([e.id, e.id]);
  });

  test('any: once the recent ids are forgotten (a server restart, or the 8 MiB cache full), a retry is written again', async () => {
    const s = streamName();
    const e = event();
    await client.appendToStream(s, e);
    double.forgetRecentEventIds();
    await client.appendToStream(s, e);
    expect(ids(await collect(client.readStream(s)))).toEqual([e.id, e.id]);
  });

  test('any: the recent-id cache evicts the oldest ids first when over its memory budget', async () => {
    const small = await startEventStoreDbDouble({ port: port(), committedEventsCacheBytes: 2_000 });
    const smallClient = EventStoreDBClient.connectionString(small.connectionString);
    try {
      const s = streamName();
      const first = event();
      await smallClient.appendToStream(s, first);
      for (let i = 0; i < 40; i++) await smallClient.appendToStream(s, event());
      const recent = event();
      await smallClient.appendToStream(s, recent);
      await smallClient.appendToStream(s, recent); // still cached: deduplicated
      await smallClient.appendToStream(s, first); // evicted: written again
      const stored = ids(await collect(smallClient.readStream(s)));
      expect(stored.filter((id) => id === recent.id).length).toBe(1);
      expect(stored.filter((id) => id === first.id).length).toBe(2);
    } finally {
      await smallClient.dispose();
      await small.close();
    }
  });

  test('an exact revision: a retry at the revision it was written at is idempotent even after the cache is gone', async () => {
    const s = streamName();
    const batch = [event(), event()];
    await client.appendToStream(s, event());
    const first = await client.appendToStream(s, batch, { expectedRevision: 0n });
    await client.appendToStream(s, event(), { expectedRevision: 2n });
    double.forgetRecentEventIds();
    const again = await client.appendToStream(s, batch, { expectedRevision: 0n });
    expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision);
    expect(again.position).toEqual(first.position);
    // no_stream is revision -1: a retry of a stream's first append is recognised the same way.
    const t = streamName();
    const opening = event();
    await client.appendToStream(t, opening, { expectedRevision: NO_STREAM });
    await client.appendToStream(t, event());
    expect(
      (await client.appendToStream(t, opening, { expectedRevision: NO_STREAM })).nextExpectedRevision,
    ).toBe(0n);
    // Different events at that revision are a conflict, not a retry.
    await expect(client.appendToStream(s, [event()], { expectedRevision: 0n })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect((await collect(client.readStream(s))).length).toBe(4);
  });
});

describe('positions and system events ($all, AllReader.cs, EventFilter.cs DefaultAllFilter)', () => {
  test('positions grow like byte offsets: far from 0, 1, 2, uneven, strictly increasing; commit equals prepare', async () => {
    const s = streamName();
    await client.appendToStream(s, [
      event('A', { x: 'short' }),
      event('B', { x: 'a much longer body '.repeat(9) }),
    ]);
    const all = await collect(client.readAll({ fromPosition: START }));
    const positions = all.map(commitOf);
    for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);
    const gaps = new Set(positions.slice(1).map((p, i) => p - positions[i]!));
    expect(gaps.size).toBeGreaterThan(1);
    expect(positions.filter((p) => p >= 0n && p < 3n)).toEqual([]);
    for (const e of all) expect(e.event?.position?.prepare).toBe(e.event?.position?.commit);
  });

  test('$all holds $-prefixed system events; $epoch-information is hidden; excludeSystemEvents() drops the rest', async () => {
    for (let i = 0; i < 6; i++) await client.appendToStream(streamName('arena'), event());
    const all = await collect(client.readAll({ fromPosition: START }));
    const streams = new Set(all.map((e) => e.event?.streamId));
    expect(streams.has('$settings')).toBe(true);
    expect(streams.has('$epoch-information')).toBe(false);
    expect(all.some((e) => e.event?.type === '$metadata' && e.event.streamId.startsWith('$$'))).toBe(true);
    expect(double.log.records.some((r) => r.streamName === '$epoch-information')).toBe(true);
  });

  test('an event written to a $-stream by the application is stored and read like any other', async () => {
    const result = await client.appendToStream('$ledger-test-system', event('Resealed'));
    expect(result.success).toBe(true);
    const read = await collect(client.readStream('$ledger-test-system'));
    expect(read.map((e) => e.event?.type)).toEqual(['Resealed']);
  });
});

describe('Read a stream (Enumerator.ReadStreamForwards/Backwards)', () => {
  test('forwards and backwards from a revision with a count; backwards from the end; a missing stream is not found', async () => {
    const s = streamName();
    await client.appendToStream(
      s,
      Array.from({ length: 6 }, (_, n) => event('E', { n })),
    );
    const revisions = (events: ResolvedEvent[]) => events.map((e) => Number(e.event?.revision));
    expect(revisions(await collect(client.readStream(s, { fromRevision: 2n, maxCount: 3 })))).toEqual([
      2, 3, 4,
    ]);
    expect(revisions(await collect(client.readStream(s, { fromRevision: 4n, direction: FORWARDS })))).toEqual(
      [4, 5],
    );
    expect(
      revisions(await collect(client.readStream(s, { fromRevision: 3n, direction: BACKWARDS, maxCount: 2 }))),
    ).toEqual([3, 2]);
    expect(
      revisions(
        await collect(client.readStream(s, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })),
      ),
    ).toEqual([5]);
    expect(revisions(await collect(client.readStream(s, { fromRevision: 9n })))).toEqual([]);
    await expect(collect(client.readStream(streamName()))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  test('data and metadata come back as written, with the type and a created date', async () => {
    const s = streamName();
    const written = jsonEvent({
      type: 'PersonRegistered',
      data: { name: 'Åsa «Ø»', n: 1 },
      metadata: { ledger: { v: 1 } },
    });
    await client.appendToStream(s, written);
    const [read] = await collect(client.readStream(s));
    expect(read?.event?.id).toBe(written.id);
    expect(read?.event?.type).toBe('PersonRegistered');
    expect(read?.event?.data).toEqual({ name: 'Åsa «Ø»', n: 1 });
    expect(read?.event?.metadata).toEqual({ ledger: { v: 1 } });
    expect(Math.abs((read?.event?.created ?? new Date(0)).getTime() - Date.now())).toBeLessThan(60_000);
  });
});

describe('Read $all (AllReader.ReadAllEventsForward/Backward)', () => {
  test('forwards from a position includes it; backwards from it gives what lies before; counts are kept', async () => {
    const s = streamName();
    await client.appendToStream(
      s,
      Array.from({ length: 4 }, (_, n) => event('E', { n })),
    );
    const mine = (await collect(client.readAll({ fromPosition: START }))).filter(
      (e) => e.event?.streamId === s,
    );
    const third = mine[2]!.event!.position!;
    const forwards = await collect(client.readAll({ fromPosition: third, maxCount: 2 }));
    expect(forwards.map((e) => e.event?.revision)).toEqual([2n, 3n]);
    const backwards = await collect(
      client.readAll({ fromPosition: third, direction: BACKWARDS, maxCount: 2 }),
    );
    expect(backwards.map((e) => e.event?.revision)).toEqual([1n, 0n]);
    const fromEnd = await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
    expect(commitOf(fromEnd[0]!)).toBeGreaterThanOrEqual(commitOf(mine[3]!));
    expect(await collect(client.readAll({ fromPosition: END }))).toEqual([]);
  });
});

describe('Subscriptions to $all (Enumerator.AllSubscription/AllSubscriptionFiltered, SubscriptionsService.cs)', () => {
  type Seen =
    | { kind: 'event'; stream: string; commit: bigint }
    | { kind: 'checkpoint'; commit: bigint }
    | { kind: 'caughtUp' };

  /** Subscribes and records everything it is told, in order, until `until` holds. */
  async function watch(
    subscriber: EventStoreDBClient,
    options: Parameters<EventStoreDBClient['subscribeToAll']>[0],
    until: (seen: Seen[]) => boolean,
    between?: (seen: Seen[]) => Promise<void>,
  ): Promise<Seen[]> {
    const seen: Seen[] = [];
    const filter = options?.filter
      ? {
          ...options.filter,
          checkpointReached: (_s: unknown, position: Position) => {
            seen.push({ kind: 'checkpoint', commit: position.commit });
          },
        }
      : undefined;
    const subscription = subscriber.subscribeToAll({ ...options, ...(filter ? { filter } : {}) });
    subscription.on('caughtUp', () => seen.push({ kind: 'caughtUp' }));
    subscription.on('data', (e: AllStreamResolvedEvent) =>
      seen.push({ kind: 'event', stream: e.event!.streamId, commit: commitOf(e) }),
    );
    const deadline = Date.now() + 10_000;
    let ranBetween = false;
    while (!until(seen)) {
      if (Date.now() > deadline)
        throw new Error(
          `subscription never got there: ${JSON.stringify(seen, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`,
        );
      if (between && !ranBetween && seen.some((s) => s.kind === 'caughtUp')) {
        ranBetween = true;
        await between(seen);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await subscription.unsubscribe();
    return seen;
  }

  test('unfiltered from the start: every event (system ones too), then caughtUp, then live events; no checkpoints', async () => {
    const quiet = await startEventStoreDbDouble({ port: port(), systemEventEvery: 0 });
    const c = EventStoreDBClient.connectionString(quiet.connectionString);
    try {
      const s = streamName();
      await c.appendToStream(s, [event(), event()]);
      const seen = await watch(
        c,
        { fromPosition: START },
        (x) => x.filter((y) => y.kind === 'event' && y.stream === s).length === 3,
        async () => void (await c.appendToStream(s, event())),
      );
      expect(seen.map((x) => (x.kind === 'event' ? x.stream.replace(s, 'S') : x.kind))).toEqual([
        '$settings',
        '$user-admin',
        'S',
        'S',
        'caughtUp',
        'S',
      ]);
    } finally {
      await c.dispose();
      await quiet.close();
    }
  });

  test('excludeSystemEvents with a window and interval: checkpoints every multiplier × window considered records, one on going live, then caughtUp; live ones at the same count', async () => {
    const quiet = await startEventStoreDbDouble({ port: port(), systemEventEvery: 0 });
    const c = EventStoreDBClient.connectionString(quiet.connectionString);
    try {
      const s = streamName();
      for (let i = 0; i < 10; i++) await c.appendToStream(s, event()); // 3 system records + 10 = 13 records
      const filter = excludeSystemEvents({ maxSearchWindow: 4, checkpointInterval: 2 }); // every 8 considered
      const seen = await watch(
        c,
        { fromPosition: START, filter },
        (x) => x.filter((y) => y.kind === 'event').length === 18 && x.at(-1)?.kind === 'checkpoint',
        async () => {
          for (let i = 0; i < 8; i++) await c.appendToStream(s, event());
        },
      );
      const events = seen.filter((x): x is Extract<Seen, { kind: 'event' }> => x.kind === 'event');
      expect(events.every((e) => e.stream === s)).toBe(true);
      const shape = seen
        .map((x) => (x.kind === 'event' ? 'e' : x.kind === 'checkpoint' ? 'C' : 'U'))
        .join('');
      // Pages of 4 records: [$epoch,$settings,$user,e][e e e e] → 8 considered: C; [e e e e][e] end: C; caughtUp;
      // live: a checkpoint at the 8th considered record.
      expect(shape).toBe('eeeeeCeeeeeCU' + 'eeeeeeeeC');
      const checkpoints = seen
        .filter((x) => x.kind === 'checkpoint')
        .map((x) => (x as { commit: bigint }).commit);
      expect(checkpoints).toEqual([events[4]!.commit, events[9]!.commit, events[17]!.commit]);
    } finally {
      await c.dispose();
      await quiet.close();
    }
  });

  test('from a position: only what comes after it; event-type and stream-name filters by prefix and regex', async () => {
    const s = streamName('vote');
    await client.appendToStream(s, [event('BallotCast'), event('BallotCast'), event('BallotSpoilt')]);
    const mine = (await collect(client.readAll({ fromPosition: START }))).filter(
      (e) => e.event?.streamId === s,
    );
    const after = mine[0]!.event!.position!;
    const ofType = await watch(
      client,
      { fromPosition: after, filter: eventTypeFilter({ prefixes: ['Ballot'] }) },
      (x) => x.some((y) => y.kind === 'caughtUp'),
    );
    const seenCommits = ofType.filter((x) => x.kind === 'event').map((x) => (x as { commit: bigint }).commit);
    expect(seenCommits).toEqual([commitOf(mine[1]!), commitOf(mine[2]!)]);
    const spoilt = await watch(
      client,
      { fromPosition: START, filter: eventTypeFilter({ regex: '^Ballot(Spoilt)$' }) },
      (x) => x.some((y) => y.kind === 'caughtUp'),
    );
    expect(spoilt.filter((x) => x.kind === 'event').length).toBeGreaterThanOrEqual(1);
    const byStream = await watch(
      client,
      { fromPosition: START, filter: streamNameFilter({ prefixes: [s] }) },
      (x) => x.some((y) => y.kind === 'caughtUp'),
    );
    expect(byStream.filter((x) => x.kind === 'event').length).toBe(3);
  });

  test('from the end: live only, no catch-up checkpoint', async () => {
    const s = streamName();
    const seen = await watch(
      client,
      { fromPosition: END, filter: streamNameFilter({ prefixes: [s] }) },
      (x) => x.some((y) => y.kind === 'event'),
      async () => void (await client.appendToStream(s, event())),
    );
    expect(seen.map((x) => x.kind)).toEqual(['caughtUp', 'event']);
  });
});

describe('hostile input', () => {
  test('an append over MaxAppendSize (1 MiB) fails with the server error and writes nothing', async () => {
    const s = streamName();
    await expect(
      client.appendToStream(s, event('Big', { blob: 'x'.repeat(1_100_000) })),
    ).rejects.toBeInstanceOf(MaxAppendSizeExceededError);
    await expect(collect(client.readStream(s))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  test('an event id that is not a UUID is refused; a filter regex that does not compile fails the subscription', async () => {
    await expect(client.appendToStream(streamName(), event('E', {}, 'not-a-uuid'))).rejects.toThrow();
    const subscription = client.subscribeToAll({ filter: eventTypeFilter({ regex: '([' }) });
    const failure = await new Promise<unknown>((resolve) => subscription.on('error', resolve));
    expect(failure).toBeInstanceOf(Error);
    await subscription.unsubscribe();
  });

  test('odd stream names (unicode, spaces, $$) are kept byte for byte', async () => {
    for (const name of ['bürger beteiligung 🗳', `$$${streamName()}`, 'a'.repeat(500)]) {
      await client.appendToStream(name, event());
      const [read] = await collect(
        client.readStream(name, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }),
      );
      expect(read?.event?.streamId).toBe(name);
    }
  });
});

describe('fault hooks', () => {
  test('failNextCalls: the next call is UNAVAILABLE, the client reconnects for the one after', async () => {
    const s = streamName();
    double.failNextCalls(1);
    await expect(client.appendToStream(s, event())).rejects.toBeInstanceOf(UnavailableError);
    await expect(client.appendToStream(s, event())).resolves.toMatchObject({ success: true });
    expect((await collect(client.readStream(s))).length).toBe(1);
  });

  test('loseNextAppendAcks: the append is committed but the client hears UNAVAILABLE; its retry is deduplicated', async () => {
    const s = streamName();
    const e = event();
    double.loseNextAppendAcks(1);
    await expect(client.appendToStream(s, e, { expectedRevision: NO_STREAM })).rejects.toBeInstanceOf(
      UnavailableError,
    );
    expect(ids(await collect(client.readStream(s)))).toEqual([e.id]);
    const retry = await client.appendToStream(s, e, { expectedRevision: NO_STREAM });
    expect(retry.nextExpectedRevision).toBe(0n);
    expect(ids(await collect(client.readStream(s)))).toEqual([e.id]);
  });

  test('goOffline: calls fail and subscriptions drop while it is down; afterwards the same log is served', async () => {
    const own = await startEventStoreDbDouble({ port: port() });
    const c = EventStoreDBClient.connectionString(own.connectionString);
    try {
      const s = streamName();
      await c.appendToStream(s, event());
      const subscription = c.subscribeToAll({ fromPosition: END });
      const dropped = new Promise<unknown>((resolve) => subscription.on('error', resolve));
      await new Promise((resolve) => subscription.once('confirmation', resolve));
      const back = own.goOffline(500);
      expect(await dropped).toBeInstanceOf(Error);
      await expect(c.appendToStream(s, event())).rejects.toThrow();
      await back;
      let appended = false;
      for (let attempt = 0; attempt < 20 && !appended; attempt++) {
        appended = await c.appendToStream(s, event()).then(
          () => true,
          async () => {
            await new Promise((resolve) => setTimeout(resolve, 100));
            return false;
          },
        );
      }
      expect(appended).toBe(true);
      expect((await collect(c.readStream(s))).length).toBe(2);
    } finally {
      await c.dispose();
      await own.close();
    }
  });
});

describe('the double as a process of its own', () => {
  test('serves over loopback, keeps its log across clients, carries out fault commands, stops on SIGTERM', async () => {
    const proc = await startEventStoreDbDoubleProcess({ port: port() });
    try {
      const s = streamName();
      const first = EventStoreDBClient.connectionString(proc.connectionString);
      await first.appendToStream(s, [event(), event()]);
      await first.dispose();
      await proc.command('fail 1');
      const second = EventStoreDBClient.connectionString(proc.connectionString);
      await expect(second.appendToStream(s, event())).rejects.toBeInstanceOf(UnavailableError);
      expect((await collect(second.readStream(s))).length).toBe(2);
      await second.dispose();
    } finally {
      await proc.stop();
    }
    expect((await proc.exited).code).toBe(0);
  });
});

describe('the transaction log under any sequence of appends (property)', () => {
  type Step = { stream: number; expected: ExpectedVersion; events: number; reuse: boolean };
  const expectedVersion = fc.oneof(
    fc.constant<ExpectedVersion>({ kind: 'any' }),
    fc.constant<ExpectedVersion>({ kind: 'no_stream' }),
    fc.constant<ExpectedVersion>({ kind: 'stream_exists' }),
    fc
      .integer({ min: -1, max: 6 })
      .map<ExpectedVersion>((revision) =>
        revision < 0 ? { kind: 'no_stream' } : { kind: 'revision', revision },
      ),
  );
  const step = fc.record<Step>({
    stream: fc.integer({ min: 0, max: 3 }),
    expected: expectedVersion,
    events: fc.integer({ min: 1, max: 4 }),
    reuse: fc.boolean(),
  });

  test('records are contiguous byte ranges; a refused append writes nothing; a written one lands whole and in order; an exact-revision retry of a written append is answered as it was', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), (steps) => {
        const log = new TransactionLog();
        const written: {
          stream: string;
          expected: ExpectedVersion;
          events: ProposedEvent[];
          revision: number;
        }[] = [];
        for (const s of steps) {
          const stream = `stream-${s.stream}`;
          const earlier = written[written.length - 1];
          const events: ProposedEvent[] =
            s.reuse && earlier
              ? earlier.events
              : Array.from({ length: s.events }, () => ({
                  eventId: uuidv4(),
                  eventType: 'E',
                  isJson: true,
                  data: Buffer.from('{}'),
                  customMetadata: new Uint8Array(),
                }));
          const before = log.records.length;
          const lengthBefore = log.stream(stream).length;
          const outcome = log.append(stream, s.expected, events);
          if (outcome.kind === 'wrongExpectedVersion') {
            expect(log.records.length).toBe(before);
            expect(outcome.currentRevision).toBe(lengthBefore - 1);
          } else if (outcome.kind === 'written') {
            expect(log.records.length).toBe(before + events.length);
            expect(
              log
                .stream(stream)
                .slice(lengthBefore)
                .map((r) => r.eventId),
            ).toEqual(events.map((e) => e.eventId));
            expect(outcome.currentRevision).toBe(lengthBefore + events.length - 1);
            if (s.expected.kind === 'revision' || s.expected.kind === 'no_stream')
              written.push({ stream, expected: s.expected, events, revision: outcome.currentRevision });
          } else {
            expect(log.records.length).toBe(before);
          }
        }
        for (let i = 1; i < log.records.length; i++)
          expect(log.records[i]!.position).toBe(log.records[i - 1]!.postPosition);
        log.forgetRecentEventIds();
        for (const w of written) {
          // The events sit at the revisions the retry names, so the strong check finds them without the cache.
          expect(log.append(w.stream, w.expected, w.events)).toMatchObject({
            kind: 'idempotent',
            currentRevision: w.revision,
          });
        }
      }),
      { numRuns: 200 },
    );
  });
});
