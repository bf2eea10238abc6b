import { ZodError } from 'zod';
import { RuleViolation, StateConflict } from '../../../src/domain/errors';
import type { DomainEvent } from '../../../src/domain/events';
import { committeeDecided, ids, politicallyDecided, proposalSubmitted, referred, report } from './fixtures';
import { given } from './given';

const referredToCouncil = [proposalSubmitted(), committeeDecided(), referred()];
const adoptedByCouncil = [...referredToCouncil, politicallyDecided()];

const reported = (
  over: Partial<Extract<DomainEvent, { type: 'ImplementationReported' }>['data']> = {},
): DomainEvent => ({
  type: 'ImplementationReported',
  data: {
    status: 'in_progress',
    progressPct: 40,
    note: 'Tre av fem benker er satt opp.',
    reportedOn: '2021-05-01',
    ...over,
  },
});

describe('proposal: ReportImplementation', () => {
  it('reports progress on a proposal the council adopted', () => {
    given(adoptedByCouncil).when(report()).then([reported()]);
  });

  it('reports on a proposal adopted with amendments', () => {
    given([...referredToCouncil, politicallyDecided({ outcome: 'adopted_with_amendments' })])
      .when(report())
      .then([reported()]);
  });

  it("reports on the committee's own adopted decision, with no referral", () => {
    given([proposalSubmitted(), committeeDecided({ kind: 'own_decision', grantNok: 10_000 })])
      .when(report({ reportedOn: '2021-02-01' }))
      .then([reported({ reportedOn: '2021-02-01' })]);
  });

  it('reports completion at 100 %', () => {
    given([...adoptedByCouncil, reported()])
      .when(report({ status: 'completed', progressPct: 100, reportedOn: '2021-09-01' }))
      .then([reported({ status: 'completed', progressPct: 100, reportedOn: '2021-09-01' })]);
  });

  it.each([
    ['only recommended by the committee', [proposalSubmitted(), committeeDecided()]],
    ['still at the council', referredToCouncil],
    ['postponed by the council', [...referredToCouncil, politicallyDecided({ outcome: 'postponed' })]],
    ['rejected by the council', [...referredToCouncil, politicallyDecided({ outcome: 'rejected' })]],
    ['noted by the council', [...referredToCouncil, politicallyDecided({ outcome: 'noted' })]],
    ['returned by the council', [...referredToCouncil, politicallyDecided({ outcome: 'returned' })]],
    [
      'an own decision that was rejected',
      [proposalSubmitted(), committeeDecided({ kind: 'own_decision', outcome: 'rejected' })],
    ],
  ])('reports nothing on a proposal %s', (_case, history) => {
    given(history).when(report()).thenThrows(StateConflict, 'implementation-needs-adoption');
  });

  it('means 100 % by completed', () => {
    given(adoptedByCouncil)
      .when(report({ status: 'completed', progressPct: 90 }))
      .thenThrows(RuleViolation, 'completed-means-100');
  });

  it('takes progress from 0 to 100 %', () => {
    expect(() =>
      given(adoptedByCouncil)
        .when(report({ progressPct: 101 }))
        .then([]),
    ).toThrow(ZodError);
    expect(() =>
      given(adoptedByCouncil)
        .when(report({ progressPct: -1 }))
        .then([]),
    ).toThrow(ZodError);
  });

  it('is not dated before the decision it carries out', () => {
    given(adoptedByCouncil)
      .when(report({ reportedOn: '2021-03-19' }))
      .thenThrows(RuleViolation, 'implementation-date-in-order');
  });

  it('is not dated in the future', () => {
    given(adoptedByCouncil)
      .when(report(), {}, { today: '2021-04-30' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });

  it('keeps the latest political decision: adopted after a return and a new referral', () => {
    const history = [
      ...referredToCouncil,
      politicallyDecided({ outcome: 'returned' }),
      committeeDecided({ decisionId: ids.decision2, decidedOn: '2021-04-01' }),
      referred({ referralId: ids.referral2, referredOn: '2021-04-10' }),
      politicallyDecided({ referralId: ids.referral2, decidedOn: '2021-05-01' }),
    ];
    given(history)
      .when(report({ reportedOn: '2021-05-02' }))
      .then([reported({ reportedOn: '2021-05-02' })]);
  });
});
