/** Referrals to political bodies (innstilling, høringsuttalelse, initiativ, innbyggerforslag) and their decisions. */
import type { CommandContext, Present, References } from '../decider';
import { compact, referenced } from '../decider';
import type { DatedStep } from '../dates';
import { assertNotBefore, assertNotInFuture } from '../dates';
import { UnknownReference } from '../errors';
import type { DomainEvent } from '../events';
import type { PoliticalBodyState } from '../politicalBody/politicalBody';
import { broken } from '../rules';
import type { RecordPoliticalDecisionInput, ReferProposalInput } from './inputs';
import type { ProposalRecord } from './proposal';
import {
  latestCommitteeDecision,
  openReferral,
  politicalDecisions,
  referralById,
  supportsBy,
} from './proposal';
import { assertNotWithdrawn } from './withdrawal';

export function referProposal(
  input: ReferProposalInput,
  proposal: ProposalRecord,
  refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotWithdrawn(proposal);
  const open = openReferral(proposal);
  if (open) {
    throw broken(
      'one-open-referral',
      `referral ${open.referralId} of ${open.referredOn} is still open; a political decision must close it first`,
    );
  }
  const body = referenced(refs, 'body', 'politicalBody');
  const basis =
    input.kind === 'citizen_initiative'
      ? citizenInitiativeBasis(input, proposal, body, ctx)
      : committeeDecisionBasis(proposal);
  const lastPolitical = politicalDecisions(proposal).at(-1);
  assertNotBefore(
    input.referredOn,
    [
      basis,
      lastPolitical ? { date: lastPolitical.decidedOn, what: 'the last political decision' } : undefined,
    ],
    'referral-date-in-order',
    'the referral',
  );
  assertNotInFuture(input.referredOn, ctx.today, 'the referral');
  const { proposalId: _proposalId, ...referral } = input;
  return [{ type: 'ProposalReferred', data: compact(referral) }];
}

/** Recommendation, consultation response, initiative: the committee adopted it, and it has not come back since. */
function committeeDecisionBasis(proposal: ProposalRecord): DatedStep {
  const latest = latestCommitteeDecision(proposal);
  if (proposal.returnedOn !== undefined) {
    throw broken(
      'referral-needs-adopted-decision',
      `the political body returned the proposal on ${proposal.returnedOn}; the committee must decide it again before a new referral`,
    );
  }
  if (latest?.outcome !== 'adopted') {
    throw broken(
      'referral-needs-adopted-decision',
      latest
        ? `the latest committee decision (${latest.decidedOn}) is ${latest.outcome}, not adopted`
        : 'the committee has not yet decided the proposal',
    );
  }
  return { date: latest.decidedOn, what: 'the committee decision' };
}

/** Innbyggerforslag (kommuneloven § 12-1): from citizens, with enough supports, to the council. */
function citizenInitiativeBasis(
  input: ReferProposalInput,
  proposal: ProposalRecord,
  body: Present<PoliticalBodyState>,
  ctx: CommandContext,
): DatedStep {
  if (proposal.origin !== 'citizen_initiative') {
    throw broken(
      'citizen-initiative-origin',
      `only a citizens' initiative (innbyggerforslag) is referred as one; this proposal's origin is ${proposal.origin}`,
    );
  }
  if (body.kind !== 'council') {
    throw broken(
      'citizen-initiative-to-council',
      `a citizens' initiative goes to the municipal council (kommunestyret), not to ${body.name} (${body.kind})`,
    );
  }
  const supports = supportsBy(proposal, input.referredOn);
  if (supports < ctx.citizenInitiativeThreshold) {
    throw broken(
      'citizen-initiative-threshold',
      `a citizens' initiative needs ${ctx.citizenInitiativeThreshold} supports (kommuneloven § 12-1); it had ${supports} by ${input.referredOn}`,
    );
  }
  return { date: proposal.submittedOn, what: 'the submission' };
}

export function recordPoliticalDecision(
  input: RecordPoliticalDecisionInput,
  proposal: ProposalRecord,
  _refs: References,
  ctx: CommandContext,
): DomainEvent[] {
  assertNotWithdrawn(proposal);
  const referral = referralById(proposal, input.referralId);
  if (!referral) throw new UnknownReference('referral', input.referralId, 'path');
  if (!referral.open) {
    const closing = referral.decisions.at(-1);
    throw broken(
      'political-decision-needs-open-referral',
      `referral ${referral.referralId} was closed by the political decision of ${closing?.decidedOn ?? '?'} (${closing?.outcome ?? '?'})`,
    );
  }
  assertNotBefore(
    input.decidedOn,
    [
      { date: referral.referredOn, what: 'the referral' },
      ...referral.decisions.map((d) => ({ date: d.decidedOn, what: 'the postponement' })),
    ],
    'political-decision-date-in-order',
    'the political decision',
  );
  assertNotInFuture(input.decidedOn, ctx.today, 'the political decision');
  const { proposalId: _proposalId, ...decision } = input;
  return [{ type: 'PoliticalDecisionRecorded', data: { ...decision, bodyId: referral.toBodyId } }];
}
