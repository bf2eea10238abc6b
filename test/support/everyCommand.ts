/**
 * One run of every command route, in an order in which each is valid, through a `step` the caller supplies (S1
 * sends each as every role, the contract test validates each answer). It leaves records of every kind behind, for
 * the reads to be walked on.
 */
import type { KnownIds } from './servedRoutes';
import { fullMandate } from './ledgerApp';

/**
 * Every command route once (POST /persons and /proposals more than once), in an order in which each is valid: a
 * person to erase, a member who leaves, a vote closed and used by an adopted decision, a referral decided, a second
 * proposal withdrawn, and the committee dissolved last. `step` sends each request; it returns the answer's `id`.
 */
export async function everyCommand(
  step: (route: string, path: string, body: Record<string, unknown>) => Promise<string>,
  run: string,
): Promise<Required<KnownIds>> {
  const arenaId = await step('/arenas', '/arenas', { name: `Innbyggertorg ${run}`, areas: ['Heggedal'] });
  const bodyId = await step('/political-bodies', '/political-bodies', {
    name: `Kommunestyret ${run}`,
    kind: 'council',
    seats: 47,
  });
  const leader = await step('/persons', '/persons', { name: `Leder ${run}` });
  const leaver = await step('/persons', '/persons', { name: `Utgått ${run}` });
  const erased = await step('/persons', '/persons', { name: `Slettet ${run}` });
  await step('/persons/:id/erasure', `/persons/${erased}/erasure`, {
    erasedOn: '2021-01-01',
    reason: 'Ønsket sletting',
  });
  const committeeId = await step('/committees', '/committees', {
    name: `Lokalsamfunnsutvalget ${run}`,
    kind: 'local_community',
    arenaId,
    areas: ['Heggedal'],
    mandate: fullMandate,
    coCreationForm: 'equal',
    period: { from: '2020-06-01', to: '2022-12-31' },
  });
  for (const [personId, role] of [
    [leader, 'leader'],
    [leaver, 'member'],
  ]) {
    await step('/committees/:id/members', `/committees/${committeeId}/members`, {
      personId,
      role,
      actorGroup: 'resident',
      representationBasis: 'geographic_area',
      appointedOn: '2020-06-15',
    });
  }
  await step(
    '/committees/:id/members/:personId/leave',
    `/committees/${committeeId}/members/${leaver}/leave`,
    { leftOn: '2020-12-31' },
  );
  await step('/committees/:id/budget', `/committees/${committeeId}/budget`, {
    year: 2021,
    amountNok: 10_000,
  });
  const processId = await step('/processes', '/processes', {
    title: `Veikart ${run}`,
    committeeIds: [committeeId],
    coCreationForm: 'equal',
    startedOn: '2021-01-01',
  });
  await step('/processes/:id/phases', `/processes/${processId}/phases`, {
    phase: 'knowledge_base',
    startedOn: '2021-02-01',
  });
  await step('/processes/:id/completion', `/processes/${processId}/completion`, {
    completedOn: '2021-06-01',
    summary: 'Ferdig',
  });
  const submit = (title: string) =>
    step('/proposals', '/proposals', {
      committeeId,
      title,
      description: `${title}.`,
      origin: 'resident',
      submittedBy: leader,
      submittedOn: '2021-03-01',
    });
  const proposalId = await submit(`Gatelys ${run}`);
  await step('/proposals/:id/amendments', `/proposals/${proposalId}/amendments`, {
    title: `Gatelys langs skoleveien ${run}`,
    amendedOn: '2021-03-02',
    reason: 'Presisering',
  });
  await step('/proposals/:id/supports', `/proposals/${proposalId}/supports`, {
    personId: leader,
    supportedOn: '2021-03-03',
  });
  const meetingId = await step('/meetings', '/meetings', {
    committeeId,
    kind: 'committee_meeting',
    heldOn: '2021-04-01',
    attendeeCount: 1,
    attendeePersonIds: [leader],
    agendaProposalIds: [proposalId],
  });
  const voteId = await step('/votes', '/votes', {
    proposalId,
    meetingId,
    question: 'Anbefale forslaget?',
    rule: 'simple_majority',
    openedOn: '2021-04-01',
  });
  await step('/votes/:id/ballots', `/votes/${voteId}/ballots`, {
    personId: leader,
    choice: 'yes',
    castOn: '2021-04-01',
  });
  await step('/votes/:id/close', `/votes/${voteId}/close`, { closedOn: '2021-04-01' });
  await step('/proposals/:id/committee-decisions', `/proposals/${proposalId}/committee-decisions`, {
    outcome: 'adopted',
    kind: 'recommendation',
    text: 'Anbefalt',
    voteId,
    decidedOn: '2021-04-02',
  });
  const referralId = await step('/proposals/:id/referrals', `/proposals/${proposalId}/referrals`, {
    toBodyId: bodyId,
    kind: 'recommendation',
    caseNumber: '21/1',
    referredOn: '2021-04-10',
  });
  await step(
    '/proposals/:id/referrals/:referralId/political-decision',
    `/proposals/${proposalId}/referrals/${referralId}/political-decision`,
    { outcome: 'adopted', caseNumber: '21/1', summary: 'Vedtatt', decidedOn: '2021-05-01' },
  );
  await step('/proposals/:id/implementation', `/proposals/${proposalId}/implementation`, {
    status: 'in_progress',
    progressPct: 50,
    note: 'Godt i gang',
    reportedOn: '2021-06-01',
  });
  const withdrawn = await submit(`Benker ${run}`);
  await step('/proposals/:id/withdrawal', `/proposals/${withdrawn}/withdrawal`, {
    withdrawnOn: '2021-03-10',
    reason: 'Trukket av forslagsstilleren',
  });
  await step('/committees/:id/dissolution', `/committees/${committeeId}/dissolution`, {
    dissolvedOn: '2022-06-30',
    reason: 'Ny ordning',
  });
  return { committeeId, proposalId, voteId, arenaId, bodyId, meetingId, personId: leader, processId };
}
