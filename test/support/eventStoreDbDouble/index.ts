/**
 * A test double of an EventStoreDB node — not a server: an in-process gRPC server speaking the Streams and
 * ServerFeatures protocols of @eventstore/db-client 6.2.1 (its own generated definitions), with the semantics the
 * KurrentDB source gives them (transactionLog.ts, streamsService.ts, eventFilter.ts cite the files), in memory.
 * `docs/deploy.md` ("What the EventStoreDB test double does not prove") says where it stops.
 *
 * It writes system events of its own, as a server does: at start the `$epoch-information` event (hidden from `$all`
 * reads), a `$settings` and a `$UserCreated` event; then, every `systemEventEvery` appends, a `$metadata` event in
 * the appended stream's metastream or a `$>` link in its `$ce-` category stream. So `$all` holds `$`-prefixed events
 * between the application's, and a reader that does not exclude them fails.
 */
import { randomUUID } from 'node:crypto';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { streamsService, serverFeaturesService, type FaultState } from './streamsService';
import { TransactionLog, type LogRecord, type ProposedEvent } from './transactionLog';

export interface EventStoreDbDoubleOptions {
  /** Port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Every this many appends, the double writes a system event (0: never). Default 5. */
  systemEventEvery?: number;
  /** Memory budget of the recent-event-id cache behind the weak idempotency check (default 8 MiB, the server's). */
  committedEventsCacheBytes?: number;
  /** Default 1 MiB, EventStoreDB 23.10/24.x's MaxAppendSize. */
  maxAppendSize?: number;
}

export interface EventStoreDbDouble {
  connectionString: string;
  port: number;
  /** The log as the double holds it, system records included (for tests that look behind the client). */
  readonly log: TransactionLog;
  /** Stops serving: drops every connection. Idempotent. */
  close(): Promise<void>;
  /**
   * Drops every connection and refuses new ones (connection refused) for `ms`, then serves again on the same port
   * with the same log. Resolves once it serves again.
   */
  goOffline(ms: number): Promise<void>;
  /** The next `n` calls (appends or reads) are answered UNAVAILABLE without doing anything. */
  failNextCalls(n: number): void;
  /** The next `n` appends that succeed are committed, then answered UNAVAILABLE: the acknowledgement is lost. */
  loseNextAppendAcks(n: number): void;
  /** Forgets the recent event ids, as a server restart does: a weak-check retry is then written again. */
  forgetRecentEventIds(): void;
  /** Writes one system event now (a `$metadata` or a `$>`, alternately, about `streamName`). */
  writeSystemEvent(streamName: string): void;
}

export const DOUBLE_SERVER_VERSION = '24.10.0';

function json(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function systemEvent(eventType: string, data: unknown): ProposedEvent {
  return {
    eventId: randomUUID(),
    eventType,
    isJson: true,
    data: json(data),
    customMetadata: new Uint8Array(),
  };
}

async function bind(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
}

export async function startEventStoreDbDouble(
  options: EventStoreDbDoubleOptions = {},
): Promise<EventStoreDbDouble> {
  const log = new TransactionLog({ committedEventsCacheBytes: options.committedEventsCacheBytes });
  const faults: FaultState = { failingCalls: 0, lostAcks: 0 };
  const systemEventEvery = options.systemEventEvery ?? 5;

  log.append('$epoch-information', { kind: 'any' }, [
    systemEvent('$epoch-information', { epochNumber: 0, epochPosition: 0 }),
  ]);
  log.append('$settings', { kind: 'any' }, [systemEvent('$settings', { $userStreamAcl: { $r: '$all' } })]);
  log.append('$user-admin', { kind: 'any' }, [systemEvent('$UserCreated', { loginName: 'admin' })]);

  let appends = 0;
  let systemEvents = 0;
  const writeSystemEvent = (streamName: string): void => {
    const last = log.stream(streamName).at(-1);
    if (systemEvents++ % 2 === 0 || !last) {
      log.append(`$$${streamName}`, { kind: 'any' }, [systemEvent('$metadata', { $tb: 0 })]);
    } else {
      const category = streamName.split('-')[0] ?? streamName;
      log.append(`$ce-${category}`, { kind: 'any' }, [
        { ...systemEvent('$>', {}), isJson: false, data: Buffer.from(`${last.eventNumber}@${streamName}`) },
      ]);
    }
  };
  const afterAppend = (streamName: string, records: readonly LogRecord[]): void => {
    if (streamName.startsWith('$') || records.length === 0) return;
    if (systemEventEvery > 0 && ++appends % systemEventEvery === 0) writeSystemEvent(streamName);
  };

  const makeServer = (): Server => {
    const server = new Server();
    server.addService(
      StreamsService,
      streamsService(log, faults, {
        maxAppendSize: options.maxAppendSize ?? 1024 * 1024,
        serverVersion: DOUBLE_SERVER_VERSION,
        afterAppend,
      }),
    );
    server.addService(ServerFeaturesService, serverFeaturesService(DOUBLE_SERVER_VERSION));
    return server;
  };

  let server: Server | undefined = makeServer();
  const port = await bind(server, options.port ?? 0);
  let closed = false;

  const stop = (): void => {
    server?.forceShutdown();
    server = undefined;
  };

  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    port,
    log,
    close: async () => {
      closed = true;
      stop();
    },
    goOffline: async (ms) => {
      stop();
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (closed) return;
      server = makeServer();
      await bind(server, port);
    },
    failNextCalls: (n) => {
      faults.failingCalls += n;
    },
    loseNextAppendAcks: (n) => {
      faults.lostAcks += n;
    },
    forgetRecentEventIds: () => log.forgetRecentEventIds(),
    writeSystemEvent,
  };
}
