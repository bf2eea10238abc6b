/**
 * Golden tests: the views of the hand-written trial in support/goldenTrial.ts, every expected number worked out by
 * hand (the arithmetic is in the comments). Days are calendar days between business dates.
 */
import {
  committeeOf,
  createProjections,
  influenceGroups,
  listCommittees,
  listProposals,
  participationOf,
  positionsFor,
  PUBLIC_SUPPRESS_BELOW,
  statusOf,
  voteOf,
  votesOnProposal,
} from '../../../projections';
import type { InfluenceGroup, ProposalStatusView } from '../../../projections';
import { fold } from './support/ledgerBuilder';
import {
  A,
  B,
  buildGoldenTrial,
  C,
  COUNCIL,
  D,
  E,
  EXECUTIVE,
  F,
  G,
  H,
  HEGGEDAL,
  I,
  J,
  KLIMA,
  M1,
  M2,
  M3,
  M5,
  P,
  REFERRAL,
  V1,
  V2,
} from './support/goldenTrial';

const views = createProjections({ citizenInitiativeThreshold: 3 });
const { events, positions } = buildGoldenTrial();
const upTo = (position: number) => events.slice(0, position + 1);
const person = (n: number) => P[n] as string;

describe('proposal status (golden)', () => {
  const state = fold(views.proposalStatus, events);
  const status = (id: string, asOf = '2022-06-30'): ProposalStatusView => {
    const view = statusOf(state, id, asOf);
    if (view === undefined) throw new Error(`no status for ${id}`);
    return view;
  };

  it('A: adopted by the council and implemented', () => {
    expect(status(A)).toEqual({
      proposalId: A,
      committeeId: HEGGEDAL,
      processId: null,
      title: 'Trygg skolevei langs Heggedalsveien', // the amended title
      origin: 'resident',
      theme: 'trafikk',
      area: 'Heggedal',
      submittedOn: '2021-01-10',
      stage: 'completed',
      supports: 0,
      supportThresholdReachedOn: null,
      latestCommitteeDecision: {
        decisionId: expect.any(String),
        outcome: 'adopted',
        kind: 'recommendation',
        decidedOn: '2021-02-01',
        voteId: V2,
      },
      referrals: [
        {
          referralId: REFERRAL.A,
          toBodyId: COUNCIL,
          kind: 'recommendation',
          caseNumber: '21/100',
          referredOn: '2021-02-15',
          politicalDecision: {
            outcome: 'adopted',
            caseNumber: '21/100',
            summary: 'Utfall: adopted.',
            decidedOn: '2021-05-20',
            votesFor: 30,
            votesAgainst: 5,
          },
          postponedOn: [],
        },
      ],
      implementation: {
        status: 'completed',
        progressPct: 100,
        note: 'Status: completed.',
        reportedOn: '2021-10-01',
      },
      influence: 'full',
      // 2021-01-10 → 2021-05-20: 31 (→02-10) + 28 (→03-10) + 31 (→04-10) + 30 (→05-10) + 10 = 130
      daysToPoliticalDecision: 130,
      dates: {
        submittedOn: '2021-01-10',
        firstCommitteeDecisionOn: '2021-02-01',
        firstReferredOn: '2021-02-15',
        politicalDecisionOn: '2021-05-20',
        implementationCompletedOn: '2021-10-01',
        withdrawnOn: null,
      },
    });
    // Not a citizens' initiative: no deadline fields at all.
    expect(status(A)).not.toHaveProperty('initiativeDeadline');
    expect(status(A)).not.toHaveProperty('overdue');
  });

  it('gives every proposal its stage, influence class and days to political decision', () => {
    const summary = [A, B, C, D, E, F, G, H, I, J].map((id) => {
      const s = status(id);
      return [s.stage, s.influence, s.daysToPoliticalDecision];
    });
    expect(summary).toEqual([
      ['completed', 'full', 130], // A
      ['committee_rejected', 'not_referred', null], // B
      // C: 2021-02-01 → 2021-06-10 (the return closed the first referral): 28 + 31 + 30 + 31 + 9 = 129
      ['politically_decided', 'partial', 129],
      ['withdrawn', 'not_referred', null], // D
      ['referred', 'pending', null], // E
      ['politically_decided', 'noted', 52], // F: 2021-04-10 → 2021-06-01: 30 (→05-10) + 22 = 52
      ['implementing', 'full', 167], // G: 2021-05-01 → 2021-10-15: 31 + 30 + 31 + 31 + 30 + 14 = 167
      ['politically_decided', 'none', 121], // H: 2021-06-01 → 2021-09-30: 30 + 31 + 31 + 29 = 121
      ['completed', 'not_referred', null], // I: own decision, never referred
      ['committee_adopted', 'returned', 52], // J: 2021-09-10 → 2021-11-01: 30 (→10-10) + 22 = 52
    ]);
  });

  it('C: keeps both referrals; the returned one, then the one adopted with amendments', () => {
    const c = status(C);
    expect(c.referrals.map((r) => [r.toBodyId, r.caseNumber, r.politicalDecision?.outcome])).toEqual([
      [EXECUTIVE, null, 'returned'],
      [COUNCIL, '21/300', 'adopted_with_amendments'],
    ]);
    expect(c.latestCommitteeDecision).toMatchObject({ outcome: 'adopted', decidedOn: '2021-08-20' });
    expect(c.dates).toMatchObject({
      firstCommitteeDecisionOn: '2021-03-01',
      politicalDecisionOn: '2021-06-10',
    });
  });

  it('C as of each turn: returned, then committee_adopted (still returned), then referred (pending)', () => {
    const at = (position: number) => statusOf(fold(views.proposalStatus, upTo(position)), C, '2021-12-31');
    expect(at(positions.cReturned)).toMatchObject({
      stage: 'returned',
      influence: 'returned',
      daysToPoliticalDecision: 129,
    });
    expect(at(positions.cDecidedAgain)).toMatchObject({ stage: 'committee_adopted', influence: 'returned' });
    expect(at(positions.cReferredAgain)).toMatchObject({ stage: 'referred', influence: 'pending' });
  });

  it('G: a postponement keeps the referral open, then the adoption replaces it and is noted', () => {
    const postponed = statusOf(fold(views.proposalStatus, upTo(positions.gPostponed)), G, '2021-12-31');
    expect(postponed).toMatchObject({
      stage: 'referred',
      influence: 'pending',
      daysToPoliticalDecision: null,
    });
    expect(postponed?.referrals[0]).toMatchObject({
      politicalDecision: { outcome: 'postponed' },
      postponedOn: ['2021-09-01'],
    });
    expect(status(G).referrals[0]).toMatchObject({
      politicalDecision: { outcome: 'adopted', decidedOn: '2021-10-15' },
      postponedOn: ['2021-09-01'],
    });
  });

  it('E: the threshold day is the third-earliest support date, even when supports are entered out of order', () => {
    // After three supports dated 03-12, 03-20, 03-15 (entered in that order): sorted 03-12, 03-15, 03-20 → 03-20.
    const afterThird = statusOf(fold(views.proposalStatus, upTo(positions.eThirdSupport)), E, '2021-04-01');
    expect(afterThird).toMatchObject({
      supports: 3,
      supportThresholdReachedOn: '2021-03-20',
      initiativeDeadline: '2021-09-20',
    });
    // A fourth support dated 03-14: sorted 03-12, 03-14, 03-15, 03-20 → the third is 03-15; deadline + 6 months.
    expect(status(E)).toMatchObject({
      supports: 4,
      supportThresholdReachedOn: '2021-03-15',
      initiativeDeadline: '2021-09-15',
      overdue: true,
    });
  });

  it('E: overdue only after the deadline day, judged at the date asked', () => {
    expect(status(E, '2021-09-15').overdue).toBe(false); // the deadline day itself is in time
    expect(status(E, '2021-09-16').overdue).toBe(true);
  });

  it('D: withdrawn, with its support counted and the date kept', () => {
    expect(status(D)).toMatchObject({
      stage: 'withdrawn',
      supports: 1,
      dates: { withdrawnOn: '2021-04-01' },
    });
  });

  it("a citizens' initiative below the threshold has no deadline yet", () => {
    const early = statusOf(fold(views.proposalStatus, upTo(positions.eThirdSupport - 1)), E, '2030-01-01');
    expect(early).toMatchObject({
      supports: 2,
      supportThresholdReachedOn: null,
      initiativeDeadline: null,
      overdue: false,
    });
  });

  it('unknown ids have no status', () => {
    expect(statusOf(state, person(1), '2022-01-01')).toBeUndefined();
  });

  it('lists by submission date then id, filtered, a page at a time', () => {
    const ids = (filter: Parameters<typeof listProposals>[1]) =>
      listProposals(state, filter, '2022-06-30').items.map((p) => p.proposalId);
    // Heggedal by submittedOn: A 01-10, B 01-20, D 03-05, E 03-10, G 05-01, I 08-01, J 09-10
    expect(ids({ committeeId: HEGGEDAL })).toEqual([A, B, D, E, G, I, J]);
    expect(ids({ stage: 'politically_decided' })).toEqual([C, F, H]);
    expect(ids({ origin: 'citizen_initiative' })).toEqual([E]);
    expect(ids({ theme: 'trafikk' })).toEqual([A, C, G]);
    expect(ids({ committeeId: KLIMA, theme: 'miljø' })).toEqual([H]);

    const first = listProposals(state, { committeeId: HEGGEDAL }, '2022-06-30', { limit: 3 });
    expect(first.items.map((p) => p.proposalId)).toEqual([A, B, D]);
    expect(first.nextCursor).toBe(`2021-03-05~${D}`);
    const second = listProposals(state, { committeeId: HEGGEDAL }, '2022-06-30', {
      limit: 3,
      cursor: first.nextCursor,
    });
    expect(second.items.map((p) => p.proposalId)).toEqual([E, G, I]);
    const last = listProposals(state, { committeeId: HEGGEDAL }, '2022-06-30', {
      limit: 3,
      cursor: second.nextCursor,
    });
    expect(last).toMatchObject({ items: [{ proposalId: J }], nextCursor: null });
    expect(() => listProposals(state, {}, '2022-06-30', { cursor: 'nonsense' })).toThrow(RangeError);
  });
});

describe('influence (golden)', () => {
  const state = fold(views.influence, events);

  it('per committee: the funnel, rates and medians', () => {
    expect(influenceGroups(state, 'committee')).toEqual<InfluenceGroup[]>([
      {
        key: HEGGEDAL,
        keyLabel: 'Heggedal lokalsamfunnsutvalg',
        submitted: 7, // A B D E G I J
        committeeAdopted: 4, // A G I J (B rejected; D, E never decided)
        referred: 4, // A E G J
        politicallyDecided: 3, // A G J (E awaits the council)
        adoptedFull: 2, // A G
        adoptedPartial: 0,
        rejected: 0,
        noted: 0,
        returned: 1, // J: returned counts as returned, not as rejected
        implemented: 2, // A, and I (an own decision)
        adoptionRate: { value: 2 / 3, numerator: 2, denominator: 3 },
        medianDaysToPoliticalDecision: 130, // J 52, A 130, G 167
        medianDays: {
          submittedToCommitteeDecision: 31, // J 21, A 22, G 31, I 31, B 40
          committeeDecisionToReferral: 14, // J 9, A 14, G 14
          referralToPoliticalDecision: 94, // J 22 (10-10 → 11-01), A 94 (02-15 → 05-20), G 122 (06-15 → 10-15)
          politicalDecisionToImplemented: 134, // A: 2021-05-20 → 2021-10-01 = 31 + 30 + 31 + 31 + 11
        },
      },
      {
        key: KLIMA,
        keyLabel: 'Oppgaveutvalg for klima',
        submitted: 3, // C F H
        committeeAdopted: 3,
        referred: 3,
        politicallyDecided: 3,
        adoptedFull: 0,
        adoptedPartial: 1, // C
        rejected: 1, // H
        noted: 1, // F
        returned: 0, // C was returned once, but its latest closing outcome is adopted_with_amendments
        implemented: 0,
        adoptionRate: { value: 1 / 3, numerator: 1, denominator: 3 },
        medianDaysToPoliticalDecision: 121, // F 52, H 121, C 129
        medianDays: {
          submittedToCommitteeDecision: 28, // F 21, C 28 (to the deferral), H 30
          committeeDecisionToReferral: 14, // F 9, H 14, C 45 (03-01 → 04-15)
          referralToPoliticalDecision: 56, // F 22, C 56 (04-15 → 06-10), H 77 (07-15 → 09-30)
          politicalDecisionToImplemented: null,
        },
      },
    ]);
  });

  it('per political body: the deciding body, else the awaited one; unreferred proposals under null', () => {
    const groups = influenceGroups(state, 'politicalBody');
    expect(groups.map((g) => [g.key, g.keyLabel, g.submitted])).toEqual([
      [COUNCIL, 'Kommunestyret', 5], // A C(decided last by the council) E(awaits it) G H
      [EXECUTIVE, 'Formannskapet', 2], // F J
      [null, null, 3], // B D I
    ]);
    expect(groups[0]).toMatchObject({
      committeeAdopted: 4, // A C G H
      politicallyDecided: 4,
      adoptedFull: 2,
      adoptedPartial: 1,
      rejected: 1,
      implemented: 1,
      adoptionRate: { value: 0.75, numerator: 3, denominator: 4 },
      medianDaysToPoliticalDecision: 129.5, // H 121, C 129, A 130, G 167: (129 + 130) / 2
    });
    expect(groups[1]).toMatchObject({
      noted: 1,
      returned: 1,
      adoptionRate: { value: 0, numerator: 0, denominator: 2 },
      medianDaysToPoliticalDecision: 52, // F 52, J 52
    });
    expect(groups[2]).toMatchObject({
      committeeAdopted: 1, // I
      implemented: 1, // I
      adoptionRate: { value: null, numerator: 0, denominator: 0 },
      medianDaysToPoliticalDecision: null,
    });
  });

  it('by origin, committee kind and co-creation form', () => {
    const submitted = (groupBy: Parameters<typeof influenceGroups>[1]) =>
      influenceGroups(state, groupBy).map((g) => [g.key, g.submitted]);
    expect(submitted('origin')).toEqual([
      ['administration', 1], // F
      ['citizen_initiative', 1], // E
      ['member', 3], // B H J
      ['resident', 5], // A C D G I
    ]);
    expect(submitted('committeeKind')).toEqual([
      ['local_community', 7],
      ['task', 3],
    ]);
    expect(submitted('coCreationForm')).toEqual([
      ['equal', 7],
      ['steered', 3],
    ]);
    expect(submitted('theme')).toEqual([
      ['kultur', 2], // F I
      ['miljø', 2], // B H
      ['skole', 1], // E
      ['trafikk', 3], // A C G
      [null, 2], // D J
    ]);
  });

  it('filters on the submission date, bounds included', () => {
    // Submitted 2021-05-01 … 2021-08-31: G (05-01), H (06-01), I (08-01)
    const [year] = influenceGroups(state, 'year', { from: '2021-05-01', to: '2021-08-31' });
    expect(year).toMatchObject({
      key: '2021',
      keyLabel: '2021',
      submitted: 3,
      committeeAdopted: 3,
      referred: 2, // G H
      politicallyDecided: 2,
      adoptedFull: 1,
      rejected: 1,
      implemented: 1, // I
      adoptionRate: { value: 0.5, numerator: 1, denominator: 2 },
      medianDaysToPoliticalDecision: 144, // H 121, G 167: (121 + 167) / 2
    });
    expect(influenceGroups(state, 'all', { from: '2023-01-01' })).toEqual([]);
  });
});

describe('participation (golden)', () => {
  const state = fold(views.participation, events);

  it('counts everything when nothing is suppressed (evaluators)', () => {
    expect(participationOf(state)).toEqual({
      committeeId: null,
      from: null,
      to: null,
      // Members P1–P8, P13, P14 (10) + submitters P9, P10, P11, P12 (P9, P10, P12 also support) = 14
      participants: 14,
      members: {
        total: 10, // 7 in Heggedal + 3 in Klima, the former member P3 included (no period asked)
        byActorGroup: { resident: 6, private_actor: 1, voluntary_org: 1, municipality: 1, politician: 1 },
        byRepresentationBasis: {
          interest: 2,
          population_group: 1,
          geographic_area: 4,
          viewpoint: 1,
          open: 2,
        },
        byRole: { leader: 2, deputy_leader: 0, member: 6, youth_representative: 1, deputy: 1 },
        byArea: { Bondi: 1, Heggedal: 6, Slemmestad: 2, unknown: 1 }, // P6 registered without an area
      },
      turnout: {
        closedVotes: 2,
        ballotsCast: 6, // 3 + 3
        eligible: 9, // 6 + 3
        rate: { value: 6 / 9, numerator: 6, denominator: 9 },
        perVote: [
          {
            voteId: V2,
            closedOn: '2021-02-01',
            ballotsCast: 3,
            eligible: 6,
            rate: { value: 0.5, numerator: 3, denominator: 6 },
          },
          {
            voteId: V1,
            closedOn: '2021-04-01',
            ballotsCast: 3,
            eligible: 3,
            rate: { value: 1, numerator: 3, denominator: 3 },
          },
        ],
      },
      publicMeetings: { meetings: 3, attendees: 68 }, // M3 40 + M4 25 (arena only) + M5 3
      supports: 5, // D 1 + E 4
      suppressed: [],
    });
  });

  it('hides counts of people below 5 for the public, with a complementary cell where one alone is hidden', () => {
    const view = participationOf(state, {}, { suppressBelow: PUBLIC_SUPPRESS_BELOW });
    expect(view.participants).toBe(14);
    expect(view.members).toEqual({
      total: 10,
      byActorGroup: {
        resident: 6,
        private_actor: null,
        voluntary_org: null,
        municipality: null,
        politician: null,
      },
      byRepresentationBasis: {
        interest: null,
        population_group: null,
        geographic_area: null,
        viewpoint: null,
        open: null,
      },
      byRole: { leader: null, deputy_leader: 0, member: 6, youth_representative: null, deputy: null },
      byArea: { Bondi: null, Heggedal: 6, Slemmestad: null, unknown: null },
    });
    expect(view.turnout).toEqual({
      closedVotes: 2,
      ballotsCast: 6,
      eligible: 9,
      rate: { value: 6 / 9, numerator: 6, denominator: 9 },
      perVote: [
        // eligible 6 is hidden as the complement of V1's 3: 9 − 6 would give it away
        {
          voteId: V2,
          closedOn: '2021-02-01',
          ballotsCast: null,
          eligible: null,
          rate: { value: null, numerator: null, denominator: null },
        },
        {
          voteId: V1,
          closedOn: '2021-04-01',
          ballotsCast: null,
          eligible: null,
          rate: { value: null, numerator: null, denominator: null },
        },
      ],
    });
    expect(view.publicMeetings).toEqual({ meetings: 3, attendees: 68 });
    expect(view.supports).toBe(5); // 5 is not below 5
    expect(view.suppressed).toEqual([
      'members.byActorGroup.private_actor',
      'members.byActorGroup.voluntary_org',
      'members.byActorGroup.municipality',
      'members.byActorGroup.politician',
      'members.byRepresentationBasis.interest',
      'members.byRepresentationBasis.population_group',
      'members.byRepresentationBasis.geographic_area',
      'members.byRepresentationBasis.viewpoint',
      'members.byRepresentationBasis.open',
      'members.byRole.leader',
      'members.byRole.youth_representative',
      'members.byRole.deputy',
      'members.byArea.Bondi',
      'members.byArea.Slemmestad',
      'members.byArea.unknown',
      'turnout.perVote.0.ballotsCast',
      'turnout.perVote.1.ballotsCast',
      'turnout.perVote.0.eligible',
      'turnout.perVote.1.eligible',
      'turnout.perVote.0.rate',
      'turnout.perVote.1.rate',
    ]);
  });

  it('one committee from a date: members who had left are out, small cells hidden in pairs', () => {
    const view = participationOf(state, { committeeId: HEGGEDAL, from: '2021-07-01' }, { suppressBelow: 5 });
    expect(view).toEqual({
      committeeId: HEGGEDAL,
      from: '2021-07-01',
      to: null,
      // Members P1 P2 P4 P5 P13 P14 (P3 left 06-30) + P12, who submitted I on 08-01 (P1 submitted J) = 7
      participants: 7,
      members: {
        total: 6,
        // resident 5 and voluntary_org 1: hiding the 1 alone would leave it as 6 − 5, so 5 goes too
        byActorGroup: {
          resident: null,
          private_actor: 0,
          voluntary_org: null,
          municipality: 0,
          politician: 0,
        },
        byRepresentationBasis: {
          interest: null,
          population_group: null,
          geographic_area: null,
          viewpoint: 0,
          open: 0,
        },
        byRole: { leader: null, deputy_leader: 0, member: null, youth_representative: null, deputy: null },
        byArea: { Bondi: null, Heggedal: null },
      },
      turnout: {
        closedVotes: 0,
        ballotsCast: 0,
        eligible: 0,
        rate: { value: null, numerator: 0, denominator: 0 },
        perVote: [],
      },
      publicMeetings: { meetings: 0, attendees: 0 },
      supports: 0,
      suppressed: [
        'members.byActorGroup.resident',
        'members.byActorGroup.voluntary_org',
        'members.byRepresentationBasis.interest',
        'members.byRepresentationBasis.population_group',
        'members.byRepresentationBasis.geographic_area',
        'members.byRole.leader',
        'members.byRole.member',
        'members.byRole.youth_representative',
        'members.byRole.deputy',
        'members.byArea.Bondi',
        'members.byArea.Heggedal',
      ],
    });
  });

  it('a small committee: its four participants and three public-meeting attendees are hidden', () => {
    const view = participationOf(state, { committeeId: KLIMA }, { suppressBelow: 5 });
    // P6 P7 P8 (members) + P10 (submitted C) = 4
    expect(view.participants).toBeNull();
    expect(view.publicMeetings).toEqual({ meetings: 1, attendees: null }); // M5, 3 people
    expect(view.suppressed).toContain('participants');
    expect(view.suppressed).toContain('publicMeetings.attendees');
    expect(participationOf(state, { committeeId: KLIMA }).participants).toBe(4);
  });

  it('never names a person', () => {
    const json = JSON.stringify([participationOf(state), participationOf(state, { committeeId: HEGGEDAL })]);
    for (let n = 1; n <= 14; n++) {
      expect(json).not.toContain(person(n));
      expect(json).not.toContain(`Person ${n}`);
    }
  });
});

describe('committee (golden)', () => {
  const state = fold(views.committee, events);

  it('Heggedal: members, budget with the replaced grant, meetings, proposals by stage', () => {
    const view = committeeOf(state, HEGGEDAL);
    expect(view).toMatchObject({
      name: 'Heggedal lokalsamfunnsutvalg',
      kind: 'local_community',
      arenaId: expect.any(String),
      areas: ['Heggedal'],
      theme: null,
      coCreationForm: 'equal',
      period: { from: '2020-09-01', to: '2022-12-31' },
      establishedBy: { bodyId: COUNCIL, caseNumber: '20/50' },
      dissolvedOn: null,
    });
    expect(view?.members.active.map((m) => m.personId)).toEqual([1, 2, 4, 5, 13, 14].map(person));
    expect(view?.members.active[5]).toEqual({
      personId: person(14),
      role: 'member',
      actorGroup: 'resident',
      representationBasis: 'geographic_area',
      represents: 'Heggedal vel',
      appointedOn: '2020-09-01',
      leftOn: null,
    });
    expect(view?.members.former).toEqual([
      {
        personId: person(3),
        role: 'member',
        actorGroup: 'politician',
        representationBasis: 'viewpoint',
        represents: null,
        appointedOn: '2020-09-01',
        leftOn: '2021-06-30',
      },
    ]);
    // Active: residents P1 P4 P5 P13 P14, voluntary organisation P2
    expect(view?.members.byActorGroup).toEqual({
      resident: 5,
      private_actor: 0,
      voluntary_org: 1,
      municipality: 0,
      politician: 0,
    });
    expect(view?.members.byRepresentationBasis).toEqual({
      interest: 1, // P2
      population_group: 1, // P5
      geographic_area: 4, // P1 P4 P13 P14
      viewpoint: 0, // P3 has left
      open: 0,
    });
    expect(view?.budget).toEqual([
      // 2021: allocated 100 000 + 50 000; granted I 20 000 (J's 30 000 was replaced by its 2022 decision)
      { year: 2021, allocatedNok: 150_000, grantedNok: 20_000 },
      { year: 2022, allocatedNok: 80_000, grantedNok: 10_000 }, // J's new decision
    ]);
    expect(view?.meetings).toEqual([
      { meetingId: M1, kind: 'committee_meeting', heldOn: '2021-02-01', attendeeCount: 6 },
      { meetingId: M3, kind: 'public_meeting', heldOn: '2021-05-15', attendeeCount: 40 },
    ]);
    expect(view?.proposals.total).toBe(7);
    expect(view?.proposals.byStage).toEqual({
      submitted: 0,
      committee_deferred: 0,
      committee_adopted: 1, // J
      committee_rejected: 1, // B
      committee_noted: 0,
      referred: 1, // E
      returned: 0,
      politically_decided: 0,
      implementing: 1, // G
      completed: 2, // A I
      abandoned: 0,
      withdrawn: 1, // D
    });
  });

  it("counts both grants while J's first decision is the latest", () => {
    const before = committeeOf(fold(views.committee, upTo(positions.jFirstGrant)), HEGGEDAL);
    // I 20 000 + J 30 000, both decided in 2021
    expect(before?.budget).toEqual([
      { year: 2021, allocatedNok: 150_000, grantedNok: 50_000 },
      { year: 2022, allocatedNok: 80_000, grantedNok: 0 },
    ]);
  });

  it('Klima: its three proposals all politically decided; its meetings', () => {
    const view = committeeOf(state, KLIMA);
    expect(view?.proposals.byStage.politically_decided).toBe(3);
    expect(view?.meetings.map((m) => m.meetingId)).toEqual([M2, M5]);
    expect(view?.budget).toEqual([]);
    expect(view?.members.byActorGroup).toEqual({
      resident: 1,
      private_actor: 1,
      voluntary_org: 0,
      municipality: 1,
      politician: 0,
    });
  });

  it('lists committees by name', () => {
    expect(listCommittees(state).map((c) => [c.name, c.activeMembers, c.proposals])).toEqual([
      ['Heggedal lokalsamfunnsutvalg', 6, 7],
      ['Oppgaveutvalg for klima', 3, 3],
    ]);
    expect(committeeOf(state, A)).toBeUndefined();
  });
});

describe('trace index and votes (golden)', () => {
  const trace = fold(views.traceIndex, events);
  const votes = fold(views.votes, events);
  const positionsOfStreams = (...streamIds: string[]) =>
    events.filter((e) => streamIds.includes(e.streamId)).map((e) => e.globalPosition);

  it('C: its own events, its vote with ballots and close, and the meeting that had it on the agenda', () => {
    const expected = positionsOfStreams(`proposal-${C}`, `vote-${V1}`, `meeting-${M2}`);
    // submitted, deferred, adopted, referred, returned, adopted, referred, decided (8); opened + 3 ballots + closed (5); M2
    expect(expected).toHaveLength(8 + 5 + 1);
    expect(positionsFor(trace, C)).toEqual(expected);
  });

  it('E: named twice on one agenda, the meeting counts once', () => {
    expect(positionsFor(trace, E)).toEqual(positionsOfStreams(`proposal-${E}`, `meeting-${M3}`));
  });

  it('H: a public meeting on its agenda', () => {
    expect(positionsFor(trace, H)).toEqual(positionsOfStreams(`proposal-${H}`, `meeting-${M5}`));
    expect(positionsFor(trace, person(1))).toEqual([]);
  });

  it('a vote with its ballots and result', () => {
    expect(voteOf(votes, V2)).toEqual({
      voteId: V2,
      proposalId: A,
      committeeId: HEGGEDAL,
      meetingId: M1,
      question: 'Skal utvalget anbefale forslaget?',
      rule: 'simple_majority',
      openedOn: '2021-02-01',
      ballots: [
        { personId: person(1), choice: 'yes', castOn: '2021-02-01' },
        { personId: person(2), choice: 'yes', castOn: '2021-02-01' },
        { personId: person(3), choice: 'abstain', castOn: '2021-02-01' },
      ],
      closed: { closedOn: '2021-02-01', eligible: 6, tally: { yes: 2, no: 0, abstain: 1 }, result: 'passed' },
      positions: positionsOfStreams(`vote-${V2}`),
    });
    expect(votesOnProposal(votes, C).map((v) => v.voteId)).toEqual([V1]);
    expect(voteOf(votes, A)).toBeUndefined();
  });
});
