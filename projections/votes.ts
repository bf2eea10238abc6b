/**
 * Votes: each committee vote with its ballots and result, for GET /votes/:id, and the positions of its events for
 * their proofs. Ballots carry person ids only; the HTTP layer shows personal data as the caller's role allows.
 */
import type { EventData, EventType } from '../src/domain/events';
import type { LedgerEvent, Projection } from './projection';
import { countUpTo, idInStream } from './projection';

type Opened = EventData<'VoteOpened'>;

export interface Ballot {
  personId: string;
  choice: EventData<'BallotCast'>['choice'];
  castOn: string;
}

export interface VoteClose {
  closedOn: string;
  eligible: number;
  tally: EventData<'VoteClosed'>['tally'];
  result: EventData<'VoteClosed'>['result'];
}

export interface VoteRecord {
  voteId: string;
  proposalId: string;
  committeeId: string;
  meetingId: string | null;
  question: string;
  rule: Opened['rule'];
  openedOn: string;
  /** In the order cast. */
  ballots: Ballot[];
  closed: VoteClose | null;
  /** Global positions of the vote's events, ascending. */
  positions: number[];
}

export interface VotesState {
  votes: Record<string, VoteRecord>;
  /** Proposal id → its votes, in the order opened. */
  proposalVotes: Record<string, string[]>;
}

const eventTypes = ['VoteOpened', 'BallotCast', 'VoteClosed'] as const satisfies readonly EventType[];

export const votesProjection: Projection<VotesState> = {
  name: 'votes',
  version: 1,
  eventTypes,
  initialState: () => ({ votes: {}, proposalVotes: {} }),
  apply: applyToVotes,
  asOfFromCurrent: votesAsOf,
};

function applyToVotes(state: VotesState, event: LedgerEvent): VotesState {
  switch (event.type) {
    case 'VoteOpened': {
      const { voteId, proposalId, committeeId, meetingId, question, rule, openedOn } = event.data;
      if (state.votes[voteId] !== undefined) break;
      state.votes[voteId] = {
        voteId,
        proposalId,
        committeeId,
        meetingId: meetingId ?? null,
        question,
        rule,
        openedOn,
        ballots: [],
        closed: null,
        positions: [event.globalPosition],
      };
      (state.proposalVotes[proposalId] ??= []).push(voteId);
      break;
    }
    case 'BallotCast': {
      const vote = state.votes[idInStream(event.streamId, 'vote')];
      if (vote === undefined) break;
      const { personId, choice, castOn } = event.data;
      vote.ballots.push({ personId, choice, castOn });
      vote.positions.push(event.globalPosition);
      break;
    }
    case 'VoteClosed': {
      const vote = state.votes[idInStream(event.streamId, 'vote')];
      if (vote === undefined) break;
      const { closedOn, eligible, tally, result } = event.data;
      vote.closed = { closedOn, eligible, tally: { ...tally }, result };
      vote.positions.push(event.globalPosition);
      break;
    }
    default:
      break; // not read by this view
  }
  return state;
}

/**
 * The votes as they stood at `position`: a vote's `positions` are its opening, its ballots in order and its close, so
 * cutting them at `position` says how many ballots had been cast and whether it had closed. A new state; the current
 * one is left as it is.
 */
function votesAsOf(state: VotesState, position: number): VotesState {
  const votes: Record<string, VoteRecord> = {};
  for (const [voteId, vote] of Object.entries(state.votes)) {
    const seen = countUpTo(vote.positions, position);
    if (seen === 0) continue;
    const closed = vote.closed !== null && seen === vote.positions.length;
    const ballots = closed ? vote.ballots.length : seen - 1;
    votes[voteId] = {
      ...vote,
      ballots: vote.ballots.slice(0, ballots).map((b) => ({ ...b })),
      closed: closed && vote.closed ? { ...vote.closed, tally: { ...vote.closed.tally } } : null,
      positions: vote.positions.slice(0, seen),
    };
  }
  const proposalVotes: Record<string, string[]> = {};
  for (const [proposalId, ids] of Object.entries(state.proposalVotes)) {
    const opened = ids.filter((id) => votes[id] !== undefined);
    if (opened.length > 0) proposalVotes[proposalId] = opened;
  }
  return { votes, proposalVotes };
}

// ---------- queries ----------

/** The vote, or undefined for an unknown id. A copy: the runner keeps folding into the state. */
export function voteOf(state: VotesState, voteId: string): VoteRecord | undefined {
  const v = state.votes[voteId];
  if (v === undefined) return undefined;
  return {
    ...v,
    ballots: v.ballots.map((b) => ({ ...b })),
    closed: v.closed && { ...v.closed, tally: { ...v.closed.tally } },
    positions: [...v.positions],
  };
}

/** The votes on a proposal, in the order opened. */
export function votesOnProposal(state: VotesState, proposalId: string): VoteRecord[] {
  return (state.proposalVotes[proposalId] ?? []).flatMap((id) => voteOf(state, id) ?? []);
}

/** Every vote, or those on one proposal, by opening date then id. */
export function listVotes(state: VotesState, filter: { proposalId?: string } = {}): VoteRecord[] {
  const ids =
    filter.proposalId === undefined
      ? Object.keys(state.votes)
      : (state.proposalVotes[filter.proposalId] ?? []);
  return ids
    .flatMap((id) => voteOf(state, id) ?? [])
    .sort((a, b) =>
      a.openedOn < b.openedOn
        ? -1
        : a.openedOn > b.openedOn
          ? 1
          : a.voteId < b.voteId
            ? -1
            : a.voteId > b.voteId
              ? 1
              : 0,
    );
}
