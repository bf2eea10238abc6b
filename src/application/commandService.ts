/**
 * Command handling: load the target stream, load the streams the command references (from the event store, never
 * from eventually-consistent views), decide, and append with the loaded revision. On a concurrency conflict the
 * whole cycle is retried a few times, unless the client pinned a revision with If-Match (then the conflict is its).
 */
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { assertFitsEntry } from '../audit/entrySize';
import { eventIdFor } from './idempotentIds';
import {
  aggregateOfStream,
  commandSpecs,
  evolveAny,
  initialStateOf,
  type AggregateName,
  type AnyCommandSpec,
  type StateOfAggregate,
  type CommandName,
} from '../domain/commands';
import type { AggregateState, Reference } from '../domain/decider';
import { osloDateOf } from '../domain/dates';
import { DomainError, UnknownReference } from '../domain/errors';
import { EntryTooLargeError } from '../audit/entrySize';
import {
  businessDateOf,
  eventSchemaVersions,
  idInStream,
  recordIdOf,
  type DomainEvent,
} from '../domain/events';
import { evolveGrantLedger, initialGrantLedger } from '../domain/committee/grantLedger';
import type { PersonalDataVault } from '../privacy/personalDataVault';
import { sealedData, shredErased } from '../privacy/sealing';
import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type Actor,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../store/eventStore';

export interface CommandMeta {
  actor: Actor;
  correlationId: string;
  causationId: string | null;
  /** The revision the client says the stream is at (If-Match). */
  expectedRevision?: number;
  /**
   * Set when the client sent an Idempotency-Key (IdempotencyStore.scopeOf): the events' ids are derived from it, and
   * a command whose first event is already stored is answered with what was stored (idempotentIds.ts).
   */
  idempotencyScope?: string;
}

export interface CommandResult {
  streamId: string;
  streamRevision: number;
  globalPosition: number;
  events: DomainEvent[];
  /** True when nothing new was written (the same events were already stored). */
  alreadyStored: boolean;
}

/** How a command ended: recorded, answered from what an earlier attempt stored, refused, or a fault. */
export type CommandOutcome = 'accepted' | 'replayed' | 'rejected' | 'failed';

/** The rule of a command that was not refused. */
export const NO_RULE = 'none';

/**
 * The refusals that are not a rule of the catalogue (src/domain/rules.ts), by the problem they are answered with: a
 * revision that moved (If-Match, or the retries used up), an event id stored otherwise, an event too large for the
 * log, an input that does not parse.
 */
export const REFUSALS_OUTSIDE_CATALOGUE = [
  'revision-conflict',
  'duplicate-event-id',
  'entry-too-large',
  'validation',
] as const;

/** Told how every command ended (the metrics count them); called synchronously, so it must be cheap. */
export interface CommandObserver {
  commandEnded(command: CommandName, outcome: CommandOutcome, rule: string): void;
}

/** The outcome and rule of a command that threw `error`: a refusal names its rule, anything else is a fault. */
export function refusalOf(error: unknown): { outcome: CommandOutcome; rule: string } {
  if (error instanceof DomainError) return { outcome: 'rejected', rule: error.rule };
  if (error instanceof WrongExpectedRevisionError) return { outcome: 'rejected', rule: 'revision-conflict' };
  if (error instanceof DuplicateEventIdError) return { outcome: 'rejected', rule: 'duplicate-event-id' };
  if (error instanceof EntryTooLargeError) return { outcome: 'rejected', rule: 'entry-too-large' };
  if (error instanceof z.ZodError) return { outcome: 'rejected', rule: 'validation' };
  return { outcome: 'failed', rule: NO_RULE };
}

export interface CommandServiceOptions {
  store: EventStore;
  vault: PersonalDataVault;
  citizenInitiativeThreshold: number;
  clock?: () => Date;
  maxRetries?: number;
  observer?: CommandObserver;
}

const FOLD_CACHE_LIMIT = 20_000;

type AggregateStateOf = StateOfAggregate[AggregateName];

export class CommandService {
  private readonly clock: () => Date;
  private readonly maxRetries: number;
  /** Grant ledgers per committee, folded from the log and kept up to date by reading only what is new. */
  private readonly grantLedgers = new Map<
    string,
    { position: number; ledger: ReturnType<typeof initialGrantLedger> }
  >();
  /** Folded stream states, least recently used first. */
  private readonly folds = new Map<
    string,
    { aggregate: AggregateName; state: AggregateState; revision: number }
  >();
  /** Queues per key: one per target stream, and one for granting decisions (grantLockKey). */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly options: CommandServiceOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.maxRetries = options.maxRetries ?? 5;
  }

  today(): string {
    return osloDateOf(this.clock());
  }

  async execute(name: CommandName, input: unknown, meta: CommandMeta): Promise<CommandResult> {
    const observer = this.options.observer;
    if (!observer) return this.executeUnobserved(name, input, meta);
    try {
      const result = await this.executeUnobserved(name, input, meta);
      observer.commandEnded(name, result.alreadyStored ? 'replayed' : 'accepted', NO_RULE);
      return result;
    } catch (error) {
      const { outcome, rule } = refusalOf(error);
      observer.commandEnded(name, outcome, rule);
      throw error;
    }
  }

  private async executeUnobserved(
    name: CommandName,
    input: unknown,
    meta: CommandMeta,
  ): Promise<CommandResult> {
    const spec: AnyCommandSpec = commandSpecs[name];
    const parsed = spec.input.parse(input);
    // Commands on one stream queue behind each other in this process, so they never race for the same revision;
    // the retry loop is left for writers in other processes.
    const streamId = spec.targetStreamId(parsed);
    const run = (): Promise<CommandResult> =>
      this.withLock(`stream:${streamId}`, () => this.executeWithRetry(name, parsed, meta));
    const lockKey = this.grantLockKey(name, parsed);
    return lockKey ? this.withLock(lockKey, run) : run();
  }

  /**
   * Granting decisions queue behind each other: they append to different proposal streams, so no revision orders
   * them, and the committee whose budget they share is the proposal's, known only once its stream is loaded, so
   * they share one queue whatever the committee.
   */
  private grantLockKey(name: CommandName, input: unknown): string | undefined {
    if (name !== 'RecordCommitteeDecision') return undefined;
    const i = input as { grantNok?: number };
    return i.grantNok ? 'grants' : undefined;
  }

  private async withLock<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(run);
    this.locks.set(key, next);
    try {
      return await next;
    } finally {
      if (this.locks.get(key) === next) this.locks.delete(key);
    }
  }

  private async executeWithRetry(
    name: CommandName,
    input: unknown,
    meta: CommandMeta,
  ): Promise<CommandResult> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.executeOnce(name, input, meta);
      } catch (error) {
        const retry =
          error instanceof WrongExpectedRevisionError &&
          meta.expectedRevision === undefined &&
          attempt < this.maxRetries;
        if (!retry) throw error;
      }
    }
  }

  /**
   * A stream's folded state. States are immutable and streams only grow, so a cached fold is brought up to date by
   * reading just the events after its revision: always correct, and cheap for the long streams (a proposal with
   * hundreds of supports) that would otherwise be re-read for every command.
   */
  private async load(
    streamId: string,
    aggregate: AggregateName,
  ): Promise<{ state: AggregateState; revision: number }> {
    const cached = this.folds.get(streamId);
    const usable = cached?.aggregate === aggregate ? cached : undefined;
    let state = (usable ? usable.state : initialStateOf(aggregate)) as AggregateStateOf;
    let revision = usable ? usable.revision : -1;
    const events = await this.options.store.readStream(streamId, { fromRevision: revision + 1 });
    for (const e of events) {
      state = evolveAny(aggregate, state, this.asDomainEvent(e)) as AggregateStateOf;
      revision = e.streamRevision;
    }
    if (revision >= 0) {
      this.folds.delete(streamId);
      if (this.folds.size >= FOLD_CACHE_LIMIT) this.folds.delete(this.folds.keys().next().value as string);
      this.folds.set(streamId, { aggregate, state, revision });
    }
    return { state, revision };
  }

  private asDomainEvent(e: RecordedEvent): DomainEvent {
    return { type: e.type, data: e.data } as DomainEvent;
  }

  private async loadReference(ref: Reference): Promise<AggregateState> {
    if (ref.fold === 'grant-ledger') return this.grantLedgerFor(ref);
    const aggregate = aggregateOfStream(ref.streamId);
    if (!aggregate) throw new Error(`no aggregate for stream ${ref.streamId}`);
    const { state, revision } = await this.load(ref.streamId, aggregate);
    if (revision < 0) throw new UnknownReference(ref.what, recordIdOf(ref.streamId), ref.where);
    return state;
  }

  private async grantLedgerFor(ref: Reference): Promise<AggregateState> {
    if ((await this.options.store.streamRevision(ref.streamId)) < 0) {
      throw new UnknownReference(ref.what, recordIdOf(ref.streamId), ref.where);
    }
    const committeeId = idInStream(ref.streamId, 'committee');
    const cached = this.grantLedgers.get(committeeId) ?? {
      position: -1,
      ledger: initialGrantLedger(committeeId),
    };
    let { ledger, position } = cached;
    for await (const e of this.options.store.readAll(position + 1)) {
      if (e.type === 'CommitteeDecisionRecorded')
        ledger = evolveGrantLedger(ledger, e.streamId, this.asDomainEvent(e));
      position = e.globalPosition;
    }
    this.grantLedgers.set(committeeId, { position, ledger });
    return ledger;
  }

  private async executeOnce(name: CommandName, input: unknown, meta: CommandMeta): Promise<CommandResult> {
    const spec: AnyCommandSpec = commandSpecs[name];
    const streamId = spec.targetStreamId(input);
    if (meta.idempotencyScope !== undefined) {
      const written = await this.writtenBefore(meta.idempotencyScope);
      if (written) return written;
    }
    const { state, revision } = await this.load(streamId, spec.aggregate);
    if (meta.expectedRevision !== undefined && meta.expectedRevision !== revision) {
      throw new WrongExpectedRevisionError(streamId, meta.expectedRevision, revision);
    }
    // A command on a record that does not exist names no references: its decide reports the record missing,
    // whatever else the body names.
    const refs: Record<string, AggregateState> = {};
    for (const ref of spec.references(input, state)) refs[ref.key] = await this.loadReference(ref);
    const today = this.today();
    const events = spec.decide(input, state, refs, {
      citizenInitiativeThreshold: this.options.citizenInitiativeThreshold,
      today,
    });
    const newEvents = events.map((event, index) => this.toNewEvent(event, index, meta, today));
    // Every leaf must be publishable in a tlog-tiles entry bundle (src/audit/entrySize.ts).
    for (const event of newEvents) assertFitsEntry(streamId, event);
    const result = await this.options.store.append(streamId, newEvents, {
      expectedRevision: revision < 0 ? 'no_stream' : revision,
    });
    shredErased(this.options.vault, streamId, events);
    return {
      streamId,
      streamRevision: result.nextExpectedRevision,
      globalPosition: result.positions[result.positions.length - 1] as number,
      events,
      alreadyStored: result.alreadyStored,
    };
  }

  /** What an earlier attempt under this idempotency scope wrote (its answer was lost), or undefined. */
  private async writtenBefore(scope: string): Promise<CommandResult | undefined> {
    const { store } = this.options;
    const written: RecordedEvent[] = [];
    for (;;) {
      const event = await store.readEvent(eventIdFor(scope, written.length));
      if (!event) break;
      written.push(event);
    }
    const last = written.at(-1);
    if (!last) return undefined;
    return {
      streamId: last.streamId,
      streamRevision: last.streamRevision,
      globalPosition: last.globalPosition,
      events: written.map((e) => this.asDomainEvent(e)),
      alreadyStored: true,
    };
  }

  /** The envelope of one event; personal data is sealed under the person's key before it reaches the store. */
  private toNewEvent(event: DomainEvent, index: number, meta: CommandMeta, today: string): NewEvent {
    const { data, dataKeyId } = sealedData(this.options.vault, event);
    return {
      eventId: meta.idempotencyScope === undefined ? uuidv7() : eventIdFor(meta.idempotencyScope, index),
      type: event.type,
      schemaVersion: eventSchemaVersions[event.type],
      occurredAt: businessDateOf(event) || today,
      actor: meta.actor,
      correlationId: meta.correlationId,
      causationId: meta.causationId,
      data,
      ...(dataKeyId ? { dataKeyId } : {}),
    };
  }
}
