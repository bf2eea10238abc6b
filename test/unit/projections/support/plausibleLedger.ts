/**
 * Random but plausible ledgers for property tests: fast-check draws a list of steps, and a small deterministic
 * simulator turns each step into an event that mostly keeps the domain's rules (references exist, one open referral,
 * ballots by members, one support per person …). It is deliberately loose where the views must be robust anyway:
 * dates may go back a few days (late-entered supports), and a few events name streams never opened.
 * Not the trial simulator: just enough variety to exercise every reducer branch.
 */
import fc from 'fast-check';
import { ProposalOrigin, type EventData } from '../../../../src/domain/events';
import type { LedgerEvent } from '../../../../projections/projection';
import { LedgerBuilder, uuid } from './ledgerBuilder';

export interface Step {
  action: number;
  pick: number;
  value: number;
  /** Days the calendar moves on (negative: this event is back-dated, the calendar stays). */
  shift: number;
}

export const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  action: fc.nat({ max: 99 }),
  pick: fc.nat({ max: 10_000 }),
  value: fc.nat({ max: 10_000 }),
  shift: fc.integer({ min: -4, max: 12 }),
});

export function plausibleLedger(maxSteps = 160): fc.Arbitrary<LedgerEvent[]> {
  // size 'max': fast-check's default size would keep ledgers to about ten events whatever maxLength says.
  return fc.array(stepArbitrary, { maxLength: maxSteps, size: 'max' }).map(simulate);
}

interface CommitteeSim {
  id: string;
  active: string[];
}
interface ProposalSim {
  id: string;
  committeeId: string;
  supporters: string[];
  openReferral: { id: string; bodyId: string } | null;
  withdrawn: boolean;
}
interface VoteSim {
  id: string;
  proposalId: string;
  committeeId: string;
  voters: string[];
  tally: { yes: number; no: number; abstain: number };
  closed: boolean;
}

const origins = ProposalOrigin.options;
const themes = ['trafikk', 'miljø', 'kultur', 'skole', undefined] as const;
const areas = ['Heggedal', 'Slemmestad', 'Tofte', undefined] as const;
const committeeOutcomes = ['adopted', 'adopted', 'rejected', 'deferred', 'noted'] as const;
const decisionKinds = ['recommendation', 'own_decision', 'consultation_response'] as const;
const referralKinds = [
  'recommendation',
  'consultation_response',
  'initiative',
  'citizen_initiative',
] as const;
const politicalOutcomes = [
  'adopted',
  'adopted_with_amendments',
  'rejected',
  'returned',
  'noted',
  'postponed',
] as const;
const implementationStatuses = ['planned', 'in_progress', 'completed', 'abandoned'] as const;
const roles = ['leader', 'deputy_leader', 'member', 'member', 'youth_representative', 'deputy'] as const;
const actorGroups = ['resident', 'private_actor', 'voluntary_org', 'municipality', 'politician'] as const;
const bases = ['interest', 'population_group', 'geographic_area', 'viewpoint', 'open'] as const;
const choices = ['yes', 'yes', 'no', 'abstain'] as const;

function of<T>(items: readonly T[], n: number): T {
  return items[n % items.length] as T;
}

class Simulation {
  readonly ledger = new LedgerBuilder();
  private nextId = 1;
  private day = Date.UTC(2020, 5, 1) / 86_400_000;
  private readonly bodies: string[] = [];
  private readonly persons: string[] = [];
  private readonly committees: CommitteeSim[] = [];
  private readonly proposals: ProposalSim[] = [];
  private readonly votes: VoteSim[] = [];
  private readonly processes: string[] = [];
  private step: Step = { action: 0, pick: 0, value: 0, shift: 0 };

  run(step: Step): void {
    this.step = step;
    if (step.shift > 0) this.day += step.shift;
    const a = step.action;
    if (a < 4) this.registerBody();
    else if (a < 8) this.establishCommittee();
    else if (a < 15) this.registerPerson();
    else if (a < 22) this.appointMember();
    else if (a < 25) this.memberLeaves();
    else if (a < 28) this.allocateBudget();
    else if (a < 29) this.dissolve();
    else if (a < 35) this.holdMeeting();
    else if (a < 45) this.submitProposal();
    else if (a < 48) this.amend();
    else if (a < 60) this.support();
    else if (a < 62) this.withdraw();
    else if (a < 70) this.committeeDecides();
    else if (a < 75) this.refer();
    else if (a < 81) this.politicalDecision();
    else if (a < 85) this.reportImplementation();
    else if (a < 88) this.openVote();
    else if (a < 92) this.castBallot();
    else if (a < 94) this.closeVote();
    else if (a < 96) this.process();
    else if (a < 97) this.erasePerson();
    else if (a < 98) this.strayProposalEvent();
    else this.strayBallot();
  }

  /** Today, or a few days back when the step says so. */
  private date(): string {
    const back = Math.min(0, this.step.shift);
    return new Date((this.day + back) * 86_400_000).toISOString().slice(0, 10);
  }

  private id(): string {
    return uuid(this.nextId++);
  }

  private choose<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.step.pick % items.length];
  }

  private registerBody(): string {
    const bodyId = this.id();
    const kind = of(
      ['council', 'executive_committee', 'standing_committee', 'administration'] as const,
      this.step.value,
    );
    this.ledger.append('political-body', bodyId, {
      type: 'PoliticalBodyRegistered',
      data: { bodyId, name: `Body ${this.bodies.length + 1}`, kind },
    });
    this.bodies.push(bodyId);
    return bodyId;
  }

  private establishCommittee(): CommitteeSim {
    const v = this.step.value;
    const arenaId = v % 4 === 0 ? this.registerArena() : undefined;
    const committeeId = this.id();
    this.ledger.append('committee', committeeId, {
      type: 'CommitteeEstablished',
      data: {
        committeeId,
        name: `Committee ${this.committees.length + 1}`,
        kind: of(['local_community', 'task', 'area_forum'] as const, v),
        ...(arenaId !== undefined && { arenaId }),
        areas: ['Heggedal'],
        ...(v % 2 === 0 && { theme: of(['trafikk', 'klima'], v >> 1) }),
        mandate: {
          influence: true,
          decide: v % 3 !== 0,
          facilitate: true,
          support: false,
          arrange: v % 2 === 1,
        },
        coCreationForm: of(['equal', 'steered', 'facilitating', 'responsibilizing'] as const, v >> 2),
        period: { from: '2020-01-01', to: '2023-12-31' },
      },
    });
    const c: CommitteeSim = { id: committeeId, active: [] };
    this.committees.push(c);
    return c;
  }

  private registerArena(): string {
    const arenaId = this.id();
    this.ledger.append('arena', arenaId, {
      type: 'ArenaRegistered',
      data: { arenaId, name: 'Innbyggertorget', areas: ['Heggedal'] },
    });
    return arenaId;
  }

  private registerPerson(): string {
    const personId = this.id();
    const area = of(areas, this.step.value);
    this.ledger.append('person', personId, {
      type: 'PersonRegistered',
      data: { personId, personal: { name: `Person ${this.persons.length + 1}` }, ...(area && { area }) },
    });
    this.persons.push(personId);
    return personId;
  }

  private committee(): CommitteeSim {
    return this.choose(this.committees) ?? this.establishCommittee();
  }

  private person(): string {
    return this.choose(this.persons) ?? this.registerPerson();
  }

  private appointMember(): void {
    const c = this.committee();
    const personId = this.person();
    if (c.active.includes(personId)) {
      this.registerPerson(); // one appointment per active member: meet someone new instead
      return;
    }
    const v = this.step.value;
    this.ledger.append('committee', c.id, {
      type: 'MemberAppointed',
      data: {
        personId,
        role: of(roles, v),
        actorGroup: of(actorGroups, v >> 3),
        representationBasis: of(bases, v >> 5),
        ...(v % 4 === 0 && { represents: 'Velforeningen' }),
        appointedOn: this.date(),
      },
    });
    c.active.push(personId);
  }

  private memberLeaves(): void {
    const c = this.committee();
    const personId = this.choose(c.active);
    if (personId === undefined) return this.appointMember();
    this.ledger.append('committee', c.id, { type: 'MemberLeft', data: { personId, leftOn: this.date() } });
    c.active = c.active.filter((p) => p !== personId);
  }

  private allocateBudget(): void {
    const c = this.committee();
    this.ledger.append('committee', c.id, {
      type: 'BudgetAllocated',
      data: { year: 2020 + (this.step.value % 3), amountNok: 1000 * (this.step.pick % 200) },
    });
  }

  private dissolve(): void {
    const c = this.committee();
    this.ledger.append('committee', c.id, {
      type: 'CommitteeDissolved',
      data: { dissolvedOn: this.date(), reason: 'end' },
    });
  }

  private holdMeeting(): void {
    const meetingId = this.id();
    const v = this.step.value;
    const c = v % 5 === 0 ? undefined : this.committee();
    const agenda = [this.choose(this.proposals)?.id, v % 7 === 0 ? this.proposals.at(-1)?.id : undefined];
    const named = v % 2 === 0 ? [...(c?.active ?? []), ...this.persons.slice(0, v % 4)] : undefined;
    this.ledger.append('meeting', meetingId, {
      type: 'MeetingHeld',
      data: {
        meetingId,
        ...(c && { committeeId: c.id }),
        kind: of(['committee_meeting', 'public_meeting', 'workshop'] as const, v >> 1),
        heldOn: this.date(),
        attendeeCount: (v % 60) + (named?.length ?? 0),
        ...(named && { attendeePersonIds: [...new Set(named)] }),
        agendaProposalIds: agenda.filter((p): p is string => p !== undefined),
      },
    });
  }

  private submitProposal(): ProposalSim {
    const proposalId = this.id();
    const v = this.step.value;
    const theme = of(themes, v >> 2);
    const area = of(areas, v >> 4);
    const c = this.committee();
    const submitter = v % 3 === 0 ? undefined : this.person();
    this.ledger.append('proposal', proposalId, {
      type: 'ProposalSubmitted',
      data: {
        proposalId,
        committeeId: c.id,
        ...(v % 5 === 0 && { processId: this.choose(this.processes) ?? uuid(999_999) }),
        title: `Proposal ${this.proposals.length + 1}`,
        description: 'A plausible idea.',
        origin: of(origins, v),
        ...(submitter && { submittedBy: submitter }),
        ...(theme && { theme }),
        ...(area && { area }),
        submittedOn: this.date(),
      },
    });
    const p: ProposalSim = {
      id: proposalId,
      committeeId: c.id,
      supporters: [],
      openReferral: null,
      withdrawn: false,
    };
    this.proposals.push(p);
    return p;
  }

  private proposal(): ProposalSim {
    const open = this.proposals.filter((p) => !p.withdrawn);
    return this.choose(open) ?? this.submitProposal();
  }

  private amend(): void {
    const p = this.proposal();
    const v = this.step.value;
    this.ledger.append('proposal', p.id, {
      type: 'ProposalAmended',
      data: { ...(v % 2 === 0 && { title: `Amended ${v}` }), amendedOn: this.date(), reason: 'clarity' },
    });
  }

  private support(): void {
    const p = this.proposal();
    const personId = this.person();
    if (p.supporters.includes(personId)) {
      this.registerPerson(); // one support per person
      return;
    }
    p.supporters.push(personId);
    this.ledger.append('proposal', p.id, {
      type: 'ProposalSupported',
      data: { personId, supportedOn: this.date() },
    });
  }

  private withdraw(): void {
    const p = this.proposal();
    p.withdrawn = true;
    this.ledger.append('proposal', p.id, {
      type: 'ProposalWithdrawn',
      data: { withdrawnOn: this.date(), reason: 'done' },
    });
  }

  private committeeDecides(): void {
    const p = this.proposal();
    const v = this.step.value;
    const outcome = of(committeeOutcomes, v);
    const kind = of(decisionKinds, v >> 3);
    const vote = this.votes.find((x) => x.proposalId === p.id && x.closed);
    this.ledger.append('proposal', p.id, {
      type: 'CommitteeDecisionRecorded',
      data: {
        decisionId: this.id(),
        committeeId: p.committeeId,
        outcome,
        kind,
        text: 'Decided.',
        ...(vote && v % 2 === 0 && { voteId: vote.id }),
        ...(v % 3 === 0 && { grantNok: 500 * (this.step.pick % 40) }),
        decidedOn: this.date(),
      },
    });
  }

  private refer(): void {
    const p = this.proposal();
    if (p.openReferral !== null) return this.politicalDecision();
    const referralId = this.id();
    const bodyId = this.choose(this.bodies) ?? this.registerBody();
    const v = this.step.value;
    this.ledger.append('proposal', p.id, {
      type: 'ProposalReferred',
      data: {
        referralId,
        toBodyId: bodyId,
        kind: of(referralKinds, v),
        ...(v % 2 === 0 && { caseNumber: `21/${v}` }),
        referredOn: this.date(),
      },
    });
    p.openReferral = { id: referralId, bodyId };
  }

  private politicalDecision(): void {
    const p = this.proposals.find((x) => x.openReferral !== null && !x.withdrawn);
    if (p === undefined || p.openReferral === null) return this.refer();
    const v = this.step.value;
    const outcome = of(politicalOutcomes, v);
    const data: EventData<'PoliticalDecisionRecorded'> = {
      referralId: p.openReferral.id,
      bodyId: p.openReferral.bodyId,
      caseNumber: `21/${this.step.pick}`,
      outcome,
      summary: 'Vedtak.',
      decidedOn: this.date(),
      ...(v % 2 === 0 && { votesFor: v % 40, votesAgainst: v % 13 }),
    };
    this.ledger.append('proposal', p.id, { type: 'PoliticalDecisionRecorded', data });
    if (outcome !== 'postponed') p.openReferral = null;
  }

  private reportImplementation(): void {
    const p = this.proposal();
    const status = of(implementationStatuses, this.step.value);
    this.ledger.append('proposal', p.id, {
      type: 'ImplementationReported',
      data: {
        status,
        progressPct: status === 'completed' ? 100 : this.step.pick % 100,
        note: 'Progress.',
        reportedOn: this.date(),
      },
    });
  }

  private openVote(): void {
    const p = this.proposal();
    const voteId = this.id();
    const meetingId = this.step.value % 2 === 0 ? uuid(888_888) : undefined;
    this.ledger.append('vote', voteId, {
      type: 'VoteOpened',
      data: {
        voteId,
        proposalId: p.id,
        committeeId: p.committeeId,
        ...(meetingId && { meetingId }),
        question: 'Adopt?',
        rule: this.step.value % 3 === 0 ? 'two_thirds' : 'simple_majority',
        openedOn: this.date(),
      },
    });
    this.votes.push({
      id: voteId,
      proposalId: p.id,
      committeeId: p.committeeId,
      voters: [],
      tally: { yes: 0, no: 0, abstain: 0 },
      closed: false,
    });
  }

  private openVoteSim(): VoteSim | undefined {
    return this.choose(this.votes.filter((v) => !v.closed));
  }

  private castBallot(): void {
    const vote = this.openVoteSim();
    if (vote === undefined) return this.openVote();
    const members = this.committees.find((c) => c.id === vote.committeeId)?.active ?? [];
    const personId = members.find((m) => !vote.voters.includes(m)) ?? this.person();
    if (vote.voters.includes(personId)) return this.closeVote();
    const choice = of(choices, this.step.value);
    vote.voters.push(personId);
    vote.tally[choice] += 1;
    this.ledger.append('vote', vote.id, {
      type: 'BallotCast',
      data: { personId, choice, castOn: this.date() },
    });
  }

  private closeVote(): void {
    const vote = this.openVoteSim();
    if (vote === undefined) return this.openVote();
    const { yes, no, abstain } = vote.tally;
    const eligible = Math.max(yes + no + abstain, this.step.value % 9);
    vote.closed = true;
    this.ledger.append('vote', vote.id, {
      type: 'VoteClosed',
      data: {
        closedOn: this.date(),
        eligible,
        tally: { ...vote.tally },
        result: 2 * (yes + no + abstain) < eligible ? 'no_quorum' : yes > no ? 'passed' : 'failed',
      },
    });
  }

  private process(): void {
    const existing = this.choose(this.processes);
    const v = this.step.value % 3;
    if (existing !== undefined && v === 0) {
      this.ledger.append('process', existing, {
        type: 'ProcessPhaseStarted',
        data: { phase: 'co_creation', startedOn: this.date() },
      });
    } else if (existing !== undefined && v === 1) {
      this.ledger.append('process', existing, {
        type: 'ProcessCompleted',
        data: { completedOn: this.date(), summary: 'Veikart vedtatt.' },
      });
    } else {
      const processId = this.id();
      this.ledger.append('process', processId, {
        type: 'ProcessStarted',
        data: {
          processId,
          title: 'Veikart',
          committeeIds: [this.committee().id],
          coCreationForm: 'equal',
          startedOn: this.date(),
        },
      });
      this.processes.push(processId);
    }
  }

  private erasePerson(): void {
    const personId = this.person();
    this.ledger.append('person', personId, {
      type: 'PersonalDataErased',
      data: { erasedOn: this.date(), reason: 'asked' },
    });
  }

  /** A support on a proposal stream whose submission is not in the ledger: the views must shrug. */
  private strayProposalEvent(): void {
    this.ledger.append('proposal', uuid(777_000 + (this.step.pick % 5)), {
      type: 'ProposalSupported',
      data: { personId: this.person(), supportedOn: this.date() },
    });
  }

  private strayBallot(): void {
    this.ledger.append('vote', uuid(666_000 + (this.step.pick % 5)), {
      type: 'BallotCast',
      data: { personId: this.person(), choice: 'yes', castOn: this.date() },
    });
  }
}

export function simulate(steps: readonly Step[]): LedgerEvent[] {
  const sim = new Simulation();
  for (const step of steps) sim.run(step);
  return sim.ledger.events;
}
