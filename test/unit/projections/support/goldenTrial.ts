/**
 * A small hand-written trial for the golden tests: two committees, a council and an executive committee, ten
 * proposals that take different paths. Every expected number in golden.test.ts is worked out by hand from this file.
 *
 *   A  Heggedal  resident    adopted (vote V2) → council adopted → implementation completed
 *   B  Heggedal  member      committee rejected
 *   C  Klima     resident    deferred → adopted (vote V1) → executive returned → adopted again → council adopted with amendments
 *   D  Heggedal  resident    supported, then withdrawn
 *   E  Heggedal  citizens' initiative: 4 supports (one entered late), threshold 3, referred to the council, never decided
 *   F  Klima     administration  consultation response → executive noted
 *   G  Heggedal  resident    adopted → council postponed → council adopted → implementation in progress
 *   H  Klima     member      adopted → council rejected
 *   I  Heggedal  resident    own decision with a grant of 20 000 → implementation completed
 *   J  Heggedal  member      own decision granting 30 000 (2021) → referred → executive returned → own decision granting 10 000 (2022)
 */
import type { EventData } from '../../../../src/domain/events';
import { LedgerBuilder, uuid } from './ledgerBuilder';

export const COUNCIL = uuid(1);
export const EXECUTIVE = uuid(2);
export const ARENA = uuid(3);
export const HEGGEDAL = uuid(10);
export const KLIMA = uuid(11);
/** Persons P1 … P14. */
export const P = Array.from({ length: 15 }, (_, i) => uuid(100 + i));
export const [A, B, C, D, E, F, G, H, I, J] = Array.from({ length: 10 }, (_, i) => uuid(201 + i)) as [
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
  string,
];
export const V1 = uuid(301);
export const V2 = uuid(302);
export const [M1, M2, M3, M4, M5] = Array.from({ length: 5 }, (_, i) => uuid(401 + i)) as [
  string,
  string,
  string,
  string,
  string,
];
export const REFERRAL = {
  A: uuid(501),
  C1: uuid(502),
  C2: uuid(503),
  E: uuid(504),
  F: uuid(505),
  G: uuid(506),
  H: uuid(507),
  J: uuid(508),
};

function person(n: number): string {
  return P[n] as string;
}

export function buildGoldenTrial() {
  const b = new LedgerBuilder();
  let nextDecision = 600;
  const decision = (
    proposalId: string,
    committeeId: string,
    outcome: EventData<'CommitteeDecisionRecorded'>['outcome'],
    decidedOn: string,
    extra: Partial<EventData<'CommitteeDecisionRecorded'>> = {},
  ): number =>
    b.append('proposal', proposalId, {
      type: 'CommitteeDecisionRecorded',
      data: {
        decisionId: uuid(nextDecision++),
        committeeId,
        outcome,
        kind: 'recommendation',
        text: 'Vedtak.',
        decidedOn,
        ...extra,
      },
    });
  const refer = (
    proposalId: string,
    referralId: string,
    toBodyId: string,
    referredOn: string,
    kind: EventData<'ProposalReferred'>['kind'] = 'recommendation',
    caseNumber?: string,
  ): number =>
    b.append('proposal', proposalId, {
      type: 'ProposalReferred',
      data: { referralId, toBodyId, kind, referredOn, ...(caseNumber !== undefined && { caseNumber }) },
    });
  const decide = (
    proposalId: string,
    referralId: string,
    bodyId: string,
    outcome: EventData<'PoliticalDecisionRecorded'>['outcome'],
    decidedOn: string,
    caseNumber: string,
    votes: { votesFor?: number; votesAgainst?: number } = {},
  ): number =>
    b.append('proposal', proposalId, {
      type: 'PoliticalDecisionRecorded',
      data: { referralId, bodyId, caseNumber, outcome, summary: `Utfall: ${outcome}.`, decidedOn, ...votes },
    });
  const support = (proposalId: string, n: number, supportedOn: string): number =>
    b.append('proposal', proposalId, {
      type: 'ProposalSupported',
      data: { personId: person(n), supportedOn },
    });
  const implementation = (
    proposalId: string,
    status: EventData<'ImplementationReported'>['status'],
    progressPct: number,
    reportedOn: string,
  ): number =>
    b.append('proposal', proposalId, {
      type: 'ImplementationReported',
      data: { status, progressPct, note: `Status: ${status}.`, reportedOn },
    });

  // ---------- bodies, arena, persons ----------
  b.append('political-body', COUNCIL, {
    type: 'PoliticalBodyRegistered',
    data: { bodyId: COUNCIL, name: 'Kommunestyret', kind: 'council', seats: 47 },
  });
  b.append('political-body', EXECUTIVE, {
    type: 'PoliticalBodyRegistered',
    data: { bodyId: EXECUTIVE, name: 'Formannskapet', kind: 'executive_committee' },
  });
  b.append('arena', ARENA, {
    type: 'ArenaRegistered',
    data: { arenaId: ARENA, name: 'Heggedal innbyggertorg', areas: ['Heggedal'] },
  });
  const areaOf: Record<number, string | undefined> = {
    1: 'Heggedal',
    2: 'Heggedal',
    3: 'Heggedal',
    4: 'Heggedal',
    5: 'Bondi',
    6: undefined,
    7: 'Slemmestad',
    8: 'Slemmestad',
    9: 'Heggedal',
    10: 'Tofte',
    11: 'Heggedal',
    12: undefined,
    13: 'Heggedal',
    14: 'Heggedal',
  };
  for (let n = 1; n <= 14; n++) {
    const area = areaOf[n];
    b.append('person', person(n), {
      type: 'PersonRegistered',
      data: {
        personId: person(n),
        personal: { name: `Person ${n}` },
        birthYear: 1960 + n,
        ...(area !== undefined && { area }),
      },
    });
  }

  // ---------- committees ----------
  b.append('committee', HEGGEDAL, {
    type: 'CommitteeEstablished',
    data: {
      committeeId: HEGGEDAL,
      name: 'Heggedal lokalsamfunnsutvalg',
      kind: 'local_community',
      arenaId: ARENA,
      areas: ['Heggedal'],
      mandate: { influence: true, decide: true, facilitate: true, support: true, arrange: true },
      coCreationForm: 'equal',
      period: { from: '2020-09-01', to: '2022-12-31' },
      establishedBy: { bodyId: COUNCIL, caseNumber: '20/50' },
    },
  });
  b.append('committee', KLIMA, {
    type: 'CommitteeEstablished',
    data: {
      committeeId: KLIMA,
      name: 'Oppgaveutvalg for klima',
      kind: 'task',
      areas: [],
      theme: 'klima',
      mandate: { influence: true, decide: false, facilitate: false, support: false, arrange: false },
      coCreationForm: 'steered',
      period: { from: '2020-09-01', to: '2022-12-31' },
    },
  });
  const appoint = (
    committeeId: string,
    n: number,
    role: EventData<'MemberAppointed'>['role'],
    actorGroup: EventData<'MemberAppointed'>['actorGroup'],
    representationBasis: EventData<'MemberAppointed'>['representationBasis'],
    represents?: string,
  ): number =>
    b.append('committee', committeeId, {
      type: 'MemberAppointed',
      data: {
        personId: person(n),
        role,
        actorGroup,
        representationBasis,
        appointedOn: '2020-09-01',
        ...(represents !== undefined && { represents }),
      },
    });
  appoint(HEGGEDAL, 1, 'leader', 'resident', 'geographic_area');
  appoint(HEGGEDAL, 2, 'member', 'voluntary_org', 'interest', 'Heggedal idrettslag');
  appoint(HEGGEDAL, 3, 'member', 'politician', 'viewpoint');
  appoint(HEGGEDAL, 4, 'deputy', 'resident', 'geographic_area');
  appoint(HEGGEDAL, 5, 'youth_representative', 'resident', 'population_group');
  appoint(HEGGEDAL, 13, 'member', 'resident', 'geographic_area');
  appoint(HEGGEDAL, 14, 'member', 'resident', 'geographic_area', 'Heggedal vel');
  appoint(KLIMA, 6, 'leader', 'municipality', 'open');
  appoint(KLIMA, 7, 'member', 'private_actor', 'interest');
  appoint(KLIMA, 8, 'member', 'resident', 'open');
  b.append('committee', HEGGEDAL, { type: 'BudgetAllocated', data: { year: 2021, amountNok: 100_000 } });
  b.append('committee', HEGGEDAL, { type: 'BudgetAllocated', data: { year: 2021, amountNok: 50_000 } });
  b.append('committee', HEGGEDAL, { type: 'BudgetAllocated', data: { year: 2022, amountNok: 80_000 } });

  // ---------- A: adopted with a vote, council adopted, implemented ----------
  b.append('proposal', A, {
    type: 'ProposalSubmitted',
    data: {
      proposalId: A,
      committeeId: HEGGEDAL,
      title: 'Trygg skolevei i Heggedal',
      description: 'Fortau langs Heggedalsveien.',
      origin: 'resident',
      submittedBy: person(9),
      theme: 'trafikk',
      area: 'Heggedal',
      submittedOn: '2021-01-10',
    },
  });
  b.append('proposal', A, {
    type: 'ProposalAmended',
    data: {
      title: 'Trygg skolevei langs Heggedalsveien',
      amendedOn: '2021-01-20',
      reason: 'Tydeligere tittel',
    },
  });
  b.append('meeting', M1, {
    type: 'MeetingHeld',
    data: {
      meetingId: M1,
      committeeId: HEGGEDAL,
      arenaId: ARENA,
      kind: 'committee_meeting',
      heldOn: '2021-02-01',
      attendeeCount: 6,
      attendeePersonIds: [person(1), person(2), person(3), person(4)],
      agendaProposalIds: [A],
    },
  });
  b.append('vote', V2, {
    type: 'VoteOpened',
    data: {
      voteId: V2,
      proposalId: A,
      committeeId: HEGGEDAL,
      meetingId: M1,
      question: 'Skal utvalget anbefale forslaget?',
      rule: 'simple_majority',
      openedOn: '2021-02-01',
    },
  });
  b.append('vote', V2, {
    type: 'BallotCast',
    data: { personId: person(1), choice: 'yes', castOn: '2021-02-01' },
  });
  b.append('vote', V2, {
    type: 'BallotCast',
    data: { personId: person(2), choice: 'yes', castOn: '2021-02-01' },
  });
  b.append('vote', V2, {
    type: 'BallotCast',
    data: { personId: person(3), choice: 'abstain', castOn: '2021-02-01' },
  });
  // Eligible: the non-deputy members on 2021-02-01 (P1, P2, P3, P5, P13, P14) = 6; 3 cast ≥ half of 6: quorum.
  b.append('vote', V2, {
    type: 'VoteClosed',
    data: { closedOn: '2021-02-01', eligible: 6, tally: { yes: 2, no: 0, abstain: 1 }, result: 'passed' },
  });
  decision(A, HEGGEDAL, 'adopted', '2021-02-01', { voteId: V2 });
  refer(A, REFERRAL.A, COUNCIL, '2021-02-15', 'recommendation', '21/100');
  decide(A, REFERRAL.A, COUNCIL, 'adopted', '2021-05-20', '21/100', { votesFor: 30, votesAgainst: 5 });
  implementation(A, 'planned', 0, '2021-06-01');
  implementation(A, 'completed', 100, '2021-10-01');

  // ---------- B: rejected by the committee ----------
  b.append('proposal', B, {
    type: 'ProposalSubmitted',
    data: {
      proposalId: B,
      committeeId: HEGGEDAL,
      title: 'Søppelbøtter på Kirkebakken',
      description: '',
      origin: 'member',
      submittedBy: person(2),
      theme: 'miljø',
      submittedOn: '2021-01-20',
    },
  });
  decision(B, HEGGEDAL, 'rejected', '2021-03-01');

  // ---------- C: deferred, adopted, returned, adopted again, adopted with amendments ----------
  b.append('proposal', C, {
    type: 'ProposalSubmitted',
    data: {
      proposalId: C,
      committeeId: KLIMA,
      title: 'Sykkelparkering ved stasjonen',
      description: '',
      origin: 'resident',
      submittedBy: person(10),
      theme: 'trafikk',
      submittedOn: '2021-02-01',
    },
  });
  decision(C, KLIMA, 'deferred', '2021-03-01');
  b.append('meeting', M2, {
    type: 'MeetingHeld',
    data: {
      meetingId: M2,
      committeeId: KLIMA,
      kind: 'committee_meeting',
      heldOn: '2021-04-01',
      attendeeCount: 4,
      attendeePersonIds: [person(6), person(7), person(8)],
      agendaProposalIds: [C],
    },
  });
  b.append('vote', V1, {
    type: 'VoteOpened',
    data: {
      voteId: V1,
      proposalId: C,
      committeeId: KLIMA,
      meetingId: M2,
      question: 'Skal utvalget anbefale forslaget?',
      rule: 'two_thirds',
      openedOn: '2021-04-01',
    },
  });
  b.append('vote', V1, {
    type: 'BallotCast',
    data: { personId: person(6), choice: 'yes', castOn: '2021-04-01' },
  });
  b.append('vote', V1, {
    type: 'BallotCast',
    data: { personId: person(7), choice: 'yes', castOn: '2021-04-01' },
  });
  b.append('vote', V1, {
    type: 'BallotCast',
    data: { personId: person(8), choice: 'no', castOn: '2021-04-01' },
  });
  b.append('vote', V1, {
    type: 'VoteClosed',
    data: { closedOn: '2021-04-01', eligible: 3, tally: { yes: 2, no: 1, abstain: 0 }, result: 'passed' },
  });
  decision(C, KLIMA, 'adopted', '2021-04-01', { voteId: V1 });
  refer(C, REFERRAL.C1, EXECUTIVE, '2021-04-15');
  const cReturned = decide(C, REFERRAL.C1, EXECUTIVE, 'returned', '2021-06-10', '21/200');
  const cDecidedAgain = decision(C, KLIMA, 'adopted', '2021-08-20');
  const cReferredAgain = refer(C, REFERRAL.C2, COUNCIL, '2021-09-01', 'recommendation', '21/300');
  decide(C, REFERRAL.C2, COUNCIL, 'adopted_with_amendments', '2021-11-15', '21/300');

  // ---------- D: withdrawn ----------
  b.append('proposal', D, {
    type: 'ProposalSubmitted',
    data: {
      proposalId: D,
      committeeId: HEGGEDAL,
      title: 'Benker i parken',
      description: '',
      origin: 'resident',
      submittedBy: person(11),
      submittedOn: '2021-03-05',
    },
  });
  support(D, 12, '2021-03-06');
  b.append('proposal', D, {
    type: 'ProposalWithdrawn',
    data: { withdrawnOn: '2021-04-01', reason: 'Løst av kommunen' },
  });

  // ---------- E: citizens' initiative, threshold 3 ----------
  b.append('proposal', E, {
    type: 'ProposalSubmitted',
    data: {
      proposalId: E,
      committeeId: HEGGEDAL,
      title: 'Ny gymsal på Heggedal skole',
      description: '',
      origin: 'citizen_initiative',
      submittedBy: person(11),
      theme: 'skole',
      submittedOn: '2021-03-10',
    },
  });
  support(E, 9, '2021-03-12');
  support(E, 12, '2021-03-20');
  // Entered third but dated before the second: the threshold was reached on 03-20, not 03-15.
  const eThirdSupport = support(E, 10, '2021-03-15');
  // Entered late, dated earlier still: now three supports were in by 03-15.
  support(E, 13, '2021-03-14');
  refer(E, REFERRAL.E, COUNCIL, '2021-05-01', 'citizen_initiative', '21/150');

  // ---------- F: consultation response, noted ----------
  b.append('proposal', F, {
    type: 'ProposalSubmitted',
    data: {
      proposalId: F,
      committeeId: KLIMA,
      title: 'Høring: klimaplan',
      description: '',
      origin: 'administration',
      theme: 'kultur',
      submittedOn: '2021-04-10',
    },
  });
  decision(F, KLIMA, 'adopted', '2021-05-01', { kind: 'consultation_response' });
  refer(F, REFERRAL.F, EXECUTIVE, '2021-05-10', 'consultation_response');
  decide(F, REFERRAL.F, EXECUTIVE, 'noted', '2021-06-01', '21/250');

  // ---------- G: postponed, then adopted; implementation under way ----------
  b.append('proposal', G, {
    type: 'ProposalSubmitted',
    data: {
      proposalId: G,
      committeeId: HEGGEDAL,
      title: 'Belysning på turstien',
      description: '',
      origin: 'resident',
      submittedBy: person(9),
      theme: 'trafikk',
      submittedOn: '2021-05-01',
    },
  });
  b.append('meeting', M3, {
    type: 'MeetingHeld',
    data: {
      meetingId: M3,
      committeeId: HEGGEDAL,
      kind: 'public_meeting',
      heldOn: '2021-05-15',
      attendeeCount: 40,
      agendaProposalIds: [E, G, E],
    },
  });
  decision(G, HEGGEDAL, 'adopted', '2021-06-01');
  refer(G, REFERRAL.G, COUNCIL, '2021-06-15', 'recommendation', '21/400');
  const gPostponed = decide(G, REFERRAL.G, COUNCIL, 'postponed', '2021-09-01', '21/400');
  decide(G, REFERRAL.G, COUNCIL, 'adopted', '2021-10-15', '21/400');
  implementation(G, 'in_progress', 50, '2022-01-10');

  // P3 leaves Heggedal before the summer.
  b.append('committee', HEGGEDAL, {
    type: 'MemberLeft',
    data: { personId: person(3), leftOn: '2021-06-30', reason: 'Flyttet' },
  });

  // ---------- H: council rejected ----------
  b.append('proposal', H, {
    type: 'ProposalSubmitted',
    data: {
      proposalId: H,
      committeeId: KLIMA,
      title: 'Bilfri sentrumsgate',
      description: '',
      origin: 'member',
      submittedBy: person(7),
      theme: 'miljø',
      submittedOn: '2021-06-01',
    },
  });
  decision(H, KLIMA, 'adopted', '2021-07-01');
  refer(H, REFERRAL.H, COUNCIL, '2021-07-15');
  decide(H, REFERRAL.H, COUNCIL, 'rejected', '2021-09-30', '21/500', { votesFor: 10, votesAgainst: 25 });

  // ---------- I: own decision with a grant, implemented ----------
  b.append('proposal', I, {
    type: 'ProposalSubmitted',
    data: {
      proposalId: I,
      committeeId: HEGGEDAL,
      title: 'Sommerkonsert i Heggedal',
      description: '',
      origin: 'resident',
      submittedBy: person(12),
      theme: 'kultur',
      submittedOn: '2021-08-01',
    },
  });
  decision(I, HEGGEDAL, 'adopted', '2021-09-01', { kind: 'own_decision', grantNok: 20_000 });
  implementation(I, 'completed', 100, '2021-12-01');

  b.append('meeting', M4, {
    type: 'MeetingHeld',
    data: {
      meetingId: M4,
      arenaId: ARENA,
      kind: 'public_meeting',
      heldOn: '2021-09-01',
      attendeeCount: 25,
      agendaProposalIds: [],
    },
  });
  b.append('meeting', M5, {
    type: 'MeetingHeld',
    data: {
      meetingId: M5,
      committeeId: KLIMA,
      kind: 'public_meeting',
      heldOn: '2021-10-01',
      attendeeCount: 3,
      agendaProposalIds: [H],
    },
  });

  // ---------- J: own decision, returned, decided again the next year ----------
  b.append('proposal', J, {
    type: 'ProposalSubmitted',
    data: {
      proposalId: J,
      committeeId: HEGGEDAL,
      title: 'Tilskudd til velforeningen',
      description: '',
      origin: 'member',
      submittedBy: person(1),
      submittedOn: '2021-09-10',
    },
  });
  const jFirstGrant = decision(J, HEGGEDAL, 'adopted', '2021-10-01', {
    kind: 'own_decision',
    grantNok: 30_000,
  });
  refer(J, REFERRAL.J, EXECUTIVE, '2021-10-10', 'initiative');
  decide(J, REFERRAL.J, EXECUTIVE, 'returned', '2021-11-01', '21/600');
  decision(J, HEGGEDAL, 'adopted', '2022-01-15', { kind: 'own_decision', grantNok: 10_000 });

  return {
    events: b.events,
    positions: { cReturned, cDecidedAgain, cReferredAgain, eThirdSupport, gPostponed, jFirstGrant },
  };
}
