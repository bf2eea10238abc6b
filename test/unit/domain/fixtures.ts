/**
 * A small world for the specifications: Heggedal lokalsamfunnsutvalg (may decide, with a budget), a task committee
 * that may only recommend, the council and the executive committee, a few people, and one proposal's timeline
 * through 2021.
 */
import type { Command, CommandInput } from '../../../src/domain/commands';
import type { DomainEvent, EventData } from '../../../src/domain/events';
import { command } from './given';

const uuid = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const ids = {
  heggedal: uuid(1),
  taskCommittee: uuid(2),
  torg: uuid(3),
  council: uuid(10),
  executive: uuid(11),
  anne: uuid(20),
  bjorn: uuid(21),
  cecilie: uuid(22),
  dag: uuid(23),
  erik: uuid(24),
  frida: uuid(25),
  process: uuid(30),
  meeting: uuid(31),
  proposal: uuid(40),
  otherProposal: uuid(41),
  vote: uuid(50),
  otherVote: uuid(51),
  decision1: uuid(60),
  decision2: uuid(61),
  decision3: uuid(62),
  referral1: uuid(70),
  referral2: uuid(71),
  unknown: uuid(99),
};

/** Members appointed to Heggedal on its first day; erik is a deputy (vararepresentant), frida is not a member. */
export const members = [ids.anne, ids.bjorn, ids.cecilie, ids.dag] as const;

export function arenaRegistered(arenaId = ids.torg): DomainEvent {
  return { type: 'ArenaRegistered', data: { arenaId, name: 'Heggedal innbyggertorg', areas: ['Heggedal'] } };
}

export function councilRegistered(): DomainEvent {
  return {
    type: 'PoliticalBodyRegistered',
    data: { bodyId: ids.council, name: 'Kommunestyret', kind: 'council', seats: 47 },
  };
}

export function executiveRegistered(): DomainEvent {
  return {
    type: 'PoliticalBodyRegistered',
    data: { bodyId: ids.executive, name: 'Formannskapet', kind: 'executive_committee', seats: 13 },
  };
}

export function personRegistered(personId: string): DomainEvent {
  return { type: 'PersonRegistered', data: { personId, personal: { name: `Person ${personId.slice(-2)}` } } };
}

export function committeeData(
  over: Partial<EventData<'CommitteeEstablished'>> = {},
): EventData<'CommitteeEstablished'> {
  return {
    committeeId: ids.heggedal,
    name: 'Heggedal lokalsamfunnsutvalg',
    kind: 'local_community',
    areas: ['Heggedal'],
    mandate: { influence: true, decide: true, facilitate: true, support: true, arrange: true },
    coCreationForm: 'equal',
    period: { from: '2020-09-01', to: '2022-12-31' },
    ...over,
  };
}

export function committeeEstablished(over: Partial<EventData<'CommitteeEstablished'>> = {}): DomainEvent {
  return { type: 'CommitteeEstablished', data: committeeData(over) };
}

export function taskCommitteeEstablished(): DomainEvent {
  return committeeEstablished({
    committeeId: ids.taskCommittee,
    name: 'Oppgaveutvalg for klima',
    kind: 'task',
    mandate: { influence: true, decide: false, facilitate: false, support: false, arrange: false },
    coCreationForm: 'steered',
  });
}

export function memberAppointed(
  personId: string,
  role: EventData<'MemberAppointed'>['role'] = 'member',
  appointedOn = '2020-09-01',
): DomainEvent {
  return {
    type: 'MemberAppointed',
    data: { personId, role, actorGroup: 'resident', representationBasis: 'geographic_area', appointedOn },
  };
}

export function memberLeft(personId: string, leftOn: string): DomainEvent {
  return { type: 'MemberLeft', data: { personId, leftOn } };
}

export function budgetAllocated(year: number, amountNok: number): DomainEvent {
  return { type: 'BudgetAllocated', data: { year, amountNok } };
}

export function committeeDissolved(dissolvedOn: string): DomainEvent {
  return { type: 'CommitteeDissolved', data: { dissolvedOn, reason: 'replaced by area forum' } };
}

/** Heggedal with its four voting members, a deputy, and 100 000 NOK for 2021. */
export function heggedal(): DomainEvent[] {
  return [
    committeeEstablished(),
    ...members.map((personId, i) => memberAppointed(personId, i === 0 ? 'leader' : 'member')),
    memberAppointed(ids.erik, 'deputy'),
    budgetAllocated(2021, 100_000),
  ];
}

export function processStarted(committeeIds: string[] = [ids.heggedal]): DomainEvent {
  return {
    type: 'ProcessStarted',
    data: {
      processId: ids.process,
      title: 'Temaplan for Heggedal sentrum',
      committeeIds,
      coCreationForm: 'equal',
      startedOn: '2020-10-01',
    },
  };
}

export function proposalData(
  over: Partial<EventData<'ProposalSubmitted'>> = {},
): EventData<'ProposalSubmitted'> {
  return {
    proposalId: ids.proposal,
    committeeId: ids.heggedal,
    title: 'Benker langs turstien',
    description: 'Sett opp fem benker langs turstien ved Gjellumvannet.',
    origin: 'resident',
    submittedBy: ids.frida,
    submittedOn: '2021-01-10',
    ...over,
  };
}

export function proposalSubmitted(over: Partial<EventData<'ProposalSubmitted'>> = {}): DomainEvent {
  return { type: 'ProposalSubmitted', data: proposalData(over) };
}

export function supported(personId: string, supportedOn = '2021-01-20'): DomainEvent {
  return { type: 'ProposalSupported', data: { personId, supportedOn } };
}

export function committeeDecided(over: Partial<EventData<'CommitteeDecisionRecorded'>> = {}): DomainEvent {
  return {
    type: 'CommitteeDecisionRecorded',
    data: {
      decisionId: ids.decision1,
      committeeId: ids.heggedal,
      outcome: 'adopted',
      kind: 'recommendation',
      text: 'Utvalget anbefaler forslaget.',
      decidedOn: '2021-02-01',
      ...over,
    },
  };
}

export function referred(over: Partial<EventData<'ProposalReferred'>> = {}): DomainEvent {
  return {
    type: 'ProposalReferred',
    data: {
      referralId: ids.referral1,
      toBodyId: ids.council,
      kind: 'recommendation',
      caseNumber: '21/1234',
      referredOn: '2021-02-15',
      ...over,
    },
  };
}

export function politicallyDecided(over: Partial<EventData<'PoliticalDecisionRecorded'>> = {}): DomainEvent {
  return {
    type: 'PoliticalDecisionRecorded',
    data: {
      referralId: ids.referral1,
      bodyId: ids.council,
      caseNumber: '21/1234',
      outcome: 'adopted',
      summary: 'Kommunestyret vedtok forslaget.',
      decidedOn: '2021-03-20',
      ...over,
    },
  };
}

export function voteOpened(over: Partial<EventData<'VoteOpened'>> = {}): DomainEvent {
  return {
    type: 'VoteOpened',
    data: {
      voteId: ids.vote,
      proposalId: ids.proposal,
      committeeId: ids.heggedal,
      question: 'Skal utvalget anbefale forslaget?',
      rule: 'simple_majority',
      openedOn: '2021-02-01',
      ...over,
    },
  };
}

export function ballotCast(
  personId: string,
  choice: EventData<'BallotCast'>['choice'],
  castOn = '2021-02-01',
): DomainEvent {
  return { type: 'BallotCast', data: { personId, choice, castOn } };
}

export function voteClosed(result: EventData<'VoteClosed'>['result'], closedOn = '2021-02-01'): DomainEvent {
  const tally =
    result === 'passed'
      ? { yes: 3, no: 1, abstain: 0 }
      : result === 'failed'
        ? { yes: 1, no: 3, abstain: 0 }
        : { yes: 1, no: 0, abstain: 0 };
  return { type: 'VoteClosed', data: { closedOn, eligible: 4, tally, result } };
}

/** A closed vote on the proposal with the given result. */
export function closedVote(result: EventData<'VoteClosed'>['result'], voteId = ids.vote): DomainEvent[] {
  return [voteOpened({ voteId }), voteClosed(result)];
}

// ---------- proposal commands, as the application would pass them ----------

export function submit(over: Partial<CommandInput<'SubmitProposal'>> = {}): Command {
  return command('SubmitProposal', { ...proposalData(), ...over });
}

export function amend(over: Partial<CommandInput<'AmendProposal'>> = {}): Command {
  return command('AmendProposal', {
    proposalId: ids.proposal,
    title: 'Benker og bord langs turstien',
    amendedOn: '2021-01-15',
    reason: 'innspill fra folkemøtet',
    ...over,
  });
}

export function support(personId: string, supportedOn = '2021-01-20'): Command {
  return command('SupportProposal', { proposalId: ids.proposal, personId, supportedOn });
}

export function withdraw(withdrawnOn = '2021-04-01'): Command {
  return command('WithdrawProposal', { proposalId: ids.proposal, withdrawnOn, reason: 'løst på annen måte' });
}

export function decide(over: Partial<CommandInput<'RecordCommitteeDecision'>> = {}): Command {
  return command('RecordCommitteeDecision', {
    proposalId: ids.proposal,
    decisionId: ids.decision1,
    outcome: 'adopted',
    kind: 'recommendation',
    text: 'Utvalget anbefaler forslaget.',
    decidedOn: '2021-02-01',
    ...over,
  });
}

export function refer(over: Partial<CommandInput<'ReferProposal'>> = {}): Command {
  return command('ReferProposal', {
    proposalId: ids.proposal,
    referralId: ids.referral1,
    toBodyId: ids.council,
    kind: 'recommendation',
    caseNumber: '21/1234',
    referredOn: '2021-02-15',
    ...over,
  });
}

export function decidePolitically(over: Partial<CommandInput<'RecordPoliticalDecision'>> = {}): Command {
  return command('RecordPoliticalDecision', {
    proposalId: ids.proposal,
    referralId: ids.referral1,
    caseNumber: '21/1234',
    outcome: 'adopted',
    summary: 'Kommunestyret vedtok forslaget.',
    decidedOn: '2021-03-20',
    ...over,
  });
}

export function report(over: Partial<CommandInput<'ReportImplementation'>> = {}): Command {
  return command('ReportImplementation', {
    proposalId: ids.proposal,
    status: 'in_progress',
    progressPct: 40,
    note: 'Tre av fem benker er satt opp.',
    reportedOn: '2021-05-01',
    ...over,
  });
}
