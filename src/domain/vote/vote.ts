/** A committee vote on a proposal: opened, ballots cast, closed with a tally the server computes. */
import type { DomainEvent, EventData } from '../events';

export type VoteRule = EventData<'VoteOpened'>['rule'];
export type Ballot = EventData<'BallotCast'>;
export type VoteClosedData = EventData<'VoteClosed'>;

export interface VoteRecord {
  aggregate: 'vote';
  status: 'open' | 'closed';
  voteId: string;
  proposalId: string;
  committeeId: string;
  rule: VoteRule;
  openedOn: string;
  ballots: readonly Ballot[];
  closed?: VoteClosedData;
}

export type VoteState = { aggregate: 'vote'; status: 'absent' } | VoteRecord;

export const initialState: VoteState = { aggregate: 'vote', status: 'absent' };

export function evolve(state: VoteState, event: DomainEvent): VoteState {
  if (event.type === 'VoteOpened') {
    const { voteId, proposalId, committeeId, rule, openedOn } = event.data;
    return {
      aggregate: 'vote',
      status: 'open',
      voteId,
      proposalId,
      committeeId,
      rule,
      openedOn,
      ballots: [],
    };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'BallotCast':
      return { ...state, ballots: [...state.ballots, event.data] };
    case 'VoteClosed':
      return { ...state, status: 'closed', closed: event.data };
    default:
      return state;
  }
}

export type Tally = VoteClosedData['tally'];

export function tallyOf(ballots: readonly Ballot[]): Tally {
  const tally = { yes: 0, no: 0, abstain: 0 };
  for (const ballot of ballots) tally[ballot.choice] += 1;
  return tally;
}

/**
 * Quorum: at least half of the eligible cast a ballot (kommuneloven § 11-9), abstentions included. Then
 * simple_majority passes when yes > no, two_thirds when yes ≥ 2/3 of (yes + no); integer arithmetic avoids rounding.
 * With no yes and no no votes nothing passes.
 */
export function resultOf(rule: VoteRule, eligible: number, tally: Tally): VoteClosedData['result'] {
  const cast = tally.yes + tally.no + tally.abstain;
  if (2 * cast < eligible) return 'no_quorum';
  const decisive = tally.yes + tally.no;
  if (decisive === 0) return 'failed';
  const passes = rule === 'simple_majority' ? tally.yes > tally.no : 3 * tally.yes >= 2 * decisive;
  return passes ? 'passed' : 'failed';
}
