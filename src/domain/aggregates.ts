/**
 * The aggregates: for each, the stream category its records live in, its initial (absent) state and its `evolve`.
 * The application folds streams through these, generically, whatever the aggregate.
 */
import { initialState as arenaInitial, evolve as evolveArena } from './arena/arena';
import { initialState as committeeInitial, evolve as evolveCommittee } from './committee/committee';
import type { AggregateName, AggregateState, StateOfAggregate } from './decider';
import type { DomainEvent, StreamCategory } from './events';
import { parseStreamId } from './events';
import { initialState as meetingInitial, evolve as evolveMeeting } from './meeting/meeting';
import { initialState as personInitial, evolve as evolvePerson } from './person/person';
import {
  initialState as politicalBodyInitial,
  evolve as evolvePoliticalBody,
} from './politicalBody/politicalBody';
import { initialState as processInitial, evolve as evolveProcess } from './process/process';
import { initialState as proposalInitial, evolve as evolveProposal } from './proposal/proposal';
import { initialState as voteInitial, evolve as evolveVote } from './vote/vote';

interface AggregateDefinition<S> {
  streamCategory: StreamCategory;
  initialState: S;
  evolve(state: S, event: DomainEvent): S;
}

export const aggregates: { readonly [A in AggregateName]: AggregateDefinition<StateOfAggregate[A]> } = {
  arena: { streamCategory: 'arena', initialState: arenaInitial, evolve: evolveArena },
  politicalBody: {
    streamCategory: 'political-body',
    initialState: politicalBodyInitial,
    evolve: evolvePoliticalBody,
  },
  person: { streamCategory: 'person', initialState: personInitial, evolve: evolvePerson },
  committee: { streamCategory: 'committee', initialState: committeeInitial, evolve: evolveCommittee },
  process: { streamCategory: 'process', initialState: processInitial, evolve: evolveProcess },
  meeting: { streamCategory: 'meeting', initialState: meetingInitial, evolve: evolveMeeting },
  proposal: { streamCategory: 'proposal', initialState: proposalInitial, evolve: evolveProposal },
  vote: { streamCategory: 'vote', initialState: voteInitial, evolve: evolveVote },
};

export const aggregateNames = Object.keys(aggregates) as AggregateName[];

export function streamCategoryOf(aggregate: AggregateName): StreamCategory {
  return aggregates[aggregate].streamCategory;
}

/** The aggregate whose events a stream holds, from its id (`political-body-<uuid>` → politicalBody). */
export function aggregateOfStream(streamId: string): AggregateName | undefined {
  const category = parseStreamId(streamId)?.category;
  return aggregateNames.find((name) => aggregates[name].streamCategory === category);
}

export function initialStateOf<A extends AggregateName>(aggregate: A): StateOfAggregate[A] {
  return aggregates[aggregate].initialState;
}

export function evolveAny<A extends AggregateName>(
  aggregate: A,
  state: StateOfAggregate[A],
  event: DomainEvent,
): StateOfAggregate[A] {
  const definition: AggregateDefinition<StateOfAggregate[A]> = aggregates[aggregate];
  return definition.evolve(stateAs(aggregate, state), event);
}

/** Narrows a state the caller passes in to the aggregate it must be; a mismatch is a bug in the caller. */
export function stateAs<A extends AggregateName>(aggregate: A, state: AggregateState): StateOfAggregate[A] {
  if (state.aggregate !== aggregate)
    throw new Error(`expected a ${aggregate} state, got a ${state.aggregate} state`);
  return state as StateOfAggregate[A];
}
