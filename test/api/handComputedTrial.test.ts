/**
 * A small trial through the real API, and the views' answers checked against numbers worked out by hand and written
 * here literally, with the arithmetic beside them. The trial, crash and simulation tests take their expectations
 * from PureLedger (src/simulation/pureLedger.ts), a second implementation of the command pipeline; this test takes
 * them from DOMAIN.md and docs/views.md alone, so that PureLedger, the command service and the views cannot all be
 * wrong together.
 *
 * The trial (committee K, period 2021-01-01 – 2022-12-31, decide mandate; all reads as admin):
 *   2021-01-10  A (leader, resident, geographic_area, area Slemmestad), B (member, voluntary_org, interest, area
 *               Vollen), C (member, politician, viewpoint, no area) appointed
 *               budget 2021: 30,000 + 20,000; budget 2022: 10,000
 *   2021-02-01  P1 submitted by D (origin resident, theme nærmiljø)
 *   2021-02-05  E supports P1;  2021-02-06  B supports P1
 *   2021-02-15  P2 submitted by A (origin member, theme trafikk)
 *   2021-02-20  D supports P2
 *   2021-02-25  public meeting of K: 30 attendees, D and E by name, P1 and P2 on the agenda
 *   2021-03-01  vote V on P1 opened (simple majority); ballots A yes, B yes, C no
 *   2021-03-02  V closed: 3 eligible, 2 yes 1 no 0 abstain → passed (2 > 1; 3 of 3 voted ≥ half)
 *   2021-03-05  K adopts P1 as an own decision on V, granting 20,000; K adopts P2 as a recommendation
 *   2021-03-10  P2 referred to the council (recommendation, case 21/300)
 *   2021-05-20  the council adopts P2 with amendments (40 for, 15 against)
 *   2021-08-15  P1 implemented: completed, 100 %
 */
import { openLedgerApp, type LedgerApp } from '../support/ledgerApp';

interface Trial {
  council: string;
  k: string;
  persons: Record<'a' | 'b' | 'c' | 'd' | 'e', string>;
  p1: string;
  p2: string;
  vote: string;
  meeting: string;
  p1Decision: string;
  p2Decision: string;
  referral: string;
  last: number;
}

const names = { a: 'Astrid Aas', b: 'Bjørn Berg', c: 'Cecilie Dahl', d: 'Dag Eng', e: 'Eva Fjeld' };

async function runTrial(t: LedgerApp): Promise<Trial> {
  const created = async (path: string, body: object): Promise<string> => {
    const res = await t.post(path, body);
    if (res.status !== 201) throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return String(res.body.id);
  };
  const council = await created('/political-bodies', { name: 'Kommunestyret', kind: 'council', seats: 55 });
  const k = await created('/committees', {
    name: 'Slemmestad og Vollen lokalsamfunnsutvalg',
    kind: 'local_community',
    areas: ['Slemmestad', 'Vollen'],
    mandate: { influence: true, decide: true, facilitate: true, support: true, arrange: true },
    coCreationForm: 'equal',
    period: { from: '2021-01-01', to: '2022-12-31' },
  });
  const persons = {
    a: await created('/persons', { name: names.a, area: 'Slemmestad' }),
    b: await created('/persons', { name: names.b, area: 'Vollen' }),
    c: await created('/persons', { name: names.c }),
    d: await created('/persons', { name: names.d, area: 'Slemmestad' }),
    e: await created('/persons', { name: names.e }),
  };
  const appoint = (personId: string, role: string, actorGroup: string, representationBasis: string) =>
    created(`/committees/${k}/members`, {
      personId,
      role,
      actorGroup,
      representationBasis,
      appointedOn: '2021-01-10',
    });
  await appoint(persons.a, 'leader', 'resident', 'geographic_area');
  await appoint(persons.b, 'member', 'voluntary_org', 'interest');
  await appoint(persons.c, 'member', 'politician', 'viewpoint');
  await created(`/committees/${k}/budget`, { year: 2021, amountNok: 30_000 });
  await created(`/committees/${k}/budget`, { year: 2021, amountNok: 20_000 });
  await created(`/committees/${k}/budget`, { year: 2022, amountNok: 10_000 });

  const p1 = await created('/proposals', {
    committeeId: k,
    title: 'Lekeplass i Vollen',
    description: 'En lekeplass ved fjorden',
    origin: 'resident',
    submittedBy: persons.d,
    theme: 'nærmiljø',
    submittedOn: '2021-02-01',
  });
  await created(`/proposals/${p1}/supports`, { personId: persons.e, supportedOn: '2021-02-05' });
  await created(`/proposals/${p1}/supports`, { personId: persons.b, supportedOn: '2021-02-06' });
  const p2 = await created('/proposals', {
    committeeId: k,
    title: 'Gatelys langs Slemmestadveien',
    description: 'Lys på skoleveien',
    origin: 'member',
    submittedBy: persons.a,
    theme: 'trafikk',
    submittedOn: '2021-02-15',
  });
  await created(`/proposals/${p2}/supports`, { personId: persons.d, supportedOn: '2021-02-20' });
  const meeting = await created('/meetings', {
    committeeId: k,
    kind: 'public_meeting',
    heldOn: '2021-02-25',
    attendeeCount: 30,
    attendeePersonIds: [persons.d, persons.e],
    agendaProposalIds: [p1, p2],
  });

  const vote = await created('/votes', {
    proposalId: p1,
    question: 'Skal utvalget bevilge lekeplassen?',
    rule: 'simple_majority',
    openedOn: '2021-03-01',
  });
  for (const [personId, choice] of [
    [persons.a, 'yes'],
    [persons.b, 'yes'],
    [persons.c, 'no'],
  ] as const) {
    await created(`/votes/${vote}/ballots`, { personId, choice, castOn: '2021-03-01' });
  }
  const close = await t.post(`/votes/${vote}/close`, { closedOn: '2021-03-02' });
  // 3 eligible (A, B, C: no deputies), 3 cast ≥ 3 / 2 → quorum; yes 2 > no 1 → passed.
  expect(close.body).toMatchObject({
    eligible: 3,
    tally: { yes: 2, no: 1, abstain: 0 },
    result: 'passed',
  });

  const p1Decision = await created(`/proposals/${p1}/committee-decisions`, {
    outcome: 'adopted',
    kind: 'own_decision',
    text: 'Utvalget bevilger lekeplassen',
    voteId: vote,
    grantNok: 20_000,
    decidedOn: '2021-03-05',
  });
  const p2Decision = await created(`/proposals/${p2}/committee-decisions`, {
    outcome: 'adopted',
    kind: 'recommendation',
    text: 'Utvalget anbefaler gatelys',
    decidedOn: '2021-03-05',
  });
  const referral = await created(`/proposals/${p2}/referrals`, {
    toBodyId: council,
    kind: 'recommendation',
    caseNumber: '21/300',
    referredOn: '2021-03-10',
  });
  await created(`/proposals/${p2}/referrals/${referral}/political-decision`, {
    outcome: 'adopted_with_amendments',
    caseNumber: '21/300',
    summary: 'Vedtatt med endringer',
    decidedOn: '2021-05-20',
    votesFor: 40,
    votesAgainst: 15,
  });
  await created(`/proposals/${p1}/implementation`, {
    status: 'completed',
    progressPct: 100,
    note: 'Lekeplassen er åpnet',
    reportedOn: '2021-08-15',
  });
  return {
    council,
    k,
    persons,
    p1,
    p2,
    vote,
    meeting,
    p1Decision,
    p2Decision,
    referral,
    last: await t.head(),
  };
}

describe('a small trial, its views computed by hand', () => {
  let t: LedgerApp;
  let trial: Trial;
  beforeAll(async () => {
    t = await openLedgerApp();
    trial = await runTrial(t);
  }, 60_000);
  afterAll(() => t.close());

  const read = async (path: string): Promise<Record<string, unknown>> => {
    const glue = path.includes('?') ? '&' : '?';
    const res = await t.get(`${path}${glue}minPosition=${trial.last}`, 'admin');
    expect(res.status).toBe(200);
    expect(res.body.position).toBe(trial.last);
    return res.body as Record<string, unknown>;
  };

  test('the trial wrote one event per command: 29 of them', () => {
    // Council, committee, 5 persons, 3 appointments, 3 allocations: 13; 2 proposals, 3 supports, 1 meeting: 19;
    // vote opened, 3 ballots, closed: 24; 2 committee decisions, referral, political decision, implementation: 29.
    expect(trial.last).toBe(29 - 1);
  });

  test('GET /proposals/:id for P1: adopted as an own decision on the vote, granted, completed, never referred', async () => {
    expect(await read(`/proposals/${trial.p1}`)).toEqual({
      position: trial.last,
      proposalId: trial.p1,
      committeeId: trial.k,
      processId: null,
      title: 'Lekeplass i Vollen',
      origin: 'resident',
      theme: 'nærmiljø',
      area: null,
      // The latest stage-setting event is the implementation report with status completed.
      stage: 'completed',
      // E and B.
      supports: 2,
      // Read as admin: nothing is suppressed.
      suppressed: [],
      suppressionThreshold: null,
      supportThresholdReachedOn: null,
      latestCommitteeDecision: {
        decisionId: trial.p1Decision,
        outcome: 'adopted',
        kind: 'own_decision',
        decidedOn: '2021-03-05',
        voteId: trial.vote,
        grantNok: 20_000,
      },
      referrals: [],
      implementation: {
        status: 'completed',
        progressPct: 100,
        note: 'Lekeplassen er åpnet',
        reportedOn: '2021-08-15',
      },
      dates: {
        submittedOn: '2021-02-01',
        firstCommitteeDecisionOn: '2021-03-05',
        firstReferredOn: null,
        politicalDecisionOn: null,
        implementationCompletedOn: '2021-08-15',
        withdrawnOn: null,
      },
      submittedOn: '2021-02-01',
      influence: 'not_referred',
      daysToPoliticalDecision: null,
    });
  });

  test('GET /proposals/:id for P2: recommended, referred, adopted with amendments after 94 days', async () => {
    expect(await read(`/proposals/${trial.p2}`)).toEqual({
      position: trial.last,
      proposalId: trial.p2,
      committeeId: trial.k,
      processId: null,
      title: 'Gatelys langs Slemmestadveien',
      origin: 'member',
      theme: 'trafikk',
      area: null,
      stage: 'politically_decided',
      // D.
      supports: 1,
      suppressed: [],
      suppressionThreshold: null,
      supportThresholdReachedOn: null,
      latestCommitteeDecision: {
        decisionId: trial.p2Decision,
        outcome: 'adopted',
        kind: 'recommendation',
        decidedOn: '2021-03-05',
      },
      referrals: [
        {
          referralId: trial.referral,
          toBodyId: trial.council,
          kind: 'recommendation',
          caseNumber: '21/300',
          referredOn: '2021-03-10',
          politicalDecision: {
            outcome: 'adopted_with_amendments',
            caseNumber: '21/300',
            summary: 'Vedtatt med endringer',
            decidedOn: '2021-05-20',
            votesFor: 40,
            votesAgainst: 15,
          },
          postponedOn: [],
        },
      ],
      implementation: null,
      dates: {
        submittedOn: '2021-02-15',
        firstCommitteeDecisionOn: '2021-03-05',
        firstReferredOn: '2021-03-10',
        politicalDecisionOn: '2021-05-20',
        implementationCompletedOn: null,
        withdrawnOn: null,
      },
      submittedOn: '2021-02-15',
      influence: 'partial',
      // 2021-02-15 → 2021-05-20: 13 days to 28 February, + 31 (March) + 30 (April) + 20 = 94.
      daysToPoliticalDecision: 94,
    });
  });

  test('GET /influence by committee: the funnel of K, its rate and its medians', async () => {
    const body = await read('/influence?groupBy=committee');
    expect(body.groups).toEqual([
      {
        key: trial.k,
        keyLabel: 'Slemmestad og Vollen lokalsamfunnsutvalg',
        submitted: 2,
        // P1 (own decision) and P2 (recommendation).
        committeeAdopted: 2,
        // P2 only.
        referred: 1,
        politicallyDecided: 1,
        adoptedFull: 0,
        adoptedPartial: 1,
        rejected: 0,
        noted: 0,
        returned: 0,
        // P1's completed report (a committee's own decision, carried out).
        implemented: 1,
        // (0 + 1) / 1.
        adoptionRate: { value: 1, numerator: 1, denominator: 1 },
        // P2 alone: 94.
        medianDaysToPoliticalDecision: 94,
        medianDays: {
          // P1: 2021-02-01 → 03-05 = 28 + 4 = 32; P2: 02-15 → 03-05 = 13 + 5 = 18; median of 18 and 32 = 25.
          submittedToCommitteeDecision: 25,
          // P2: 03-05 → 03-10 = 5.
          committeeDecisionToReferral: 5,
          // P2: 03-10 → 05-20 = 21 + 30 + 20 = 71 (and 18 + 5 + 71 = 94, as the chain must give).
          referralToPoliticalDecision: 71,
          // P1 was implemented without a political decision; P2 decided but not implemented: no proposal has both.
          politicalDecisionToImplemented: null,
        },
      },
    ]);
  });

  test('GET /participation for K: participants, members, turnout, the public meeting, supports', async () => {
    expect(await read(`/participation?committeeId=${trial.k}`)).toEqual({
      position: trial.last,
      committeeId: trial.k,
      from: null,
      to: null,
      // Members A, B, C; D submitted, supported and attended; E supported and attended: 5 distinct.
      participants: 5,
      members: {
        total: 3,
        byActorGroup: { resident: 1, private_actor: 0, voluntary_org: 1, municipality: 0, politician: 1 },
        byRepresentationBasis: {
          interest: 1,
          population_group: 0,
          geographic_area: 1,
          viewpoint: 1,
          open: 0,
        },
        byRole: { leader: 1, deputy_leader: 0, member: 2, youth_representative: 0, deputy: 0 },
        // A Slemmestad, B Vollen, C registered without an area.
        byArea: { Slemmestad: 1, Vollen: 1, unknown: 1 },
      },
      turnout: {
        closedVotes: 1,
        // 3 ballots of 3 eligible: 3 / 3 = 1.
        ballotsCast: 3,
        eligible: 3,
        rate: { value: 1, numerator: 3, denominator: 3 },
        perVote: [
          {
            voteId: trial.vote,
            closedOn: '2021-03-02',
            ballotsCast: 3,
            eligible: 3,
            rate: { value: 1, numerator: 3, denominator: 3 },
          },
        ],
      },
      publicMeetings: { meetings: 1, attendees: 30 },
      // E and B on P1, D on P2.
      supports: 3,
      // Admin: nothing hidden, though every count of people is under 5.
      suppressionThreshold: null,
      suppressed: [],
    });
  });

  test('GET /committees/:id for K: members, budget allocated against granted, meetings, proposals by stage', async () => {
    const body = await read(`/committees/${trial.k}`);
    const member = (who: 'a' | 'b' | 'c', role: string, actorGroup: string, representationBasis: string) => ({
      personId: trial.persons[who],
      name: names[who],
      role,
      actorGroup,
      representationBasis,
      represents: null,
      appointedOn: '2021-01-10',
      leftOn: null,
    });
    expect(body.members).toEqual({
      active: [
        member('a', 'leader', 'resident', 'geographic_area'),
        member('b', 'member', 'voluntary_org', 'interest'),
        member('c', 'member', 'politician', 'viewpoint'),
      ],
      former: [],
      // a, b and c are active; nobody has left.
      activeCount: 3,
      formerCount: 0,
      byActorGroup: { resident: 1, private_actor: 0, voluntary_org: 1, municipality: 0, politician: 1 },
      byRepresentationBasis: { interest: 1, population_group: 0, geographic_area: 1, viewpoint: 1, open: 0 },
      // a leads; b and c are members.
      byRole: { leader: 1, deputy_leader: 0, member: 2, youth_representative: 0, deputy: 0 },
    });
    expect(body.budget).toEqual([
      // 30,000 + 20,000 allocated; P1's 20,000 granted (P2's recommendation grants nothing).
      { year: 2021, allocatedNok: 50_000, grantedNok: 20_000 },
      { year: 2022, allocatedNok: 10_000, grantedNok: 0 },
    ]);
    expect(body.meetings).toEqual([
      { meetingId: trial.meeting, kind: 'public_meeting', heldOn: '2021-02-25', attendeeCount: 30 },
    ]);
    expect(body.proposals).toEqual({
      total: 2,
      byStage: {
        submitted: 0,
        committee_deferred: 0,
        committee_adopted: 0,
        committee_rejected: 0,
        committee_noted: 0,
        referred: 0,
        returned: 0,
        // P2.
        politically_decided: 1,
        implementing: 0,
        // P1.
        completed: 1,
        abandoned: 0,
        withdrawn: 0,
      },
    });
  });
});
