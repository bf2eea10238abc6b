import type { AppointMemberInput, EstablishCommitteeInput } from '../../../src/domain/commands';
import { evolveGrantLedger, initialGrantLedger } from '../../../src/domain/commands';
import { eligibleVotersOn } from '../../../src/domain/committee/committee';
import { grantedIn } from '../../../src/domain/committee/grantLedger';
import { RuleViolation, StateConflict, UnknownReference } from '../../../src/domain/errors';
import { streamIdOf } from '../../../src/domain/events';
import {
  arenaRegistered,
  budgetAllocated,
  committeeDecided,
  committeeData,
  committeeDissolved,
  committeeEstablished,
  councilRegistered,
  heggedal,
  ids,
  memberAppointed,
  memberLeft,
  personRegistered,
} from './fixtures';
import { command, given, stateOf } from './given';

describe('committee: EstablishCommittee', () => {
  const establish = (over: Partial<EstablishCommitteeInput> = {}) =>
    command('EstablishCommittee', committeeData(over));

  it('establishes a committee', () => {
    given([]).when(establish()).then([committeeEstablished()]);
  });

  it('establishes a committee at an arena, set up by a political body', () => {
    const establishedBy = { bodyId: ids.council, caseNumber: '20/555' };
    given([])
      .when(establish({ arenaId: ids.torg, establishedBy }), {
        arena: [arenaRegistered()],
        establishedBy: [councilRegistered()],
      })
      .then([committeeEstablished({ arenaId: ids.torg, establishedBy })]);
  });

  it('needs the arena to exist (422: named in the body)', () => {
    const error = given([])
      .when(establish({ arenaId: ids.torg }))
      .thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('body');
  });

  it('needs the establishing body to exist', () => {
    given([])
      .when(establish({ establishedBy: { bodyId: ids.council, caseNumber: '20/555' } }))
      .thenThrows(UnknownReference, 'references-exist');
  });

  it('refuses a period that ends before it starts', () => {
    given([])
      .when(establish({ period: { from: '2022-01-01', to: '2021-12-31' } }))
      .thenThrows(RuleViolation, 'committee-period-in-order');
  });

  it('refuses a second establishment under the same id', () => {
    given([committeeEstablished()]).when(establish()).thenThrows(StateConflict, 'already-exists');
  });

  it('refuses a period that starts after today', () => {
    given([])
      .when(establish({ period: { from: '2024-06-02', to: '2026-12-31' } }), {}, { today: '2024-06-01' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });

  it("accepts a period that starts today and ends years ahead: the end is the committee's plan", () => {
    given([])
      .when(establish({ period: { from: '2024-06-01', to: '2030-12-31' } }), {}, { today: '2024-06-01' })
      .then([committeeEstablished({ period: { from: '2024-06-01', to: '2030-12-31' } })]);
  });
});

describe('committee: AppointMember', () => {
  const appoint = (over: Partial<AppointMemberInput> = {}) =>
    command('AppointMember', {
      committeeId: ids.heggedal,
      personId: ids.frida,
      role: 'member',
      actorGroup: 'voluntary_org',
      representationBasis: 'interest',
      represents: 'Heggedal idrettslag',
      appointedOn: '2021-03-01',
      ...over,
    });
  const frida = { person: [personRegistered(ids.frida)] };

  it('appoints a person', () => {
    given([committeeEstablished()])
      .when(appoint(), frida)
      .then([
        {
          type: 'MemberAppointed',
          data: {
            personId: ids.frida,
            role: 'member',
            actorGroup: 'voluntary_org',
            representationBasis: 'interest',
            represents: 'Heggedal idrettslag',
            appointedOn: '2021-03-01',
          },
        },
      ]);
  });

  it('is a 404 for an unknown committee', () => {
    const error = given([]).when(appoint(), frida).thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('path');
  });

  it('needs the person to exist', () => {
    const error = given([committeeEstablished()])
      .when(appoint())
      .thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('body');
  });

  it('appoints a person at most once while active', () => {
    given([committeeEstablished(), memberAppointed(ids.frida)])
      .when(appoint(), frida)
      .thenThrows(StateConflict, 'member-appointed-once');
  });

  it('appoints again a person who has left, from the day they left', () => {
    given([committeeEstablished(), memberAppointed(ids.frida), memberLeft(ids.frida, '2021-03-01')])
      .when(appoint({ role: 'leader' }), frida)
      .then([expect.objectContaining({ type: 'MemberAppointed' })]);
  });

  it('does not appoint again before the day the person left', () => {
    given([committeeEstablished(), memberAppointed(ids.frida), memberLeft(ids.frida, '2021-04-01')])
      .when(appoint(), frida)
      .thenThrows(RuleViolation, 'appointment-after-leaving');
  });

  it.each([
    ['before the period', '2020-08-31'],
    ['after the period', '2023-01-01'],
  ])('refuses an appointment %s', (_case, appointedOn) => {
    given([committeeEstablished()])
      .when(appoint({ appointedOn }), frida)
      .thenThrows(RuleViolation, 'appointment-within-committee-period');
  });

  it('accepts appointments on the first and the last day of the period', () => {
    for (const appointedOn of ['2020-09-01', '2022-12-31']) {
      given([committeeEstablished()])
        .when(appoint({ appointedOn }), frida)
        .then([expect.objectContaining({ type: 'MemberAppointed' })]);
    }
  });

  it('refuses an appointment dated after today, even inside a period that ends later', () => {
    given([committeeEstablished({ period: { from: '2020-09-01', to: '2030-12-31' } })])
      .when(appoint({ appointedOn: '2024-06-02' }), frida, { today: '2024-06-01' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });

  it('accepts an appointment dated today', () => {
    given([committeeEstablished({ period: { from: '2020-09-01', to: '2030-12-31' } })])
      .when(appoint({ appointedOn: '2024-06-01' }), frida, { today: '2024-06-01' })
      .then([expect.objectContaining({ type: 'MemberAppointed' })]);
  });

  it('appoints no one to a dissolved committee', () => {
    given([committeeEstablished(), committeeDissolved('2022-06-30')])
      .when(appoint(), frida)
      .thenThrows(StateConflict, 'committee-dissolved');
  });
});

describe('committee: RecordMemberLeft', () => {
  const leave = (leftOn = '2021-06-30') =>
    command('RecordMemberLeft', {
      committeeId: ids.heggedal,
      personId: ids.anne,
      leftOn,
      reason: 'moved away',
    });
  const anne = { person: [personRegistered(ids.anne)] };

  it('records that an active member left', () => {
    given(heggedal())
      .when(leave(), anne)
      .then([
        { type: 'MemberLeft', data: { personId: ids.anne, leftOn: '2021-06-30', reason: 'moved away' } },
      ]);
  });

  it('accepts leaving on the day of appointment', () => {
    given(heggedal())
      .when(leave('2020-09-01'), anne)
      .then([expect.objectContaining({ type: 'MemberLeft' })]);
  });

  it('is only for an active member: never appointed', () => {
    given([committeeEstablished()]).when(leave(), anne).thenThrows(StateConflict, 'member-is-active');
  });

  it('is only for an active member: already left', () => {
    given([...heggedal(), memberLeft(ids.anne, '2021-01-01')])
      .when(leave(), anne)
      .thenThrows(StateConflict, 'member-is-active');
  });

  it('refuses leaving before the appointment', () => {
    given(heggedal()).when(leave('2020-08-31'), anne).thenThrows(RuleViolation, 'left-after-appointed');
  });

  it('is a 404 for a person in the path who does not exist', () => {
    const error = given(heggedal()).when(leave()).thenThrows(UnknownReference, 'references-exist');
    expect(error.where).toBe('path');
  });

  it('refuses a departure dated after today', () => {
    given(heggedal())
      .when(leave('2024-06-02'), anne, { today: '2024-06-01' })
      .thenThrows(RuleViolation, 'date-not-in-future');
  });

  it('records nothing on a dissolved committee', () => {
    given([...heggedal(), committeeDissolved('2022-06-30')])
      .when(leave(), anne)
      .thenThrows(StateConflict, 'committee-dissolved');
  });
});

describe('committee: AllocateBudget', () => {
  const allocate = (year: number) =>
    command('AllocateBudget', { committeeId: ids.heggedal, year, amountNok: 50_000 });

  it('allocates budget for a year of the period', () => {
    given([committeeEstablished()])
      .when(allocate(2022))
      .then([budgetAllocated(2022, 50_000)]);
  });

  it.each([2019, 2023])('refuses a year outside the period (%i)', (year) => {
    given([committeeEstablished()])
      .when(allocate(year))
      .thenThrows(RuleViolation, 'budget-year-within-period');
  });

  describe('for a committee whose period runs to 2030', () => {
    const longLived = [committeeEstablished({ period: { from: '2020-09-01', to: '2030-12-31' } })];

    it('allocates budget for the coming year: budgets are adopted before the year starts', () => {
      given(longLived)
        .when(allocate(2025), {}, { today: '2024-06-01' })
        .then([budgetAllocated(2025, 50_000)]);
    });

    it('refuses a budget year after the coming one', () => {
      given(longLived)
        .when(allocate(2026), {}, { today: '2024-12-31' })
        .thenThrows(RuleViolation, 'date-not-in-future');
    });
  });

  it('allocates nothing to a dissolved committee', () => {
    given([committeeEstablished(), committeeDissolved('2022-06-30')])
      .when(allocate(2022))
      .thenThrows(StateConflict, 'committee-dissolved');
  });
});

describe('committee: DissolveCommittee', () => {
  const dissolve = (dissolvedOn: string) =>
    command('DissolveCommittee', {
      committeeId: ids.heggedal,
      dissolvedOn,
      reason: 'replaced by area forum',
    });

  it('dissolves the committee', () => {
    given(heggedal())
      .when(dissolve('2022-06-30'))
      .then([committeeDissolved('2022-06-30')]);
  });

  it('refuses a dissolution before the period starts', () => {
    given(heggedal())
      .when(dissolve('2020-08-31'))
      .thenThrows(RuleViolation, 'dissolution-after-establishment');
  });

  it.each(['2024-06-02', '9999-12-31'])(
    'refuses a dissolution dated after today (%s): it would close the committee from now on',
    (dissolvedOn) => {
      given(heggedal())
        .when(dissolve(dissolvedOn), {}, { today: '2024-06-01' })
        .thenThrows(RuleViolation, 'date-not-in-future');
    },
  );

  it('dissolves once', () => {
    given([...heggedal(), committeeDissolved('2022-06-30')])
      .when(dissolve('2022-07-01'))
      .thenThrows(StateConflict, 'committee-dissolved');
  });
});

describe('committee state', () => {
  const committeeOf = (events = heggedal()) => {
    const state = stateOf(events, 'committee');
    if (state.aggregate !== 'committee' || state.status === 'absent') throw new Error('no committee');
    return state;
  };

  it('sums the allocations of a year', () => {
    expect(committeeOf([...heggedal(), budgetAllocated(2021, 25_000)]).allocatedNok).toEqual({
      2021: 125_000,
    });
  });

  it('counts as eligible voters the active members other than deputies', () => {
    expect([...eligibleVotersOn(committeeOf(), '2021-02-01')]).toEqual([
      ids.anne,
      ids.bjorn,
      ids.cecilie,
      ids.dag,
    ]);
  });

  it('does not count a member from the day they left, nor anyone after dissolution', () => {
    const events = [...heggedal(), memberLeft(ids.anne, '2021-02-01'), committeeDissolved('2021-06-30')];
    expect(eligibleVotersOn(committeeOf(events), '2021-01-31').has(ids.anne)).toBe(true);
    expect(eligibleVotersOn(committeeOf(events), '2021-02-01').has(ids.anne)).toBe(false);
    expect(eligibleVotersOn(committeeOf(events), '2021-07-01').size).toBe(0);
  });

  it('ignores events of other aggregates', () => {
    expect(stateOf([...heggedal(), personRegistered(ids.frida)], 'committee')).toEqual(
      stateOf(heggedal(), 'committee'),
    );
  });
});

describe('committee grant ledger', () => {
  const proposalA = streamIdOf('proposal', ids.proposal);
  const proposalB = streamIdOf('proposal', ids.otherProposal);
  const grant = (grantNok: number, decidedOn = '2021-03-01') =>
    committeeDecided({ outcome: 'adopted', kind: 'own_decision', grantNok, decidedOn });

  it('sums the grants of adopted own decisions by the year they were decided', () => {
    let ledger = initialGrantLedger(ids.heggedal);
    ledger = evolveGrantLedger(ledger, proposalA, grant(30_000));
    ledger = evolveGrantLedger(ledger, proposalB, grant(20_000));
    ledger = evolveGrantLedger(ledger, proposalB, grant(5_000, '2022-01-10'));
    expect(grantedIn(ledger, 2021)).toBe(30_000);
    expect(grantedIn(ledger, 2022)).toBe(5_000);
    expect(grantedIn(ledger, 2021, proposalA)).toBe(0);
  });

  it('lets the latest decision on a proposal replace its grant', () => {
    let ledger = initialGrantLedger(ids.heggedal);
    ledger = evolveGrantLedger(ledger, proposalA, grant(30_000));
    ledger = evolveGrantLedger(
      ledger,
      proposalA,
      committeeDecided({ outcome: 'rejected', kind: 'own_decision' }),
    );
    expect(grantedIn(ledger, 2021)).toBe(0);
  });

  it('ignores recommendations, other outcomes and other committees', () => {
    let ledger = initialGrantLedger(ids.heggedal);
    ledger = evolveGrantLedger(ledger, proposalA, committeeDecided({ grantNok: 10_000 }));
    ledger = evolveGrantLedger(ledger, proposalB, grant(10_000));
    ledger = evolveGrantLedger(
      ledger,
      proposalB,
      committeeDecided({ committeeId: ids.taskCommittee, kind: 'own_decision', grantNok: 9 }),
    );
    expect(grantedIn(ledger, 2021)).toBe(10_000);
    expect(evolveGrantLedger(ledger, proposalA, budgetAllocated(2021, 1))).toBe(ledger);
  });
});
