import type { GrantLedger } from '../../../src/domain/commands';
import { evolveGrantLedger, initialGrantLedger } from '../../../src/domain/commands';
import { RuleViolation, StateConflict, UnknownReference } from '../../../src/domain/errors';
import type { DomainEvent } from '../../../src/domain/events';
import { streamIdOf } from '../../../src/domain/events';
import {
  budgetAllocated,
  closedVote,
  committeeDecided,
  committeeDissolved,
  committeeEstablished,
  decide,
  heggedal,
  ids,
  politicallyDecided,
  proposalSubmitted,
  referred,
  taskCommitteeEstablished,
  voteClosed,
  voteOpened,
} from './fixtures';
import { given } from './given';

const submitted = [proposalSubmitted()];
const committee = { committee: heggedal() };

describe('proposal: RecordCommitteeDecision', () => {
  it("records the decision of the proposal's committee", () => {
    given(submitted).when(decide(), committee).then([committeeDecided()]);
  });

  it('records a decision taken on a passed vote', () => {
    given(submitted)
      .when(decide({ voteId: ids.vote }), { ...committee, vote: closedVote('passed') })
      .then([committeeDecided({ voteId: ids.vote })]);
  });

  it('is a 404 for an unknown proposal', () => {
    const error = given([]).when(decide()).thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('path');
  });

  it('needs the vote it names to exist', () => {
    const error = given(submitted)
      .when(decide({ voteId: ids.vote }), committee)
      .thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('body');
  });

  describe('the latest decision counts; a decision is final unless deferred or returned', () => {
    it('decides again after a deferral', () => {
      given([...submitted, committeeDecided({ outcome: 'deferred', decidedOn: '2021-01-20' })])
        .when(decide({ decisionId: ids.decision2 }), committee)
        .then([committeeDecided({ decisionId: ids.decision2 })]);
    });

    it('decides again when the political body returned the proposal', () => {
      given([...submitted, committeeDecided(), referred(), politicallyDecided({ outcome: 'returned' })])
        .when(decide({ decisionId: ids.decision2, decidedOn: '2021-04-01' }), committee)
        .then([committeeDecided({ decisionId: ids.decision2, decidedOn: '2021-04-01' })]);
    });

    it.each(['adopted', 'rejected', 'noted'] as const)('does not decide again after %s', (outcome) => {
      given([...submitted, committeeDecided({ outcome })])
        .when(decide({ decisionId: ids.decision2, decidedOn: '2021-02-10' }), committee)
        .thenThrows(StateConflict, 'committee-decision-final');
    });

    it('does not decide again while the referral is at the political body, nor after it decided', () => {
      for (const history of [
        [...submitted, committeeDecided(), referred()],
        [...submitted, committeeDecided(), referred(), politicallyDecided({ outcome: 'postponed' })],
        [...submitted, committeeDecided(), referred(), politicallyDecided({ outcome: 'rejected' })],
      ]) {
        given(history)
          .when(decide({ decisionId: ids.decision2, decidedOn: '2021-04-01' }), committee)
          .thenThrows(StateConflict, 'committee-decision-final');
      }
    });
  });

  describe('votes', () => {
    it('names a vote on this proposal', () => {
      const otherVote = [voteOpened({ proposalId: ids.otherProposal }), ...closedVote('passed').slice(1)];
      given(submitted)
        .when(decide({ voteId: ids.vote }), { ...committee, vote: otherVote })
        .thenThrows(RuleViolation, 'decision-vote-on-this-proposal');
    });

    it('names a closed vote', () => {
      given(submitted)
        .when(decide({ voteId: ids.vote }), { ...committee, vote: [voteOpened()] })
        .thenThrows(StateConflict, 'decision-vote-closed');
    });

    it('does not adopt on a vote that failed', () => {
      given(submitted)
        .when(decide({ voteId: ids.vote }), { ...committee, vote: closedVote('failed') })
        .thenThrows(RuleViolation, 'adopted-needs-passed-vote');
    });

    it('does not adopt on a vote without quorum', () => {
      given(submitted)
        .when(decide({ voteId: ids.vote }), { ...committee, vote: closedVote('no_quorum') })
        .thenThrows(RuleViolation, 'quorum');
    });

    it('rejects on a vote that failed or had no quorum', () => {
      for (const result of ['failed', 'no_quorum'] as const) {
        given(submitted)
          .when(decide({ voteId: ids.vote, outcome: 'rejected' }), { ...committee, vote: closedVote(result) })
          .then([committeeDecided({ voteId: ids.vote, outcome: 'rejected' })]);
      }
    });
  });

  it('records an own decision only with the mandate to decide (bestemme)', () => {
    given([proposalSubmitted({ committeeId: ids.taskCommittee })])
      .when(decide({ kind: 'own_decision' }), { committee: [taskCommitteeEstablished()] })
      .thenThrows(RuleViolation, 'own-decision-needs-decide-mandate');
  });

  it('lets a committee without the mandate to decide recommend', () => {
    given([proposalSubmitted({ committeeId: ids.taskCommittee })])
      .when(decide(), { committee: [taskCommitteeEstablished()] })
      .then([committeeDecided({ committeeId: ids.taskCommittee })]);
  });

  describe("inside the committee's period, before its dissolution", () => {
    it.each([
      [
        'before the period',
        [committeeEstablished({ period: { from: '2021-03-01', to: '2022-12-31' } })],
        '2021-02-01',
      ],
      ['after the period', heggedal(), '2023-01-02'],
      ['after the dissolution', [...heggedal(), committeeDissolved('2021-01-31')], '2021-02-01'],
    ])('refuses a decision %s', (_case, committeeEvents, decidedOn) => {
      given(submitted)
        .when(decide({ decidedOn }), { committee: committeeEvents })
        .thenThrows(RuleViolation, 'decision-within-committee-period');
    });

    it('accepts a decision on the day of dissolution', () => {
      given(submitted)
        .when(decide(), { committee: [...heggedal(), committeeDissolved('2021-02-01')] })
        .then([committeeDecided()]);
    });
  });

  describe('dates in order', () => {
    const amended: DomainEvent = {
      type: 'ProposalAmended',
      data: { title: 'x', amendedOn: '2021-02-02', reason: 'y' },
    };
    it.each([
      ['the submission', submitted, '2021-01-09'],
      ['the last amendment', [...submitted, amended], '2021-02-01'],
      [
        'the deferral',
        [...submitted, committeeDecided({ outcome: 'deferred', decidedOn: '2021-02-05' })],
        '2021-02-04',
      ],
      [
        'the return from the political body',
        [...submitted, committeeDecided(), referred(), politicallyDecided({ outcome: 'returned' })],
        '2021-03-19',
      ],
    ])('refuses a decision dated before %s', (_step, history, decidedOn) => {
      given(history)
        .when(decide({ decisionId: ids.decision2, decidedOn }), committee)
        .thenThrows(RuleViolation, 'decision-date-in-order');
    });

    it('refuses a decision dated before its vote closed', () => {
      const vote = [voteOpened(), voteClosed('passed', '2021-02-03')];
      given(submitted)
        .when(decide({ voteId: ids.vote, decidedOn: '2021-02-02' }), { ...committee, vote })
        .thenThrows(RuleViolation, 'decision-date-in-order');
    });

    it('refuses a decision dated in the future', () => {
      given(submitted)
        .when(decide(), committee, { today: '2021-01-31' })
        .thenThrows(RuleViolation, 'date-not-in-future');
    });
  });

  describe('budget: grants decided in a year do not exceed what was allocated for it', () => {
    const ownGrant = (grantNok: number, decidedOn = '2021-02-01') =>
      decide({ kind: 'own_decision', grantNok, decidedOn });
    const granted = (grantNok: number, proposalId = ids.otherProposal): GrantLedger =>
      evolveGrantLedger(
        initialGrantLedger(ids.heggedal),
        streamIdOf('proposal', proposalId),
        committeeDecided({ kind: 'own_decision', grantNok }),
      );

    it('grants up to the allocation', () => {
      given(submitted)
        .when(ownGrant(20_000), { ...committee, grants: granted(80_000) })
        .then([committeeDecided({ kind: 'own_decision', grantNok: 20_000 })]);
    });

    it('refuses a grant beyond the allocation', () => {
      const error = given(submitted)
        .when(ownGrant(20_001), { ...committee, grants: granted(80_000) })
        .thenThrows(RuleViolation, 'budget-not-exceeded');
      expect(error.message).toContain('20000 NOK left');
    });

    it('refuses a grant in a year with no allocation', () => {
      given(submitted)
        .when(ownGrant(1, '2022-02-01'), { ...committee, grants: granted(0) })
        .thenThrows(RuleViolation, 'budget-not-exceeded');
    });

    it("replaces this proposal's earlier grant rather than adding to it", () => {
      let ledger = granted(40_000);
      ledger = evolveGrantLedger(
        ledger,
        streamIdOf('proposal', ids.proposal),
        committeeDecided({ kind: 'own_decision', grantNok: 50_000 }),
      );
      const history = [
        ...submitted,
        committeeDecided({ kind: 'own_decision', grantNok: 50_000 }),
        referred(),
        politicallyDecided({ outcome: 'returned' }),
      ];
      given(history)
        .when(
          decide({
            decisionId: ids.decision2,
            kind: 'own_decision',
            grantNok: 60_000,
            decidedOn: '2021-04-01',
          }),
          {
            ...committee,
            grants: ledger,
          },
        )
        .then([
          committeeDecided({
            decisionId: ids.decision2,
            kind: 'own_decision',
            grantNok: 60_000,
            decidedOn: '2021-04-01',
          }),
        ]);
    });

    it.each([
      ['an adopted recommendation', { outcome: 'adopted', kind: 'recommendation' }],
      ['an adopted consultation response', { outcome: 'adopted', kind: 'consultation_response' }],
      ['a rejected own decision', { outcome: 'rejected', kind: 'own_decision' }],
      ['a deferred own decision', { outcome: 'deferred', kind: 'own_decision' }],
      ['a noted own decision', { outcome: 'noted', kind: 'own_decision' }],
    ] as const)('records no grant with %s', (_case, decision) => {
      given(submitted)
        .when(decide({ ...decision, grantNok: 500 }), committee)
        .thenThrows(RuleViolation, 'grant-needs-adopted-own-decision');
    });

    it('refuses even a grant of 0 NOK with a recommendation: grantNok belongs to adopted own decisions', () => {
      given(submitted)
        .when(decide({ grantNok: 0 }), committee)
        .thenThrows(RuleViolation, 'grant-needs-adopted-own-decision');
    });

    it('records an adopted own decision with a grant of 0 NOK without loading the grant ledger', () => {
      given(submitted)
        .when(decide({ kind: 'own_decision', grantNok: 0 }), committee)
        .then([committeeDecided({ kind: 'own_decision', grantNok: 0 })]);
    });

    it('adds allocations of the same year', () => {
      given(submitted)
        .when(ownGrant(120_000), {
          committee: [...heggedal(), budgetAllocated(2021, 20_000)],
          grants: granted(0),
        })
        .then([committeeDecided({ kind: 'own_decision', grantNok: 120_000 })]);
    });
  });
});
