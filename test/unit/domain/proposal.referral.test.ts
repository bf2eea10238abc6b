import { RuleViolation, StateConflict, UnknownReference } from '../../../src/domain/errors';
import {
  committeeDecided,
  councilRegistered,
  decidePolitically,
  executiveRegistered,
  ids,
  politicallyDecided,
  proposalSubmitted,
  refer,
  referred,
  supported,
} from './fixtures';
import { given } from './given';

const adopted = [proposalSubmitted(), committeeDecided()];
const council = { body: [councilRegistered()] };
const executive = { body: [executiveRegistered()] };

describe('proposal: ReferProposal', () => {
  it('refers a proposal the committee adopted', () => {
    given(adopted).when(refer(), council).then([referred()]);
  });

  it('refers to any kind of body, without a case number', () => {
    given(adopted)
      .when(
        refer({ toBodyId: ids.executive, kind: 'consultation_response', caseNumber: undefined }),
        executive,
      )
      .then([
        {
          type: 'ProposalReferred',
          data: {
            referralId: ids.referral1,
            toBodyId: ids.executive,
            kind: 'consultation_response',
            referredOn: '2021-02-15',
          },
        },
      ]);
  });

  it('needs the body to exist', () => {
    const error = given(adopted).when(refer()).thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('body');
  });

  it('is a 404 for an unknown proposal', () => {
    given([]).when(refer()).thenThrows(UnknownReference, 'references-exist');
  });

  it.each([
    ['no committee decision', [proposalSubmitted()]],
    ['a rejection', [proposalSubmitted(), committeeDecided({ outcome: 'rejected' })]],
    ['a deferral', [proposalSubmitted(), committeeDecided({ outcome: 'deferred' })]],
    ['a noting', [proposalSubmitted(), committeeDecided({ outcome: 'noted' })]],
    ['a return not yet decided again', [...adopted, referred(), politicallyDecided({ outcome: 'returned' })]],
  ])('needs an adopted committee decision, not %s', (_case, history) => {
    given(history)
      .when(refer({ referralId: ids.referral2, referredOn: '2021-04-01' }), council)
      .thenThrows(StateConflict, 'referral-needs-adopted-decision');
  });

  it('allows one open referral at a time', () => {
    given([...adopted, referred()])
      .when(refer({ referralId: ids.referral2, toBodyId: ids.executive }), executive)
      .thenThrows(StateConflict, 'one-open-referral');
  });

  it('keeps the referral open when postponed', () => {
    given([...adopted, referred(), politicallyDecided({ outcome: 'postponed' })])
      .when(
        refer({ referralId: ids.referral2, toBodyId: ids.executive, referredOn: '2021-04-01' }),
        executive,
      )
      .thenThrows(StateConflict, 'one-open-referral');
  });

  it('refers again after a political decision, e.g. from the executive committee to the council', () => {
    const history = [
      ...adopted,
      referred({ toBodyId: ids.executive }),
      politicallyDecided({ bodyId: ids.executive, outcome: 'adopted_with_amendments' }),
    ];
    given(history)
      .when(refer({ referralId: ids.referral2, referredOn: '2021-04-01' }), council)
      .then([referred({ referralId: ids.referral2, referredOn: '2021-04-01' })]);
  });

  it('is not dated before the committee decision', () => {
    given(adopted)
      .when(refer({ referredOn: '2021-01-31' }), council)
      .thenThrows(RuleViolation, 'referral-date-in-order');
  });

  it('is not dated before the last political decision', () => {
    const history = [
      ...adopted,
      referred({ toBodyId: ids.executive }),
      politicallyDecided({ bodyId: ids.executive }),
    ];
    given(history)
      .when(refer({ referralId: ids.referral2, referredOn: '2021-03-19' }), council)
      .thenThrows(RuleViolation, 'referral-date-in-order');
  });

  it('is not dated in the future', () => {
    given(adopted)
      .when(refer(), council, { today: '2021-02-14' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });
});

describe("proposal: ReferProposal as a citizens' initiative (innbyggerforslag, kommuneloven § 12-1)", () => {
  const initiative = proposalSubmitted({ origin: 'citizen_initiative' });
  const supports = [
    supported(ids.anne, '2021-01-11'),
    supported(ids.bjorn, '2021-01-12'),
    supported(ids.cecilie, '2021-01-13'),
  ];
  const threshold = { citizenInitiativeThreshold: 3 };
  const referInitiative = (referredOn = '2021-01-20') =>
    refer({ kind: 'citizen_initiative', referredOn, caseNumber: undefined });

  it('refers an initiative with enough supports to the council, with no committee decision needed', () => {
    given([initiative, ...supports])
      .when(referInitiative(), council, threshold)
      .then([
        {
          type: 'ProposalReferred',
          data: {
            referralId: ids.referral1,
            toBodyId: ids.council,
            kind: 'citizen_initiative',
            referredOn: '2021-01-20',
          },
        },
      ]);
  });

  it('needs the threshold of supports', () => {
    const error = given([initiative, ...supports.slice(0, 2)])
      .when(referInitiative(), council, threshold)
      .thenThrows(RuleViolation, 'citizen-initiative-threshold');
    expect(error.message).toContain('§ 12-1');
  });

  it('uses 300 supports by default', () => {
    given([initiative, ...supports])
      .when(referInitiative(), council)
      .thenThrows(RuleViolation, 'citizen-initiative-threshold');
  });

  it('counts only supports given by the day of the referral', () => {
    given([initiative, ...supports])
      .when(referInitiative('2021-01-12'), council, threshold)
      .thenThrows(RuleViolation, 'citizen-initiative-threshold');
  });

  it("is only for a proposal that came as a citizens' initiative", () => {
    given([proposalSubmitted(), ...supports])
      .when(referInitiative(), council, threshold)
      .thenThrows(RuleViolation, 'citizen-initiative-origin');
  });

  it('goes to the council only', () => {
    given([initiative, ...supports])
      .when(
        refer({ kind: 'citizen_initiative', toBodyId: ids.executive, referredOn: '2021-01-20' }),
        executive,
        threshold,
      )
      .thenThrows(RuleViolation, 'citizen-initiative-to-council');
  });

  it('is not dated before the submission', () => {
    given([initiative, ...supports])
      .when(referInitiative('2021-01-09'), council, { citizenInitiativeThreshold: 0 })
      .thenThrows(RuleViolation, 'referral-date-in-order');
  });
});

describe('proposal: RecordPoliticalDecision', () => {
  const atCouncil = [...adopted, referred()];

  it('records the decision on the open referral, by the body it was referred to', () => {
    given(atCouncil)
      .when(decidePolitically({ votesFor: 30, votesAgainst: 17 }), {})
      .then([politicallyDecided({ votesFor: 30, votesAgainst: 17 })]);
  });

  it('takes the body from the referral', () => {
    given([...adopted, referred({ toBodyId: ids.executive })])
      .when(decidePolitically())
      .then([politicallyDecided({ bodyId: ids.executive })]);
  });

  it('decides again after a postponement', () => {
    given([...atCouncil, politicallyDecided({ outcome: 'postponed', decidedOn: '2021-03-01' })])
      .when(decidePolitically())
      .then([politicallyDecided()]);
  });

  it('is a 404 for a referral the proposal does not have', () => {
    const error = given(atCouncil)
      .when(decidePolitically({ referralId: ids.unknown }))
      .thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('path');
  });

  it.each(['adopted', 'rejected', 'returned', 'noted'] as const)(
    'records nothing on a referral closed by %s',
    (outcome) => {
      given([...atCouncil, politicallyDecided({ outcome })])
        .when(decidePolitically({ decidedOn: '2021-04-01' }))
        .thenThrows(StateConflict, 'political-decision-needs-open-referral');
    },
  );

  it('is not dated before the referral', () => {
    given(atCouncil)
      .when(decidePolitically({ decidedOn: '2021-02-14' }))
      .thenThrows(RuleViolation, 'political-decision-date-in-order');
  });

  it('is not dated before the postponement', () => {
    given([...atCouncil, politicallyDecided({ outcome: 'postponed', decidedOn: '2021-03-21' })])
      .when(decidePolitically())
      .thenThrows(RuleViolation, 'political-decision-date-in-order');
  });

  it('is not dated in the future', () => {
    given(atCouncil)
      .when(decidePolitically(), {}, { today: '2021-03-19' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });
});
