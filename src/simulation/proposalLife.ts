/**
 * The life of one proposal, from submission to implementation, along one of the paths the rules allow. Each path is
 * a short story told as dated steps; a story that would run past the end of the trial (or of its committee) stops
 * where it is, as real cases do, leaving the proposal pending at that stage.
 */
import type { EventData } from '../domain/events';
import type { VoteRule } from '../domain/vote/vote';
import type { BodyKey } from './asker';
import { titleTemplates } from './asker';
import { ballotsFor, type VoteResult } from './ballots';
import type { CommitteePlan, MeetingSlot } from './committeePlan';
import type { Day } from './days';
import { isoOf } from './days';
import { distinctPersons } from './people';
import type { Prng } from './prng';
import { command, Rank, type Step } from './timeline';
import type { TrialWorld } from './world';

export const proposalPaths = [
  'recommendation_adopted',
  'implementation_abandoned',
  'committee_rejected',
  'deferred_then_adopted',
  'committee_noted',
  'withdrawn_before_decision',
  'withdrawn_after_decision',
  'withdrawn_while_referred',
  'returned_and_readopted',
  'postponed_then_decided',
  'own_decision_grant',
  'own_decision_abandoned',
  'consultation_response',
  'political_rejected',
  'political_noted',
  'initiative',
  'pending',
] as const;
export type ProposalPath = (typeof proposalPaths)[number];

/** Paths that end in the committee's own decision need a committee whose mandate includes deciding. */
export function needsDecideMandate(path: ProposalPath): boolean {
  return path === 'own_decision_grant' || path === 'own_decision_abandoned';
}

export interface ProposalPlan {
  path: ProposalPath;
  committee: CommitteePlan;
  submittedOn: Day;
  /** `always`: every decision that can rest on a vote does (the showcase proposals); `sometimes`: at random. */
  votes: 'always' | 'sometimes';
}

type Origin = EventData<'ProposalSubmitted'>['origin'];
type CommitteeOutcome = EventData<'CommitteeDecisionRecorded'>['outcome'];
type CommitteeDecisionKind = EventData<'CommitteeDecisionRecorded'>['kind'];
type ReferralKind = EventData<'ProposalReferred'>['kind'];
type PoliticalOutcome = EventData<'PoliticalDecisionRecorded'>['outcome'];
type Ending = 'completed' | 'abandoned' | 'ongoing';

interface Referral {
  referralId: string;
  caseNumber: string;
  bodyKey: BodyKey;
}

const decisionTexts: Record<CommitteeOutcome, string> = {
  adopted: 'Utvalget slutter seg til forslaget.',
  rejected: 'Utvalget går ikke videre med forslaget.',
  deferred: 'Saken utsettes til et senere møte; utvalget ber om mer informasjon.',
  noted: 'Utvalget tar forslaget til orientering.',
};

const politicalSummaries: Record<PoliticalOutcome, string> = {
  adopted: 'Forslaget vedtas som innstilt.',
  adopted_with_amendments: 'Forslaget vedtas med endringer.',
  rejected: 'Forslaget vedtas ikke.',
  returned: 'Saken sendes tilbake til utvalget for ny behandling.',
  noted: 'Saken tas til orientering.',
  postponed: 'Saken utsettes til neste møte.',
};

/** Who brings a proposal, most often residents (DOMAIN.md origins; citizens' initiatives have their own story). */
const origins: ReadonlyArray<readonly [Origin, number]> = [
  ['resident', 50],
  ['member', 20],
  ['committee', 15],
  ['administration', 8],
  ['political_body', 7],
];

export function* proposalLife(plan: ProposalPlan, world: TrialWorld, prng: Prng): Generator<Step> {
  yield* new ProposalStory(plan, world, prng).tell();
}

class ProposalStory {
  private readonly id: string;
  private readonly committee: CommitteePlan;
  /** The date of the latest step so far: every next step is on or after it. */
  private day: Day;
  private readonly title: string;
  private readonly theme: string;

  constructor(
    private readonly plan: ProposalPlan,
    private readonly world: TrialWorld,
    private readonly prng: Prng,
  ) {
    this.id = prng.uuid();
    this.committee = plan.committee;
    this.day = plan.submittedOn;
    this.theme = prng.pick(this.committee.shape.themes);
    const templates = titleTemplates[this.theme] ?? ['Forslag om {place}'];
    this.title = prng.pick(templates).replace('{place}', prng.pick(this.committee.shape.places));
  }

  /** The last day the committee can meet and decide. */
  private get committeeLimit(): Day {
    return Math.min(this.committee.lastDay, this.world.end);
  }

  *tell(): Generator<Step> {
    yield this.submission();
    const { path } = this.plan;
    if (path === 'pending') return yield* this.participate(this.day + 60);
    if (path === 'withdrawn_before_decision') {
      yield* this.participate(this.day + this.prng.int(10, 60));
      return yield* this.withdraw(this.prng.int(0, 10), 'Forslagsstilleren trakk forslaget før behandling.');
    }
    const slot = this.committee.meetingAfter(this.day, this.prng.int(10, 45));
    if (!slot || slot.day > this.committeeLimit) return yield* this.participate(this.day + 60);
    this.committee.book(slot, this.id);
    yield* this.participate(slot.day - 1);
    yield* this.follow(path, slot);
  }

  private *follow(path: ProposalPath, slot: MeetingSlot): Generator<Step> {
    switch (path) {
      case 'committee_rejected':
        return void (yield* this.decide(slot, 'rejected', 'recommendation', 'failed'));
      case 'committee_noted':
        return void (yield* this.decide(slot, 'noted', 'recommendation'));
      case 'deferred_then_adopted':
        return yield* this.deferredThenAdopted(slot);
      case 'withdrawn_after_decision':
        if (!(yield* this.decide(slot, 'adopted', 'recommendation', 'passed'))) return;
        return yield* this.withdraw(this.prng.int(3, 30), 'Forslaget er løst på annen måte.');
      case 'returned_and_readopted':
        return yield* this.returnedAndReadopted(slot);
      case 'own_decision_grant':
      case 'own_decision_abandoned':
        return yield* this.ownDecision(slot, path === 'own_decision_grant' ? 'completed' : 'abandoned');
      case 'consultation_response':
        return yield* this.consultationResponse(slot);
      default:
        if (!(yield* this.decide(slot, 'adopted', 'recommendation', 'passed'))) return;
        return yield* this.politicalPath(path);
    }
  }

  // ---------- paths ----------

  private *politicalPath(path: ProposalPath): Generator<Step> {
    const kind: ReferralKind = path === 'initiative' ? 'initiative' : 'recommendation';
    const bodyKey: BodyKey =
      path === 'initiative'
        ? 'citizenship'
        : this.prng.weighted<BodyKey>([
            ['citizenship', 5],
            ['executive', 3],
            ['council', 2],
          ]);
    const referral = yield* this.refer(kind, bodyKey);
    if (!referral) return;
    switch (path) {
      case 'implementation_abandoned':
        if (yield* this.decidePolitically(referral, 'adopted')) yield* this.implement('abandoned');
        return;
      case 'political_rejected':
        return void (yield* this.decidePolitically(referral, 'rejected'));
      case 'political_noted':
        return void (yield* this.decidePolitically(referral, 'noted'));
      case 'postponed_then_decided': {
        if (!(yield* this.decidePolitically(referral, 'postponed'))) return;
        const outcome = this.prng.pick<PoliticalOutcome>(['adopted', 'adopted_with_amendments', 'rejected']);
        if ((yield* this.decidePolitically(referral, outcome)) && outcome !== 'rejected') {
          yield* this.implement(this.ending());
        }
        return;
      }
      case 'withdrawn_while_referred':
        if (!(yield* this.decidePolitically(referral, 'postponed'))) return;
        return yield* this.withdraw(
          this.prng.int(5, 40),
          'Forslagsstilleren trakk forslaget mens saken var utsatt.',
        );
      default:
        if (yield* this.decidePolitically(referral, 'adopted')) {
          yield* this.implement(this.plan.votes === 'always' ? 'completed' : this.ending());
        }
    }
  }

  private *deferredThenAdopted(slot: MeetingSlot): Generator<Step> {
    if (!(yield* this.decide(slot, 'deferred', 'recommendation', 'no_quorum'))) return;
    const next = this.committee.meetingAfter(this.day, this.prng.int(20, 40));
    if (!next || next.day > this.committeeLimit) return;
    this.committee.book(next, this.id);
    if (!(yield* this.decide(next, 'adopted', 'recommendation', 'passed'))) return;
    yield* this.politicalPath('recommendation_adopted');
  }

  /** Adopted, referred, sent back by the political body, adopted again, referred again, adopted with amendments. */
  private *returnedAndReadopted(slot: MeetingSlot): Generator<Step> {
    if (!(yield* this.decide(slot, 'adopted', 'recommendation', 'passed'))) return;
    const first = yield* this.refer('recommendation', 'executive');
    if (!first || !(yield* this.decidePolitically(first, 'returned'))) return;
    const next = this.committee.meetingAfter(this.day, this.prng.int(7, 30));
    if (!next || next.day > this.committeeLimit) return;
    this.committee.book(next, this.id);
    if (!(yield* this.decide(next, 'adopted', 'recommendation', 'passed'))) return;
    const second = yield* this.refer('recommendation', 'council');
    if (second && (yield* this.decidePolitically(second, 'adopted_with_amendments'))) {
      yield* this.implement(this.plan.votes === 'always' ? 'completed' : this.ending());
    }
  }

  private *ownDecision(slot: MeetingSlot, ending: Ending): Generator<Step> {
    const rule: VoteRule = this.prng.chance(0.5) ? 'two_thirds' : 'simple_majority';
    const wish = this.prng.int(5, 40) * 1000;
    if (yield* this.decide(slot, 'adopted', 'own_decision', 'passed', { rule, grantWishNok: wish })) {
      yield* this.implement(ending);
    }
  }

  private *consultationResponse(slot: MeetingSlot): Generator<Step> {
    if (!(yield* this.decide(slot, 'adopted', 'consultation_response'))) return;
    const bodyKey = this.prng.weighted<BodyKey>([
      ['administration', 3],
      ['executive', 1],
    ]);
    const referral = yield* this.refer('consultation_response', bodyKey);
    if (referral) yield* this.decidePolitically(referral, 'noted');
  }

  private ending(): Ending {
    return this.prng.weighted<Ending>([
      ['completed', 7],
      ['ongoing', 2],
      ['abandoned', 1],
    ]);
  }

  // ---------- steps ----------

  private submission(): Step {
    const { committee, plan, prng } = this;
    const origin =
      plan.path === 'consultation_response'
        ? prng.weighted<Origin>([
            ['administration', 3],
            ['political_body', 2],
          ])
        : prng.weighted(origins);
    const submittedBy =
      origin === 'resident'
        ? this.world.persons.id(prng.int(0, this.world.persons.size - 1))
        : origin === 'member'
          ? committee.anyMember(prng)
          : undefined;
    const processes = committee.processes.filter((p) => p.startedOn <= plan.submittedOn);
    const processId = processes.length > 0 && prng.chance(0.3) ? prng.pick(processes).id : undefined;
    const area =
      committee.shape.kind === 'task' ? prng.pick(committee.shape.places) : prng.pick(committee.shape.areas);
    const input = {
      proposalId: this.id,
      committeeId: committee.id,
      ...(processId !== undefined && { processId }),
      title: this.title,
      description: `${this.title}. Forslaget gjelder ${area} og temaet ${this.theme.toLowerCase()}.`,
      origin,
      ...(submittedBy !== undefined && { submittedBy }),
      theme: this.theme,
      area,
      submittedOn: isoOf(plan.submittedOn),
    };
    return {
      day: plan.submittedOn,
      rank: Rank.submission,
      build: () => {
        committee.noteSubmission(this.id);
        return command('SubmitProposal', input);
      },
    };
  }

  /** An amendment now and then, and supports from residents, between the submission and `until`. */
  private *participate(until: Day): Generator<Step> {
    const window = Math.max(0, Math.min(until, this.world.end) - this.day);
    const dayWithin = (): Day => this.day + this.prng.int(0, window);
    // Drawn first, then told in date order; a support names its person, the amendment does not.
    const items: Array<{ day: Day; personId?: string }> = [];
    if (this.prng.chance(0.15)) items.push({ day: dayWithin() });
    const next = distinctPersons(this.prng, this.world.persons.size);
    const supports = this.supportCount();
    for (let i = 0; i < supports; i++)
      items.push({ day: dayWithin(), personId: this.world.persons.id(next()) });
    items.sort((a, b) => a.day - b.day);
    for (const { day, personId } of items) {
      const on = isoOf(day);
      yield {
        day,
        rank: Rank.participation,
        command:
          personId === undefined
            ? command('AmendProposal', {
                proposalId: this.id,
                description: `${this.title}. Forslaget er presisert etter innspill på folkemøtet.`,
                amendedOn: on,
                reason: 'Presisert etter dialog med administrasjonen.',
              })
            : command('SupportProposal', { proposalId: this.id, personId, supportedOn: on }),
      };
      this.day = day;
    }
  }

  private supportCount(): number {
    const r = this.prng.next();
    if (r < 0.35) return 0;
    if (r < 0.8) return this.prng.int(1, 5);
    return this.prng.int(6, 25);
  }

  private useVote(result: VoteResult): boolean {
    if (this.plan.votes === 'always') return true;
    return this.prng.chance(result === 'passed' ? 0.5 : result === 'failed' ? 0.6 : 0.4);
  }

  /**
   * The committee decides at the meeting of `slot`, on a vote that ends `voteResult` when it holds one. False when
   * the meeting falls after the committee's last day (the story stops).
   */
  private *decide(
    slot: MeetingSlot,
    outcome: CommitteeOutcome,
    kind: CommitteeDecisionKind,
    voteResult?: VoteResult,
    options: { rule?: VoteRule; grantWishNok?: number } = {},
  ): Generator<Step, boolean> {
    if (slot.day > this.committeeLimit) return false;
    const meetingId = this.committee.book(slot, this.id);
    const voteId =
      voteResult !== undefined && this.useVote(voteResult)
        ? yield* this.vote(slot.day, meetingId, voteResult, options.rule ?? 'simple_majority')
        : undefined;
    const grantNok =
      options.grantWishNok !== undefined ? this.committee.reserveGrant(slot.day, options.grantWishNok) : 0;
    const text =
      grantNok > 0
        ? `${decisionTexts[outcome]} Utvalget bevilger ${grantNok} kroner.`
        : decisionTexts[outcome];
    yield {
      day: slot.day,
      rank: Rank.committeeDecision,
      command: command('RecordCommitteeDecision', {
        proposalId: this.id,
        decisionId: this.prng.uuid(),
        outcome,
        kind,
        text,
        ...(voteId !== undefined && { voteId }),
        ...(grantNok > 0 && { grantNok }),
        decidedOn: isoOf(slot.day),
      }),
    };
    this.day = slot.day;
    return true;
  }

  /** Opens a vote at the meeting, casts ballots that give `result`, closes it; the vote's id, if it could be held. */
  private *vote(
    day: Day,
    meetingId: string,
    result: VoteResult,
    rule: VoteRule,
  ): Generator<Step, string | undefined> {
    const ballots = ballotsFor(this.prng, this.committee.eligibleOn(day), rule, result);
    if (!ballots) return undefined;
    const voteId = this.prng.uuid();
    const on = isoOf(day);
    yield {
      day,
      rank: Rank.voteOpened,
      command: command('OpenVote', {
        voteId,
        proposalId: this.id,
        meetingId,
        question: `Skal utvalget slutte seg til forslaget «${this.title}»?`,
        rule,
        openedOn: on,
      }),
    };
    for (const ballot of ballots) {
      yield { day, rank: Rank.ballot, command: command('CastBallot', { voteId, ...ballot, castOn: on }) };
    }
    yield { day, rank: Rank.voteClosed, command: command('CloseVote', { voteId, closedOn: on }) };
    return voteId;
  }

  private *refer(kind: ReferralKind, bodyKey: BodyKey): Generator<Step, Referral | undefined> {
    const day = this.day + this.prng.int(7, 40);
    if (day > this.world.end) return undefined;
    const referral = { referralId: this.prng.uuid(), caseNumber: this.world.nextCaseNumber(day), bodyKey };
    yield {
      day,
      rank: Rank.referral,
      command: command('ReferProposal', {
        proposalId: this.id,
        referralId: referral.referralId,
        toBodyId: this.world.bodies[bodyKey].id,
        kind,
        caseNumber: referral.caseNumber,
        referredOn: isoOf(day),
      }),
    };
    this.day = day;
    return referral;
  }

  private *decidePolitically(referral: Referral, outcome: PoliticalOutcome): Generator<Step, boolean> {
    const day = this.day + this.prng.int(14, 75);
    if (day > this.world.end) return false;
    yield {
      day,
      rank: Rank.politicalDecision,
      command: command('RecordPoliticalDecision', {
        proposalId: this.id,
        referralId: referral.referralId,
        outcome,
        caseNumber: referral.caseNumber,
        summary: politicalSummaries[outcome],
        decidedOn: isoOf(day),
        ...votesInBody(this.prng, this.world.bodies[referral.bodyKey].seats, outcome),
      }),
    };
    this.day = day;
    return true;
  }

  private *implement(ending: Ending): Generator<Step> {
    yield* implementation(this.prng, this.id, this.day, this.world.end, ending);
  }

  private *withdraw(afterDays: number, reason: string): Generator<Step> {
    const day = this.day + afterDays;
    if (day > this.world.end) return;
    yield {
      day,
      rank: Rank.withdrawal,
      command: command('WithdrawProposal', { proposalId: this.id, withdrawnOn: isoOf(day), reason }),
    };
  }
}

/** Votes for and against in a body with seats, for the outcomes that are put to a vote. */
export function votesInBody(
  prng: Prng,
  seats: number | undefined,
  outcome: PoliticalOutcome,
): { votesFor?: number; votesAgainst?: number } {
  if (seats === undefined) return {};
  if (outcome === 'adopted' || outcome === 'adopted_with_amendments') {
    const votesFor = prng.int(Math.ceil(seats * 0.55), seats);
    return { votesFor, votesAgainst: seats - votesFor };
  }
  if (outcome === 'rejected') {
    const votesFor = prng.int(0, Math.floor(seats * 0.45));
    return { votesFor, votesAgainst: seats - votesFor };
  }
  return {};
}

const implementationNotes = {
  planned: 'Tiltaket er planlagt og lagt inn i virksomhetsplanen.',
  in_progress: 'Arbeidet er i gang.',
  completed: 'Tiltaket er gjennomført.',
  abandoned: 'Tiltaket er avbrutt: kostnadene ble for høye.',
} as const;

/** Planned, in progress, then completed or abandoned (or still ongoing when the trial ends). */
export function* implementation(
  prng: Prng,
  proposalId: string,
  from: Day,
  end: Day,
  ending: Ending,
): Generator<Step> {
  let day = from;
  const report = function* (
    afterDays: number,
    status: keyof typeof implementationNotes,
    progressPct: number,
  ): Generator<Step, boolean> {
    day += afterDays;
    if (day > end) return false;
    yield {
      day,
      rank: Rank.implementation,
      command: command('ReportImplementation', {
        proposalId,
        status,
        progressPct,
        note: implementationNotes[status],
        reportedOn: isoOf(day),
      }),
    };
    return true;
  };
  if (!(yield* report(prng.int(7, 45), 'planned', 0))) return;
  const progress = prng.int(20, 70);
  if (!(yield* report(prng.int(30, 120), 'in_progress', progress))) return;
  if (ending === 'completed') yield* report(prng.int(30, 180), 'completed', 100);
  if (ending === 'abandoned') yield* report(prng.int(20, 120), 'abandoned', progress);
}
