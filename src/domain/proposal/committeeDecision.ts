/**
 * The committee's decision on a proposal: adopted, rejected, deferred or noted, as a recommendation, an own decision
 * or a consultation response, possibly on a vote and with a grant.
 */
import { allocatedIn, isWithinCommitteeTime, lastDayOf } from '../committee/committee';
import type { CommitteeRecord } from '../committee/committee';
import { grantedIn, grantOf } from '../committee/grantLedger';
import type { CommandContext, Reference, References } from '../decider';
import { compact, reference, referenced } from '../decider';
import type { DatedStep } from '../dates';
import { assertNotBefore, assertNotInFuture } from '../dates';
import type { DomainEvent } from '../events';
import { streamIdOf } from '../events';
import { broken } from '../rules';
import type { RecordCommitteeDecisionInput } from './inputs';
import type { ProposalRecord } from './proposal';
import { awaitsCommitteeDecision, latestCommitteeDecision } from './proposal';
import { assertNotWithdrawn } from './withdrawal';

export function committeeDecisionReferences(
  input: RecordCommitteeDecisionInput,
  proposal: ProposalRecord,
): Reference[] {
  return [
    reference('committee', 'committee', proposal.committeeId),
    ...(input.voteId !== undefined ? [reference('vote', 'vote', input.voteId)] : []),
    ...(grantOf(input)
      ? [{ ...reference('grants', 'committee', proposal.committeeId), fold: 'grant-ledger' as const }]
      : []),
  ];
}

export function recordCommitteeDecision(
  input: RecordCommitteeDecisionInput,
  proposal: ProposalRecord,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotWithdrawn(proposal);
  assertAwaitsDecision(proposal);
  if (input.grantNok !== undefined && !(input.outcome === 'adopted' && input.kind === 'own_decision')) {
    // Stored, such a grant would count nowhere (the budget rule and the views read adopted own decisions only).
    const decision = `${input.outcome} ${input.kind.replace(/_/g, ' ')}`;
    throw broken(
      'grant-needs-adopted-own-decision',
      `a grant (grantNok) is recorded only with an adopted own decision, not with ${/^[aeiou]/.test(decision) ? 'an' : 'a'} ${decision}`,
    );
  }
  const committee = referenced(refs, 'committee', 'committee');
  const voteClosed = input.voteId !== undefined ? assertVoteCarries(input, proposal, refs) : undefined;
  if (input.kind === 'own_decision' && !committee.mandate.decide) {
    throw broken(
      'own-decision-needs-decide-mandate',
      "the committee's mandate does not include deciding (bestemme); it may recommend, not record an own decision",
    );
  }
  if (!isWithinCommitteeTime(committee, input.decidedOn)) {
    throw broken(
      'decision-within-committee-period',
      `the decision (${input.decidedOn}) falls outside the committee's time, ${committee.period.from} – ${lastDayOf(committee)}`,
    );
  }
  assertNotBefore(
    input.decidedOn,
    [...stepsBefore(proposal), voteClosed],
    'decision-date-in-order',
    'the decision',
  );
  assertNotInFuture(input.decidedOn, ctx.today, 'the decision');
  assertWithinBudget(input, proposal, committee, refs);
  const { proposalId: _proposalId, ...decision } = input;
  return [
    { type: 'CommitteeDecisionRecorded', data: compact({ ...decision, committeeId: proposal.committeeId }) },
  ];
}

function assertAwaitsDecision(proposal: ProposalRecord): void {
  const latest = latestCommitteeDecision(proposal);
  if (latest && !awaitsCommitteeDecision(proposal)) {
    throw broken(
      'committee-decision-final',
      `the committee already decided the proposal on ${latest.decidedOn} (${latest.outcome}); it decides again only after a deferral (utsatt) or a return from the political body (sendt tilbake)`,
    );
  }
}

/** The vote must be this proposal's, closed, and for `adopted` have passed; returns its close as a dated step. */
function assertVoteCarries(
  input: RecordCommitteeDecisionInput,
  proposal: ProposalRecord,
  refs: References,
): DatedStep {
  const vote = referenced(refs, 'vote', 'vote');
  if (vote.proposalId !== proposal.proposalId) {
    throw broken(
      'decision-vote-on-this-proposal',
      `vote ${vote.voteId} is a vote on another proposal (${vote.proposalId})`,
    );
  }
  if (vote.closed === undefined) {
    throw broken(
      'decision-vote-closed',
      `vote ${vote.voteId} is still open: close it before recording the decision`,
    );
  }
  if (input.outcome === 'adopted' && vote.closed.result === 'no_quorum') {
    throw broken(
      'quorum',
      `vote ${vote.voteId} had no quorum: fewer than half of the ${vote.closed.eligible} eligible members voted (kommuneloven § 11-9), so the proposal cannot be adopted on it`,
    );
  }
  if (input.outcome === 'adopted' && vote.closed.result !== 'passed') {
    throw broken(
      'adopted-needs-passed-vote',
      `vote ${vote.voteId} did not pass, so the proposal cannot be adopted on it`,
    );
  }
  return { date: vote.closed.closedOn, what: 'the close of the vote' };
}

function stepsBefore(proposal: ProposalRecord): DatedStep[] {
  const latest = latestCommitteeDecision(proposal);
  return [
    { date: proposal.submittedOn, what: 'the submission' },
    ...(proposal.lastAmendedOn !== undefined
      ? [{ date: proposal.lastAmendedOn, what: 'the last amendment' }]
      : []),
    ...(latest ? [{ date: latest.decidedOn, what: 'the previous committee decision' }] : []),
    ...(proposal.returnedOn !== undefined
      ? [{ date: proposal.returnedOn, what: 'the return from the political body' }]
      : []),
  ];
}

/** Grants in a year ≤ allocated for that year; this proposal's earlier grant, if any, is replaced, not added. */
function assertWithinBudget(
  input: RecordCommitteeDecisionInput,
  proposal: ProposalRecord,
  committee: CommitteeRecord,
  refs: References,
): void {
  const grant = grantOf(input);
  if (!grant) return;
  const ledger = referenced(refs, 'grants', 'grantLedger');
  const allocated = allocatedIn(committee, grant.year);
  const granted = grantedIn(ledger, grant.year, streamIdOf('proposal', proposal.proposalId));
  if (granted + grant.grantNok > allocated) {
    throw broken(
      'budget-not-exceeded',
      `a grant of ${grant.grantNok} NOK exceeds the committee's budget for ${grant.year}: ${allocated} NOK allocated, ${granted} NOK already granted, ${Math.max(allocated - granted, 0)} NOK left`,
    );
  }
}
