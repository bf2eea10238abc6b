/**
 * The ledger without storage: runs commands through the same registry and pure deciders the command service uses
 * (parse the input, fold the target and each reference, fold the committee's grant ledger from the log where asked,
 * decide, append), with the streams in memory. For checking a simulated trial without a database, and for knowing
 * how many events a trial should write.
 */
import type {
  AggregateName,
  AggregateState,
  AnyCommandSpec,
  CommandContext,
  CommandName,
  Reference,
  StateOfAggregate,
} from '../domain/commands';
import {
  aggregateOfStream,
  commandSpecs,
  evolveAny,
  evolveGrantLedger,
  initialGrantLedger,
  initialStateOf,
} from '../domain/commands';
import type { GrantLedger } from '../domain/committee/grantLedger';
import { UnknownReference } from '../domain/errors';
import { idInStream, recordIdOf, type DomainEvent } from '../domain/events';
import type { TrialCommand } from './timeline';

type State = StateOfAggregate[AggregateName];

export interface PureResult {
  streamId: string;
  events: DomainEvent[];
  /** The references the command's spec asked for, as loaded. */
  references: readonly Reference[];
}

/** Any spec, for generic handling: each spec's methods take the input its own schema parsed. */
function specOf(name: CommandName): AnyCommandSpec {
  return commandSpecs[name] as AnyCommandSpec;
}

export class PureLedger {
  /** Each stream's folded state and last revision (folding as events arrive equals folding from the start). */
  private readonly streams = new Map<string, { state: State; revision: number }>();
  /** The committee decisions in log order, all the grant ledger reads of the log. */
  private readonly decisions: Array<{ streamId: string; event: DomainEvent }> = [];
  private readonly grantLedgers = new Map<string, { position: number; ledger: GrantLedger }>();
  private written = 0;

  constructor(private readonly ctx: CommandContext) {}

  /** Events written so far. */
  get eventCount(): number {
    return this.written;
  }

  /** Runs one command; throws the decider's DomainError (or a zod error for bad input), like the service. */
  execute(c: TrialCommand): PureResult {
    const spec = specOf(c.name);
    const input = spec.input.parse(c.input);
    const streamId = spec.targetStreamId(input);
    const target = this.streams.get(streamId)?.state ?? initialStateOf(spec.aggregate);
    const references = spec.references(input, target);
    const refs: Record<string, AggregateState> = {};
    for (const ref of references) refs[ref.key] = this.load(ref);
    const events = spec.decide(input, target, refs, this.ctx);
    this.append(streamId, spec.aggregate, target, events);
    return { streamId, events, references };
  }

  private load(ref: Reference): AggregateState {
    const stored = this.streams.get(ref.streamId);
    if (!stored) throw new UnknownReference(ref.what, recordIdOf(ref.streamId), ref.where);
    return ref.fold === 'grant-ledger'
      ? this.grantLedgerOf(idInStream(ref.streamId, 'committee'))
      : stored.state;
  }

  private grantLedgerOf(committeeId: string): GrantLedger {
    const cached = this.grantLedgers.get(committeeId) ?? {
      position: 0,
      ledger: initialGrantLedger(committeeId),
    };
    let { ledger } = cached;
    for (let i = cached.position; i < this.decisions.length; i++) {
      const decision = this.decisions[i] as { streamId: string; event: DomainEvent };
      ledger = evolveGrantLedger(ledger, decision.streamId, decision.event);
    }
    this.grantLedgers.set(committeeId, { position: this.decisions.length, ledger });
    return ledger;
  }

  private append(streamId: string, aggregate: AggregateName, target: State, events: DomainEvent[]): void {
    if (events.length === 0) return;
    // The store would refuse a second append to an existing stream with no_stream; the deciders refuse it first.
    if (aggregateOfStream(streamId) !== aggregate)
      throw new Error(`stream ${streamId} is not a ${aggregate} stream`);
    let state = target;
    for (const event of events) {
      state = evolveAny(aggregate, state, event);
      if (event.type === 'CommitteeDecisionRecorded') this.decisions.push({ streamId, event });
    }
    const revision = (this.streams.get(streamId)?.revision ?? -1) + events.length;
    this.streams.set(streamId, { state, revision });
    this.written += events.length;
  }
}
