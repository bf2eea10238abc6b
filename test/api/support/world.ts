/**
 * One "world" for the API rule tests, built only through the HTTP API (as a clerk): the records every rule case
 * needs, each in the state its case breaks. Every setup request must answer 201 (a vote close must also give the
 * result the world relies on), otherwise building throws with the request and the response, so a broken setup
 * fails loudly instead of letting a rule case pass or fail for the wrong reason.
 *
 * Time line (committee K1's period is 2020-06-01 – 2022-12-31; all dates lie in the past):
 *   2020-06-01  K1, K2 and a committee to be dissolved are established; members of K1 appointed
 *   2020-12-31  the leaver leaves K1
 *   2021-01-01  processes start; the erased person's data is erased
 *   2021-02-01  the running process enters knowledge_base
 *   2021-03-01  every proposal is submitted
 *   2021-03-05  supports for the citizens' initiatives
 *   2021-03-10  a proposal is withdrawn; a public meeting has the fresh proposal on its agenda
 *   2021-04-01  committee decisions (adopted recommendations, one own decision granting money); votes open
 *   2021-04-02  ballots
 *   2021-04-05  votes close
 *   2021-04-10  referrals to the council
 *   2021-05-01  the council adopts one referred proposal and returns another
 *   2021-06-01  the completed process is completed
 *   2021-06-30  the early-dissolved committee is dissolved
 */
import type { Response } from 'supertest';
import type { LedgerApp } from '../../support/ledgerApp';

/** The citizens' initiative threshold the world is built for (LEDGER_CITIZEN_INITIATIVE_THRESHOLD). */
export const CITIZEN_INITIATIVE_THRESHOLD = 3;

/** K1's allocated budget for 2021, in NOK. */
export const K1_BUDGET_2021 = 10_000;

/** What K1 has granted in 2021 (one own decision, on `proposals.granted`), in NOK. */
export const K1_GRANTED_2021 = 6_000;

export interface World {
  arenaId: string;
  councilId: string;
  executiveCommitteeId: string;
  persons: {
    /** K1 leader, appointed 2020-06-01, active, eligible to vote. */
    leader: string;
    /** K1 member, appointed 2020-06-01, active, eligible to vote. */
    member: string;
    /** K1 member, appointed 2020-06-01, active, eligible to vote. */
    member2: string;
    /** K1 deputy, appointed 2020-06-01: active but never eligible to vote. */
    deputy: string;
    /** K1 member appointed 2020-06-01 who left on 2020-12-31. */
    leaver: string;
    /** A resident who sits on no committee. */
    outsider: string;
    /** A person whose personal data was erased on 2021-01-01. */
    erased: string;
  };
  committees: {
    /** local_community, mandate.decide true, period 2020-06-01 – 2022-12-31, budget 2021. */
    k1: string;
    /** task committee, mandate.decide false. */
    k2: string;
    /** Period 2020-06-01 – 2022-12-31, dissolved early on 2021-06-30. */
    dissolved: string;
  };
  processes: {
    /** Committees [K1], started 2021-01-01, phase knowledge_base since 2021-02-01, still running. */
    running: string;
    /** Committees [K1], started 2021-01-01, completed 2021-06-01. */
    completed: string;
  };
  proposals: {
    /** K1, submitted 2021-03-01, nothing since (but a meeting agenda). Origin resident. */
    fresh: string;
    /** K1, submitted 2021-03-01, withdrawn 2021-03-10. */
    withdrawn: string;
    /** K1, adopted as a recommendation on 2021-04-01, not referred. */
    adopted: string;
    /** K1, adopted as an own decision on 2021-04-01 granting K1_GRANTED_2021. */
    granted: string;
    /** K1, adopted 2021-04-01, referred to the council 2021-04-10: the referral is open. */
    referred: string;
    /** K1, adopted 2021-04-01, referred 2021-04-10, adopted by the council 2021-05-01 (referral closed). */
    decided: string;
    /** K1, adopted 2021-04-01, referred 2021-04-10, returned by the council 2021-05-01, not decided again. */
    returned: string;
    /** The early-dissolved committee's, submitted 2021-03-01 (before its dissolution), undecided. */
    inDissolved: string;
    /** K1, submitted 2021-03-01, the subject of four votes, not decided by the committee. */
    voted: string;
    /** K2 (no decide mandate), submitted 2021-03-01. */
    k2: string;
    /** Origin citizen_initiative, 2 supports: below the threshold of 3. */
    initiativeBelow: string;
    /** Origin citizen_initiative, 3 supports by 2021-03-05: at the threshold. */
    initiativeAt: string;
  };
  referrals: {
    /** The open referral of `proposals.referred`. */
    open: string;
    /** The referral of `proposals.decided`, closed by the council's adoption. */
    closed: string;
  };
  votes: {
    /** On `proposals.voted`, opened 2021-04-01, one ballot (leader, yes, 2021-04-02), still open. */
    open: string;
    /** On `proposals.voted`, closed 2021-04-05: 2 yes, 1 no of 3 eligible → passed. */
    passed: string;
    /** On `proposals.voted`, closed 2021-04-05: 1 yes, 2 no of 3 eligible → failed. */
    failed: string;
    /** On `proposals.voted`, closed 2021-04-05: 1 ballot of 3 eligible → no_quorum. */
    noQuorum: string;
  };
  meetingId: string;
}

type Body = Record<string, unknown>;

function describeFailure(path: string, body: Body, res: Response, why: string): Error {
  return new Error(
    `world setup: POST ${path} ${JSON.stringify(body)} ${why}; got ${res.status} ${JSON.stringify(res.body)}`,
  );
}

/** POSTs a setup command and returns the response's `id`; anything but a 201 throws. */
async function created(app: LedgerApp, path: string, body: Body): Promise<{ id: string; res: Response }> {
  const res = await app.post(path, body);
  if (res.status !== 201) throw describeFailure(path, body, res, 'should answer 201');
  const answer: unknown = res.body;
  const id =
    typeof answer === 'object' && answer !== null && 'id' in answer && typeof answer.id === 'string'
      ? answer.id
      : undefined;
  if (id === undefined) throw describeFailure(path, body, res, 'should answer with an id');
  return { id, res };
}

async function create(app: LedgerApp, path: string, body: Body): Promise<string> {
  return (await created(app, path, body)).id;
}

const noMandate = { influence: true, decide: false, facilitate: false, support: false, arrange: false };
const fullMandate = { influence: true, decide: true, facilitate: true, support: true, arrange: true };
const trialPeriod = { from: '2020-06-01', to: '2022-12-31' };

export async function buildWorld(app: LedgerApp): Promise<World> {
  const post = (path: string, body: Body): Promise<string> => create(app, path, body);

  // ---------- arena, political bodies, persons ----------
  const arenaId = await post('/arenas', { name: 'Innbyggertorg Heggedal', areas: ['Heggedal'] });
  const councilId = await post('/political-bodies', { name: 'Kommunestyret', kind: 'council', seats: 47 });
  const executiveCommitteeId = await post('/political-bodies', {
    name: 'Formannskapet',
    kind: 'executive_committee',
    seats: 13,
  });
  const person = (name: string): Promise<string> => post('/persons', { name, area: 'Heggedal' });
  const persons = {
    leader: await person('Kari Nordmann'),
    member: await person('Ola Nordmann'),
    member2: await person('Ingrid Hansen'),
    deputy: await person('Per Olsen'),
    leaver: await person('Anne Larsen'),
    outsider: await person('Nils Berg'),
    erased: await person('Siri Dahl'),
  };
  await post(`/persons/${persons.erased}/erasure`, {
    erasedOn: '2021-01-01',
    reason: 'asked to be forgotten',
  });

  // ---------- committees ----------
  const k1 = await post('/committees', {
    name: 'Heggedal lokalsamfunnsutvalg',
    kind: 'local_community',
    arenaId,
    areas: ['Heggedal'],
    mandate: fullMandate,
    coCreationForm: 'equal',
    period: trialPeriod,
    establishedBy: { bodyId: councilId, caseNumber: '20/100' },
  });
  const k2 = await post('/committees', {
    name: 'Oppgaveutvalg for friluftsliv',
    kind: 'task',
    areas: [],
    theme: 'friluftsliv',
    mandate: noMandate,
    coCreationForm: 'steered',
    period: trialPeriod,
  });
  const dissolved = await post('/committees', {
    name: 'Oppgaveutvalg for eldre',
    kind: 'task',
    areas: [],
    mandate: noMandate,
    coCreationForm: 'facilitating',
    period: trialPeriod,
  });
  const appoint = (personId: string, role: string, actorGroup: string): Promise<string> =>
    post(`/committees/${k1}/members`, {
      personId,
      role,
      actorGroup,
      representationBasis: 'geographic_area',
      appointedOn: '2020-06-01',
    });
  await appoint(persons.leader, 'leader', 'resident');
  await appoint(persons.member, 'member', 'voluntary_org');
  await appoint(persons.member2, 'member', 'politician');
  await appoint(persons.deputy, 'deputy', 'resident');
  await appoint(persons.leaver, 'member', 'private_actor');
  await post(`/committees/${k1}/members/${persons.leaver}/leave`, { leftOn: '2020-12-31', reason: 'moved' });
  await post(`/committees/${k1}/budget`, { year: 2021, amountNok: K1_BUDGET_2021 });
  await post(`/committees/${dissolved}/dissolution`, { dissolvedOn: '2021-06-30', reason: 'merged' });

  // ---------- processes ----------
  const startProcess = (title: string): Promise<string> =>
    post('/processes', { title, committeeIds: [k1], coCreationForm: 'equal', startedOn: '2021-01-01' });
  const running = await startProcess('Temaplan for Heggedal sentrum');
  await post(`/processes/${running}/phases`, { phase: 'knowledge_base', startedOn: '2021-02-01' });
  const completed = await startProcess('Veikart for nærmiljøanlegg');
  await post(`/processes/${completed}/completion`, { completedOn: '2021-06-01', summary: 'Veikart vedtatt' });

  // ---------- proposals ----------
  const submit = (title: string, extra: Body = {}): Promise<string> =>
    post('/proposals', {
      committeeId: k1,
      title,
      description: `${title}: beskrivelse`,
      origin: 'resident',
      submittedOn: '2021-03-01',
      ...extra,
    });
  const fresh = await submit('Benker langs turstien', {
    processId: running,
    submittedBy: persons.outsider,
    theme: 'friluftsliv',
    area: 'Heggedal',
  });
  const withdrawn = await submit('Ny ballbinge');
  await post(`/proposals/${withdrawn}/withdrawal`, {
    withdrawnOn: '2021-03-10',
    reason: 'løst på annen måte',
  });

  const adoptAsRecommendation = (proposalId: string): Promise<string> =>
    post(`/proposals/${proposalId}/committee-decisions`, {
      outcome: 'adopted',
      kind: 'recommendation',
      text: 'Utvalget anbefaler forslaget',
      decidedOn: '2021-04-01',
    });
  const referToCouncil = (proposalId: string): Promise<string> =>
    post(`/proposals/${proposalId}/referrals`, {
      toBodyId: councilId,
      kind: 'recommendation',
      caseNumber: '21/1234',
      referredOn: '2021-04-10',
    });

  const adopted = await submit('Gatelys i Gamleveien');
  await adoptAsRecommendation(adopted);

  const granted = await submit('Sommerkonsert i Heggedal');
  await post(`/proposals/${granted}/committee-decisions`, {
    outcome: 'adopted',
    kind: 'own_decision',
    text: 'Utvalget bevilger tilskudd til konserten',
    grantNok: K1_GRANTED_2021,
    decidedOn: '2021-04-01',
  });

  const referred = await submit('Trafikksikring ved skolen');
  await adoptAsRecommendation(referred);
  const openReferral = await referToCouncil(referred);

  const decided = await submit('Badeplass ved Gjellumvannet');
  await adoptAsRecommendation(decided);
  const closedReferral = await referToCouncil(decided);
  await post(`/proposals/${decided}/referrals/${closedReferral}/political-decision`, {
    outcome: 'adopted',
    caseNumber: '21/1234',
    summary: 'Kommunestyret vedtok forslaget',
    decidedOn: '2021-05-01',
    votesFor: 40,
    votesAgainst: 7,
  });

  const returned = await submit('Ny gangbru over jernbanen');
  await adoptAsRecommendation(returned);
  const returnedReferral = await referToCouncil(returned);
  await post(`/proposals/${returned}/referrals/${returnedReferral}/political-decision`, {
    outcome: 'returned',
    caseNumber: '21/1234',
    summary: 'Sendt tilbake til utvalget for kostnadsoverslag',
    decidedOn: '2021-05-01',
  });

  const inDissolved = await submit('Seniortreff på biblioteket', { committeeId: dissolved });
  const voted = await submit('Kunstgress på Heggedal stadion');
  const k2Proposal = await submit('Merking av turstier', { committeeId: k2 });

  const initiative = (title: string): Promise<string> =>
    submit(title, { origin: 'citizen_initiative', submittedBy: persons.outsider });
  const support = (proposalId: string, personId: string): Promise<string> =>
    post(`/proposals/${proposalId}/supports`, { personId, supportedOn: '2021-03-05' });
  const initiativeBelow = await initiative('Innbyggerforslag: hundepark');
  await support(initiativeBelow, persons.leader);
  await support(initiativeBelow, persons.member);
  const initiativeAt = await initiative('Innbyggerforslag: bevar Heggedal gamle skole');
  await support(initiativeAt, persons.leader);
  await support(initiativeAt, persons.member);
  await support(initiativeAt, persons.outsider);

  const meetingId = await post('/meetings', {
    committeeId: k1,
    arenaId,
    kind: 'public_meeting',
    heldOn: '2021-03-10',
    attendeeCount: 25,
    attendeePersonIds: [persons.leader, persons.member],
    agendaProposalIds: [fresh],
  });

  // ---------- votes on `voted`: eligible on 2021-04-01 are leader, member, member2 ----------
  const openVote = (question: string): Promise<string> =>
    post('/votes', { proposalId: voted, question, rule: 'simple_majority', openedOn: '2021-04-01' });
  const ballot = (voteId: string, personId: string, choice: 'yes' | 'no'): Promise<string> =>
    post(`/votes/${voteId}/ballots`, { personId, choice, castOn: '2021-04-02' });
  const close = async (voteId: string, result: 'passed' | 'failed' | 'no_quorum'): Promise<void> => {
    const path = `/votes/${voteId}/close`;
    const body = { closedOn: '2021-04-05' };
    const { res } = await created(app, path, body);
    const answer: unknown = res.body;
    const got =
      typeof answer === 'object' && answer !== null && 'result' in answer ? answer.result : undefined;
    if (got !== result) throw describeFailure(path, body, res, `should close the vote as ${result}`);
  };

  const open = await openVote('Skal utvalget gå inn for kunstgress? (åpen)');
  await ballot(open, persons.leader, 'yes');

  const passed = await openVote('Skal utvalget gå inn for kunstgress?');
  await ballot(passed, persons.leader, 'yes');
  await ballot(passed, persons.member, 'yes');
  await ballot(passed, persons.member2, 'no');
  await close(passed, 'passed');

  const failed = await openVote('Skal utvalget gå inn for kunstgress? (ny runde)');
  await ballot(failed, persons.leader, 'yes');
  await ballot(failed, persons.member, 'no');
  await ballot(failed, persons.member2, 'no');
  await close(failed, 'failed');

  const noQuorum = await openVote('Skal utvalget gå inn for kunstgress? (tredje runde)');
  await ballot(noQuorum, persons.leader, 'yes');
  await close(noQuorum, 'no_quorum');

  return {
    arenaId,
    councilId,
    executiveCommitteeId,
    persons,
    committees: { k1, k2, dissolved },
    processes: { running, completed },
    proposals: {
      fresh,
      withdrawn,
      adopted,
      granted,
      referred,
      decided,
      returned,
      inDissolved,
      voted,
      k2: k2Proposal,
      initiativeBelow,
      initiativeAt,
    },
    referrals: { open: openReferral, closed: closedReferral },
    votes: { open, passed, failed, noQuorum },
    meetingId,
  };
}
