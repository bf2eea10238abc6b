/**
 * What every decider shares: the context the application passes in, the references a command loads, and typed
 * access to the loaded states.
 */
import type { ArenaState } from './arena/arena';
import { UnknownReference } from './errors';
import type { StreamCategory } from './events';
import { streamIdOf } from './events';
import { broken } from './rules';
import type { CommitteeState } from './committee/committee';
import type { GrantLedger } from './committee/grantLedger';
import type { MeetingState } from './meeting/meeting';
import type { PersonState } from './person/person';
import type { PoliticalBodyState } from './politicalBody/politicalBody';
import type { ProcessState } from './process/process';
import type { ProposalState } from './proposal/proposal';
import type { VoteState } from './vote/vote';

export interface CommandContext {
  /** Supports a citizens' initiative needs (kommuneloven § 12-1; configuration, default 300). */
  citizenInitiativeThreshold: number;
  /** YYYY-MM-DD, the server clock's date (in the municipality's time zone). */
  today: string;
}

/** Another stream a command needs: the application loads and folds it, and passes the state in under `key`. */
export interface Reference {
  key: string;
  streamId: string;
  /** What it is, for messages: 'committee', 'person' … */
  what: string;
  /** Where the id came from: a missing record named in the path is the command's own, one in the body is not. */
  where: 'path' | 'body';
  /**
   * How to fold it. Absent: read `streamId` and fold it with its aggregate's evolve. 'grant-ledger': the stream must
   * exist, and the state is the committee's grant ledger, folded from the whole log (see committee/grantLedger.ts).
   */
  fold?: 'grant-ledger';
}

export interface StateOfAggregate {
  arena: ArenaState;
  politicalBody: PoliticalBodyState;
  person: PersonState;
  committee: CommitteeState;
  process: ProcessState;
  meeting: MeetingState;
  proposal: ProposalState;
  vote: VoteState;
}

export type AggregateName = keyof StateOfAggregate;

interface StateOfTag extends StateOfAggregate {
  grantLedger: GrantLedger;
}

/** Any state a decider is given: a target or a reference. */
export type AggregateState = StateOfTag[keyof StateOfTag];

export type References = Readonly<Record<string, AggregateState>>;

/** A state with its record present (a stream that exists). */
export type Present<S> = Exclude<S, { status: 'absent' }>;

/**
 * The loaded reference `key`, as the aggregate the command declared it to be. A missing or mismatched reference is
 * a bug in the caller (the application turns missing streams into UnknownReference before deciding), not a client
 * error, so it throws a plain Error.
 */
export function referenced<T extends keyof StateOfTag>(
  refs: References,
  key: string,
  aggregate: T,
): Present<StateOfTag[T]> {
  const state = refs[key];
  if (
    state === undefined ||
    state.aggregate !== aggregate ||
    ('status' in state && state.status === 'absent')
  ) {
    throw new Error(`reference "${key}" (${aggregate}) was not loaded`);
  }
  return state as Present<StateOfTag[T]>;
}

const whatIsStored: Record<StreamCategory, string> = {
  arena: 'arena',
  'political-body': 'political body',
  person: 'person',
  committee: 'committee',
  process: 'process',
  meeting: 'meeting',
  proposal: 'proposal',
  vote: 'vote',
};

export function reference(
  key: string,
  category: StreamCategory,
  id: string,
  where: Reference['where'] = 'body',
): Reference {
  return { key, streamId: streamIdOf(category, id), what: whatIsStored[category], where };
}

/** A command that creates a record needs a fresh stream: a repeat is a conflict. */
export function assertNew(state: { status: string }, category: StreamCategory, id: string): void {
  if (state.status !== 'absent') {
    throw broken('already-exists', `${whatIsStored[category]} ${id} is already registered`);
  }
}

/** Any other command needs its record to exist; its id came in the path. */
export function existing<S extends { status: string }>(
  state: S,
  category: StreamCategory,
  id: string,
): Present<S> {
  if (state.status === 'absent') throw new UnknownReference(whatIsStored[category], id, 'path');
  return state as Present<S>;
}

/** Drops keys whose value is undefined, so an event holds only the fields that were given. */
export function compact<T extends object>(data: T): T {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined)) as T;
}
