/**
 * Trace index: which global positions touched which proposal, so that GET /proposals/:id/trace can read exactly those
 * events (with their inclusion proofs) instead of scanning the log. A proposal is touched by its own stream's events,
 * by every event of a vote on it (opening, ballots, close) and by each meeting that had it on the agenda.
 */
import type { EventType } from '../src/domain/events';
import type { LedgerEvent, Projection } from './projection';
import { countUpTo, idInStream } from './projection';
import { proposalEventTypes } from './proposalPath';

export interface TraceIndexState {
  /** Proposal id → global positions, ascending (events arrive in global order). */
  proposals: Record<string, number[]>;
  /**
   * Vote id → the proposal it decides and the position of its opening: ballots and the close name only their vote
   * stream.
   */
  voteProposal: Record<string, { proposalId: string; openedAt: number }>;
}

const eventTypes = [
  ...proposalEventTypes,
  'VoteOpened',
  'BallotCast',
  'VoteClosed',
  'MeetingHeld',
] as const satisfies readonly EventType[];

export const traceIndexProjection: Projection<TraceIndexState> = {
  name: 'traceIndex',
  version: 2,
  eventTypes,
  initialState: () => ({ proposals: {}, voteProposal: {} }),
  apply: applyToTraceIndex,
  asOfFromCurrent: traceIndexAsOf,
};

function applyToTraceIndex(state: TraceIndexState, event: LedgerEvent): TraceIndexState {
  const position = event.globalPosition;
  switch (event.type) {
    case 'ProposalSubmitted':
    case 'ProposalAmended':
    case 'ProposalSupported':
    case 'ProposalWithdrawn':
    case 'CommitteeDecisionRecorded':
    case 'ProposalReferred':
    case 'PoliticalDecisionRecorded':
    case 'ImplementationReported':
      touch(state, idInStream(event.streamId, 'proposal'), position);
      break;
    case 'VoteOpened':
      state.voteProposal[event.data.voteId] ??= { proposalId: event.data.proposalId, openedAt: position };
      touch(state, event.data.proposalId, position);
      break;
    case 'BallotCast':
    case 'VoteClosed': {
      const vote = state.voteProposal[idInStream(event.streamId, 'vote')];
      if (vote !== undefined) touch(state, vote.proposalId, position);
      break;
    }
    case 'MeetingHeld':
      for (const proposalId of event.data.agendaProposalIds) touch(state, proposalId, position);
      break;
    default:
      break; // not read by this view
  }
  return state;
}

function touch(state: TraceIndexState, proposalId: string, position: number): void {
  const positions = state.proposals[proposalId];
  if (positions === undefined) state.proposals[proposalId] = [position];
  // An agenda naming the proposal twice is still one event.
  else if (positions.at(-1) !== position) positions.push(position);
}

/** The index as it stood at `position`: every position in it is the position of a fact, so cutting them suffices. */
function traceIndexAsOf(state: TraceIndexState, position: number): TraceIndexState {
  const proposals: TraceIndexState['proposals'] = {};
  for (const [proposalId, positions] of Object.entries(state.proposals)) {
    const seen = countUpTo(positions, position);
    if (seen > 0) proposals[proposalId] = positions.slice(0, seen);
  }
  const voteProposal: TraceIndexState['voteProposal'] = {};
  for (const [voteId, vote] of Object.entries(state.voteProposal))
    if (vote.openedAt <= position) voteProposal[voteId] = { ...vote };
  return { proposals, voteProposal };
}

// ---------- queries ----------

/** Global positions of the events that touched the proposal, ascending; empty for an unknown proposal. */
export function positionsFor(state: TraceIndexState, proposalId: string): number[] {
  return [...(state.proposals[proposalId] ?? [])];
}

/** The proposal a vote decides, or undefined for an unknown vote. */
export function proposalOfVote(state: TraceIndexState, voteId: string): string | undefined {
  return state.voteProposal[voteId]?.proposalId;
}
