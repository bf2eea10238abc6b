/**
 * The Streams service of the EventStoreDB test double (Append and Read), and the ServerFeatures answer the client
 * asks for on connect, on @grpc/grpc-js with @eventstore/db-client 6.2.1's own generated protocol code. It answers
 * as the KurrentDB server's gRPC layer does (src/KurrentDB.Core/Services/Transport/Grpc/Streams.Append.cs,
 * Streams.Read.cs, ServerFeatures.cs; the enumerators in src/KurrentDB.Core/Services/Transport/Enumerators/).
 */
import { randomUUID } from 'node:crypto';
import {
  Metadata,
  status,
  type sendUnaryData,
  type ServerReadableStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { AppendReq, AppendResp, ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { requestFilter, type FilterExpression, type RecordFilter } from './eventFilter';
import type { ExpectedVersion, LogRecord, ProposedEvent, TransactionLog } from './transactionLog';

/** What tests can make the double do wrong (index.ts exposes these as its fault hooks). */
export interface FaultState {
  /** Calls still to be answered UNAVAILABLE before any work. */
  failingCalls: number;
  /** Appends still to be committed and then answered UNAVAILABLE, as if the connection dropped before the answer. */
  lostAcks: number;
}

export interface ServiceOptions {
  /** MaxAppendSize: EventStoreDB 23.10 and 24.x default to 1 MiB (KurrentDB 25 raised it to the chunk size). */
  maxAppendSize: number;
  /** What ServerFeatures reports as the server version. */
  serverVersion: string;
  /** Called after every append the double wrote (index.ts writes its occasional system events from here). */
  afterAppend: (streamName: string, records: readonly LogRecord[]) => void;
}

/** `Enumerator.DefaultReadBatchSize` (src/KurrentDB.Core/Services/Transport/Enumerators/Enumerator.cs). */
export const DEFAULT_READ_BATCH_SIZE = 32;

const STREAMS_SERVICE = 'event_store.client.streams.streams';

/** An RPC error carrying the server's `exception` trailer, which the client turns into its typed errors. */
function rpcError(code: status, details: string, trailers: Record<string, string> = {}) {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return { code, details, metadata };
}

const unavailable = (why: string) => rpcError(status.UNAVAILABLE, `${why} (EventStoreDB test double)`);

function takeFailure(faults: FaultState): boolean {
  if (faults.failingCalls <= 0) return false;
  faults.failingCalls--;
  return true;
}

function streamName(identifier: StreamIdentifier | undefined): string {
  return Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');
}

/** The server parses the id with Guid: a malformed one fails the call; it prints lower-case. */
function eventIdOf(uuid: UUID | undefined): string {
  const text = uuid?.hasString() ? uuid.getString() : undefined;
  if (text === undefined || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text))
    throw rpcError(status.INVALID_ARGUMENT, `event id ${String(text)} is not a UUID`);
  return text.toLowerCase();
}

function expectedVersionOf(options: AppendReq.Options): ExpectedVersion {
  switch (options.getExpectedStreamRevisionCase()) {
    case AppendReq.Options.ExpectedStreamRevisionCase.REVISION:
      return { kind: 'revision', revision: Number(options.getRevision()) };
    case AppendReq.Options.ExpectedStreamRevisionCase.ANY:
      return { kind: 'any' };
    case AppendReq.Options.ExpectedStreamRevisionCase.STREAM_EXISTS:
      return { kind: 'stream_exists' };
    case AppendReq.Options.ExpectedStreamRevisionCase.NO_STREAM:
      return { kind: 'no_stream' };
    default:
      throw rpcError(status.INVALID_ARGUMENT, 'expected stream revision is not set');
  }
}

/** MetadataHelpers.ParseGrpcMetadata: `type` and `content-type` are required. */
function proposedEventOf(message: AppendReq.ProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  for (const key of ['type', 'content-type']) {
    if (!metadata.has(key))
      throw rpcError(status.INVALID_ARGUMENT, `Required Metadata Property '${key}' is missing`, {
        exception: 'missing-required-metadata-property',
        'required-metadata-properties': key,
      });
  }
  return {
    eventId: eventIdOf(message.getId()),
    eventType: metadata.get('type') as string,
    isJson: metadata.get('content-type') === 'application/json',
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}

/** Event.SizeOnDisk: what counts against MaxAppendSize. */
function sizeOnDisk(event: ProposedEvent): number {
  return event.data.length + event.customMetadata.length + Buffer.byteLength(event.eventType);
}

/** The AppendResp of Streams.Append.cs HandleWriteEventsCompleted, for a commit outcome. */
function appendResponse(
  outcome: ReturnType<TransactionLog['append']>,
  expected: ExpectedVersion,
): AppendResp {
  const response = new AppendResp();
  if (outcome.kind === 'wrongExpectedVersion') {
    const wrong = new AppendResp.WrongExpectedVersion();
    switch (expected.kind) {
      case 'any':
        wrong.setExpectedAny(new Empty());
        wrong.setAny2060(new Empty());
        break;
      case 'stream_exists':
        wrong.setExpectedStreamExists(new Empty());
        wrong.setStreamExists2060(new Empty());
        break;
      case 'no_stream':
        wrong.setExpectedNoStream(new Empty());
        break;
      case 'revision':
        wrong.setExpectedRevision(String(expected.revision));
        break;
    }
    if (outcome.currentRevision === -1) {
      wrong.setCurrentNoStream(new Empty());
      wrong.setNoStream2060(new Empty());
    } else {
      wrong.setCurrentRevision(String(outcome.currentRevision));
    }
    response.setWrongExpectedVersion(wrong);
    return response;
  }
  const success = new AppendResp.Success();
  if (outcome.currentRevision === -1) success.setNoStream(new Empty());
  else success.setCurrentRevision(String(outcome.currentRevision));
  if (outcome.position === undefined) success.setNoPosition(new Empty());
  else {
    // WriteEvents.cs answers the commit position for both (its comment: "not technically correct").
    const position = new AppendResp.Position();
    position.setCommitPosition(String(outcome.position));
    position.setPreparePosition(String(outcome.position));
    success.setPosition(position);
  }
  response.setSuccess(success);
  return response;
}

/** ResponseConverter.ConvertToReadEvent: an event of the log, with its `$all` position. */
function readEventResponse(record: LogRecord): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent();
  const id = new UUID();
  id.setString(record.eventId);
  recorded.setId(id);
  const identifier = new StreamIdentifier();
  identifier.setStreamName(Buffer.from(record.streamName, 'utf8'));
  recorded.setStreamIdentifier(identifier);
  recorded.setStreamRevision(String(record.eventNumber));
  recorded.setCommitPosition(String(record.position));
  recorded.setPreparePosition(String(record.position));
  const metadata = recorded.getMetadataMap();
  metadata.set('type', record.eventType);
  metadata.set('created', record.createdTicks.toString());
  metadata.set('content-type', record.isJson ? 'application/json' : 'application/octet-stream');
  recorded.setCustomMetadata(record.customMetadata);
  recorded.setData(record.data);
  const event = new ReadResp.ReadEvent();
  event.setEvent(recorded);
  event.setCommitPosition(String(record.position));
  const response = new ReadResp();
  response.setEvent(event);
  return response;
}

function checkpointResponse(position: number): ReadResp {
  const checkpoint = new ReadResp.Checkpoint();
  checkpoint.setCommitPosition(String(position));
  checkpoint.setPreparePosition(String(position));
  const response = new ReadResp();
  response.setCheckpoint(checkpoint);
  return response;
}

function filterExpressionOf(options: ReadReq.Options): FilterExpression | undefined {
  if (!options.hasFilter()) return undefined;
  const filter = options.getFilter() as ReadReq.Options.FilterOptions;
  const on = filter.hasEventType() ? 'eventType' : filter.hasStreamIdentifier() ? 'streamName' : undefined;
  if (on === undefined)
    throw rpcError(status.INVALID_ARGUMENT, 'filter has neither an event type nor a stream name');
  const expression = (
    on === 'eventType' ? filter.getEventType() : filter.getStreamIdentifier()
  ) as ReadReq.Options.FilterOptions.Expression;
  return { on, regex: expression.getRegex(), prefixes: expression.getPrefixList() };
}

/** A `$all` position from the request; the server keeps (commit, prepare), which are equal for every gRPC write. */
function allPositionOf(all: ReadReq.Options.AllOptions, log: TransactionLog): number | 'start' | 'end' {
  if (all.hasStart()) return 'start';
  if (all.hasEnd()) return 'end';
  const position = all.getPosition();
  const commit = Number(position?.getCommitPosition() ?? '0');
  if (!Number.isSafeInteger(commit)) throw rpcError(status.INVALID_ARGUMENT, 'position out of range');
  return Math.min(commit, log.endPosition);
}

/** Writes with backpressure: waits for 'drain' when grpc-js's buffer is full; false once the call is gone. */
async function send(call: ServerWritableStream<ReadReq, ReadResp>, response: ReadResp): Promise<boolean> {
  if (call.cancelled || call.destroyed) return false;
  if (!call.write(response)) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        call.off('drain', done);
        call.off('cancelled', done);
        call.off('close', done);
        resolve();
      };
      call.on('drain', done);
      call.on('cancelled', done);
      call.on('close', done);
    });
  }
  return !call.cancelled && !call.destroyed;
}

export function streamsService(
  log: TransactionLog,
  faults: FaultState,
  options: ServiceOptions,
): UntypedServiceImplementation {
  function append(
    call: ServerReadableStream<AppendReq, AppendResp>,
    callback: sendUnaryData<AppendResp>,
  ): void {
    const messages: AppendReq[] = [];
    call.on('data', (message: AppendReq) => messages.push(message));
    call.on('error', () => undefined); // a client gone mid-stream: nothing was written
    call.on('end', () => {
      if (takeFailure(faults)) return callback(unavailable('server unavailable'));
      try {
        const [header, ...rest] = messages;
        if (!header?.hasOptions()) throw rpcError(status.INTERNAL, 'Exception was thrown by handler.');
        const appendOptions = header.getOptions() as AppendReq.Options;
        const stream = streamName(appendOptions.getStreamIdentifier());
        const expected = expectedVersionOf(appendOptions);
        const events = rest.map((message) => {
          if (!message.hasProposedMessage())
            throw rpcError(status.INTERNAL, 'Exception was thrown by handler.');
          return proposedEventOf(message.getProposedMessage() as AppendReq.ProposedMessage);
        });
        const size = events.reduce((sum, event) => sum + sizeOnDisk(event), 0);
        if (size > options.maxAppendSize)
          throw rpcError(
            status.INVALID_ARGUMENT,
            `Maximum Append Size of ${options.maxAppendSize} Exceeded.`,
            {
              exception: 'maximum-append-size-exceeded',
              'maximum-append-size': String(options.maxAppendSize),
            },
          );
        const outcome = log.append(stream, expected, events);
        if (outcome.kind === 'written') options.afterAppend(stream, outcome.records);
        if (faults.lostAcks > 0 && outcome.kind !== 'wrongExpectedVersion') {
          faults.lostAcks--;
          return callback(unavailable('connection dropped after the commit'));
        }
        callback(null, appendResponse(outcome, expected));
      } catch (error) {
        callback(error as { code: status; details: string });
      }
    });
  }

  async function read(call: ServerWritableStream<ReadReq, ReadResp>): Promise<void> {
    try {
      if (takeFailure(faults)) throw unavailable('server unavailable');
      const readOptions = call.request.getOptions();
      if (!readOptions?.hasUuidOption()) throw rpcError(status.INVALID_ARGUMENT, 'uuid_option is required');
      const filter = requestFilter(filterExpressionOf(readOptions));
      const backwards = readOptions.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
      if (readOptions.hasStream()) {
        if (readOptions.hasSubscription())
          throw rpcError(status.UNIMPLEMENTED, 'stream subscriptions are not in the test double');
        await readStream(
          call,
          readOptions.getStream() as ReadReq.Options.StreamOptions,
          readOptions,
          backwards,
        );
      } else if (readOptions.hasAll()) {
        const from = allPositionOf(readOptions.getAll() as ReadReq.Options.AllOptions, log);
        if (readOptions.hasSubscription()) {
          if (backwards) throw rpcError(status.INVALID_ARGUMENT, 'a subscription reads forwards');
          await subscribeToAll(call, from, filter, readOptions);
        } else await readAll(call, from, filter, Number(readOptions.getCount()), backwards);
      } else throw rpcError(status.INVALID_ARGUMENT, 'neither a stream nor $all');
      call.end();
    } catch (error) {
      // grpc-js turns an 'error' on a server stream into the call's status, trailers included.
      if (!call.cancelled && !call.destroyed) {
        const e = error as { code?: status; details?: string; message?: string; metadata?: Metadata };
        const details = e.details ?? e.message ?? 'error';
        call.emit(
          'error',
          Object.assign(new Error(details), {
            code: e.code ?? status.INTERNAL,
            details,
            metadata: e.metadata ?? new Metadata(),
          }),
        );
      }
    }
  }

  /** Enumerator.ReadStreamForwards/Backwards: a stream with no events answers StreamNotFound. */
  async function readStream(
    call: ServerWritableStream<ReadReq, ReadResp>,
    streamOptions: ReadReq.Options.StreamOptions,
    readOptions: ReadReq.Options,
    backwards: boolean,
  ): Promise<void> {
    const name = streamName(streamOptions.getStreamIdentifier());
    const events = log.stream(name);
    if (events.length === 0) {
      const notFound = new ReadResp.StreamNotFound();
      notFound.setStreamIdentifier(streamOptions.getStreamIdentifier());
      const response = new ReadResp();
      response.setStreamNotFound(notFound);
      await send(call, response);
      return;
    }
    const count = Number(readOptions.getCount());
    const last = events.length - 1;
    let from: number;
    if (streamOptions.hasStart()) from = 0;
    else if (streamOptions.hasEnd()) from = backwards ? last : events.length;
    else from = Number(streamOptions.getRevision());
    const selected = backwards
      ? events.slice(0, Math.min(from, last) + 1).reverse()
      : events.slice(Math.max(from, 0));
    for (const record of selected.slice(0, count)) if (!(await send(call, readEventResponse(record)))) return;
  }

  /**
   * AllReader.ReadAllEventsForward/Backward (src/KurrentDB.Core/Services/Storage/ReaderIndex/AllReader.cs):
   * forwards includes the record at the position; backwards gives the records that end at or before it.
   */
  async function readAll(
    call: ServerWritableStream<ReadReq, ReadResp>,
    from: number | 'start' | 'end',
    filter: RecordFilter,
    count: number,
    backwards: boolean,
  ): Promise<void> {
    const records = log.records;
    let sent = 0;
    if (!backwards) {
      const start = from === 'start' ? 0 : from === 'end' ? records.length : log.indexAtOrAfter(from);
      for (let i = start; i < records.length && sent < count; i++) {
        const record = records[i] as LogRecord;
        if (!filter(record)) continue;
        if (!(await send(call, readEventResponse(record)))) return;
        sent++;
      }
      return;
    }
    const upTo = from === 'start' ? 0 : from === 'end' ? log.endPosition : from;
    for (let i = log.indexAtOrAfter(upTo) - 1; i >= 0 && sent < count; i--) {
      const record = records[i] as LogRecord;
      if (record.postPosition > upTo || !filter(record)) continue;
      if (!(await send(call, readEventResponse(record)))) return;
      sent++;
    }
  }

  /**
   * Enumerator.AllSubscription and Enumerator.AllSubscriptionFiltered: a confirmation, the catch-up (events after
   * the given position), then `caughtUp` and the live events. With a filter, checkpoints: during catch-up after a
   * page of `maxSearchWindow` considered records once the count reaches checkpointIntervalMultiplier ×
   * maxSearchWindow, and always one on going live; live, every that-many considered records
   * (SubscriptionsService.ProcessEventCommitted). Without a filter there are none.
   */
  async function subscribeToAll(
    call: ServerWritableStream<ReadReq, ReadResp>,
    from: number | 'start' | 'end',
    filter: RecordFilter,
    readOptions: ReadReq.Options,
  ): Promise<void> {
    const filtered = readOptions.hasFilter();
    const filterOptions = readOptions.getFilter();
    const window = filterOptions?.hasMax() ? filterOptions.getMax() : DEFAULT_READ_BATCH_SIZE;
    const multiplier = filterOptions?.getCheckpointintervalmultiplier() ?? 1;
    if (filtered && (multiplier <= 0 || window <= 0))
      throw rpcError(status.INVALID_ARGUMENT, 'checkpoint interval multiplier and window must be positive');
    const interval = multiplier * window;

    const confirmation = new ReadResp.SubscriptionConfirmation();
    confirmation.setSubscriptionId(randomUUID());
    const confirmed = new ReadResp();
    confirmed.setConfirmation(confirmation);
    if (!(await send(call, confirmed))) return;

    const records = log.records;
    // The position last sent towards the client (an event or a checkpoint); -1 stands for HeadOfTf (from the start).
    let checkpoint = from === 'start' ? -1 : from === 'end' ? log.endPosition : from;
    let cursor = from === 'start' ? 0 : from === 'end' ? records.length : log.indexAtOrAfter(checkpoint + 1);

    let counter = 0;
    // Each catch-up page starts where the last one stopped (FilteredReadAllEventsForwardCompleted.CurrentPos); the
    // first at the subscription's own position.
    let pageStart = checkpoint;
    // A subscription from the end (or past the last record) goes live at once: no catch-up, so no checkpoint.
    const live = cursor >= records.length;
    while (!live) {
      let considered = 0;
      while (cursor < records.length && considered < window) {
        const record = records[cursor++] as LogRecord;
        considered++;
        if (!filter(record)) continue;
        if (!(await send(call, readEventResponse(record)))) return;
        checkpoint = record.position;
      }
      if (!filtered) {
        if (cursor >= records.length) break;
        continue;
      }
      if (considered > 0 && checkpoint < pageStart) checkpoint = pageStart;
      pageStart = cursor < records.length ? (records[cursor] as LogRecord).position : log.endPosition;
      counter += considered;
      if (cursor >= records.length) {
        if (checkpoint < 0 && records.length > 0) checkpoint = 0; // TFPos.FirstRecordOfTf
        if (checkpoint >= 0 && !(await send(call, checkpointResponse(checkpoint)))) return;
        break;
      }
      if (counter >= interval) {
        counter %= interval;
        // Still at HeadOfTf (nothing considered matched, first page): there is no checkpoint to send yet.
        if (checkpoint >= 0 && !(await send(call, checkpointResponse(checkpoint)))) return;
      }
    }

    const caughtUp = new ReadResp();
    caughtUp.setCaughtUp(new ReadResp.CaughtUp());
    if (!(await send(call, caughtUp))) return;

    let liveCounter = 0;
    let wake: (() => void) | undefined;
    const unlisten = log.onWrite(() => wake?.());
    const gone = new Promise<void>((resolve) => {
      call.on('cancelled', resolve);
      call.on('close', resolve);
      call.on('error', resolve);
    });
    try {
      for (;;) {
        while (cursor < records.length) {
          const record = records[cursor++] as LogRecord;
          if (filter(record) && !(await send(call, readEventResponse(record)))) return;
          if (!filtered) continue;
          if (++liveCounter >= interval) {
            liveCounter = 0;
            if (!(await send(call, checkpointResponse(record.position)))) return;
          }
        }
        if (call.cancelled || call.destroyed) return;
        await Promise.race([new Promise<void>((resolve) => (wake = resolve)), gone]);
        wake = undefined;
        if (call.cancelled || call.destroyed) return;
      }
    } finally {
      unlisten();
    }
  }

  return { append, read };
}

/** ServerFeatures.cs: the methods this double serves, lower-cased, with the server's features for Read. */
export function serverFeaturesService(serverVersion: string): UntypedServiceImplementation {
  return {
    getSupportedMethods(
      _call: ServerUnaryCall<Empty, SupportedMethods>,
      callback: sendUnaryData<SupportedMethods>,
    ) {
      const methods = [
        { name: 'append', features: [] as string[] },
        { name: 'read', features: ['position', 'events'] },
      ].map(({ name, features }) => {
        const method = new SupportedMethod();
        method.setServiceName(STREAMS_SERVICE);
        method.setMethodName(name);
        method.setFeaturesList(features);
        return method;
      });
      const features = new SupportedMethod();
      features.setServiceName('event_store.client.server_features.serverfeatures');
      features.setMethodName('getsupportedmethods');
      methods.push(features);
      const answer = new SupportedMethods();
      answer.setMethodsList(methods);
      answer.setEventStoreServerVersion(serverVersion);
      callback(null, answer);
    },
  };
}
