import { RuleViolation, StateConflict, UnknownReference } from '../../../src/domain/errors';
import type { DomainEvent } from '../../../src/domain/events';
import {
  amend,
  committeeDecided,
  committeeDissolved,
  councilRegistered,
  decide,
  decidePolitically,
  heggedal,
  ids,
  personRegistered,
  politicallyDecided,
  processStarted,
  proposalSubmitted,
  refer,
  referred,
  report,
  submit,
  support,
  supported,
  withdraw,
} from './fixtures';
import { given } from './given';

const submitted = [proposalSubmitted()];

describe('proposal: SubmitProposal', () => {
  const refs = {
    committee: heggedal(),
    submittedBy: [personRegistered(ids.frida)],
    process: [processStarted()],
  };

  it('submits a proposal in a process of its committee', () => {
    given([])
      .when(submit({ processId: ids.process }), refs)
      .then([proposalSubmitted({ processId: ids.process })]);
  });

  it('submits a proposal with no named submitter', () => {
    const { submittedBy: _submittedBy, ...data } = proposalSubmitted().data as { submittedBy?: string };
    given([])
      .when(submit({ submittedBy: undefined, origin: 'committee' }), { committee: heggedal() })
      .then([{ type: 'ProposalSubmitted', data: { ...data, origin: 'committee' } } as DomainEvent]);
  });

  it.each(['committee', 'submittedBy', 'process'] as const)('needs the %s it names to exist', (missing) => {
    const { [missing]: _missing, ...others } = refs;
    const error = given([])
      .when(submit({ processId: ids.process }), others)
      .thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('body');
  });

  it('is not submitted to a committee dissolved before the day of submission', () => {
    given([])
      .when(submit(), {
        submittedBy: refs.submittedBy,
        committee: [...heggedal(), committeeDissolved('2021-01-09')],
      })
      .thenThrows(StateConflict, 'committee-dissolved');
  });

  it('is recorded after the fact for a committee dissolved later', () => {
    given([])
      .when(submit(), {
        committee: [...heggedal(), committeeDissolved('2021-01-10')],
        submittedBy: refs.submittedBy,
      })
      .then([proposalSubmitted()]);
  });

  it("is placed only in a process of the proposal's committee", () => {
    given([])
      .when(submit({ processId: ids.process }), { ...refs, process: [processStarted([ids.taskCommittee])] })
      .thenThrows(RuleViolation, 'process-includes-committee');
  });

  it('is submitted once', () => {
    given(submitted)
      .when(submit(), { committee: refs.committee, submittedBy: refs.submittedBy })
      .thenThrows(StateConflict, 'already-exists');
  });

  it('is not dated in the future', () => {
    given([])
      .when(submit(), { committee: refs.committee, submittedBy: refs.submittedBy }, { today: '2021-01-09' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });
});

describe('proposal: AmendProposal', () => {
  it('amends the title', () => {
    given(submitted)
      .when(amend())
      .then([
        {
          type: 'ProposalAmended',
          data: {
            title: 'Benker og bord langs turstien',
            amendedOn: '2021-01-15',
            reason: 'innspill fra folkemøtet',
          },
        },
      ]);
  });

  it('is a 404 for an unknown proposal', () => {
    const error = given([]).when(amend()).thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('path');
  });

  it('amends only before the first committee decision, even a deferral', () => {
    given([...submitted, committeeDecided({ outcome: 'deferred' })])
      .when(amend({ amendedOn: '2021-02-10' }))
      .thenThrows(StateConflict, 'amendment-before-committee-decision');
  });

  it('changes the title or the description', () => {
    given(submitted)
      .when(amend({ title: undefined }))
      .thenThrows(RuleViolation, 'amendment-changes-text');
  });

  it('is not dated before the submission', () => {
    given(submitted)
      .when(amend({ amendedOn: '2021-01-09' }))
      .thenThrows(RuleViolation, 'amendment-date-in-order');
  });

  it('is not dated before the previous amendment', () => {
    const earlier: DomainEvent = {
      type: 'ProposalAmended',
      data: { description: 'x', amendedOn: '2021-01-20', reason: 'y' },
    };
    given([...submitted, earlier])
      .when(amend())
      .thenThrows(RuleViolation, 'amendment-date-in-order');
  });

  it('is not dated in the future', () => {
    given(submitted)
      .when(amend(), {}, { today: '2021-01-14' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });
});

describe('proposal: SupportProposal', () => {
  const frida = { person: [personRegistered(ids.frida)] };

  it('records a support', () => {
    given(submitted)
      .when(support(ids.frida), frida)
      .then([supported(ids.frida)]);
  });

  it('needs the person to exist', () => {
    given(submitted).when(support(ids.frida)).thenThrows(UnknownReference, 'references-exist');
  });

  it('takes one support per person', () => {
    given([...submitted, supported(ids.frida)])
      .when(support(ids.frida, '2021-02-01'), frida)
      .thenThrows(StateConflict, 'one-support-per-person');
  });

  it('is not dated before the submission', () => {
    given(submitted)
      .when(support(ids.frida, '2021-01-09'), frida)
      .thenThrows(RuleViolation, 'support-after-submission');
  });

  it('is not dated in the future', () => {
    given(submitted)
      .when(support(ids.frida), frida, { today: '2021-01-19' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });
});

describe('proposal: WithdrawProposal', () => {
  it('withdraws a proposal', () => {
    given(submitted)
      .when(withdraw())
      .then([
        { type: 'ProposalWithdrawn', data: { withdrawnOn: '2021-04-01', reason: 'løst på annen måte' } },
      ]);
  });

  it('withdraws a proposal waiting for a political decision, or postponed, or returned', () => {
    const atCouncil = [...submitted, committeeDecided(), referred()];
    for (const history of [
      atCouncil,
      [...atCouncil, politicallyDecided({ outcome: 'postponed' })],
      [...atCouncil, politicallyDecided({ outcome: 'returned' })],
    ]) {
      given(history)
        .when(withdraw())
        .then([expect.objectContaining({ type: 'ProposalWithdrawn' })]);
    }
  });

  it.each(['adopted', 'adopted_with_amendments', 'rejected', 'noted'] as const)(
    'withdraws nothing once a political body decided it (%s)',
    (outcome) => {
      given([...submitted, committeeDecided(), referred(), politicallyDecided({ outcome })])
        .when(withdraw())
        .thenThrows(StateConflict, 'withdrawal-before-political-decision');
    },
  );

  it('is not dated before the last thing that happened to the proposal', () => {
    given([...submitted, committeeDecided({ outcome: 'deferred', decidedOn: '2021-04-02' })])
      .when(withdraw('2021-04-01'))
      .thenThrows(RuleViolation, 'withdrawal-date-in-order');
  });

  it('is not dated in the future', () => {
    given(submitted)
      .when(withdraw(), {}, { today: '2021-03-31' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });
});

describe('proposal: no command after ProposalWithdrawn', () => {
  const withdrawn: DomainEvent[] = [
    proposalSubmitted(),
    { type: 'ProposalWithdrawn', data: { withdrawnOn: '2021-01-12', reason: 'trukket' } },
  ];
  const adoptedAndReferred: DomainEvent[] = [
    proposalSubmitted(),
    committeeDecided(),
    referred(),
    { type: 'ProposalWithdrawn', data: { withdrawnOn: '2021-02-20', reason: 'trukket' } },
  ];

  it.each([
    ['AmendProposal', withdrawn, amend(), {}],
    ['SupportProposal', withdrawn, support(ids.anne), { person: [personRegistered(ids.anne)] }],
    ['WithdrawProposal', withdrawn, withdraw(), {}],
    ['RecordCommitteeDecision', withdrawn, decide(), { committee: heggedal() }],
    ['ReferProposal', withdrawn, refer(), { body: [councilRegistered()] }],
    ['RecordPoliticalDecision', adoptedAndReferred, decidePolitically(), {}],
    ['ReportImplementation', adoptedAndReferred, report(), {}],
  ] as const)('refuses %s', (_name, history, command, refs) => {
    given(history).when(command, refs).thenThrows(StateConflict, 'withdrawn-proposal-is-closed');
  });
});
