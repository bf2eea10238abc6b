/**
 * One committee over the trial: who sits on it and when (planned up front, so the simulator knows who may vote on any
 * day exactly as the ledger will count it), its budget and what it has granted, and its meeting calendar. Proposals
 * book themselves onto the agenda of a coming committee meeting; the meeting lists them when it is held.
 */
import type { CommitteeShape, SeatShape } from './asker';
import { TRIAL_END } from './asker';
import type { Day } from './days';
import { dayOf, isoOf, monthStartsBetween, weekdayOnOrAfter, yearOf } from './days';
import { distinctPersons, type PersonPool } from './people';
import type { Prng } from './prng';
import { command, Rank, type Step } from './timeline';

export interface Membership {
  personId: string;
  seat: SeatShape;
  appointedOn: Day;
  leftOn?: Day;
  leftReason?: string;
}

/** A committee meeting on the calendar; its id is drawn when a proposal first books it. */
export interface MeetingSlot {
  day: Day;
  id?: string;
  agenda: string[];
}

interface OtherMeeting {
  day: Day;
  kind: 'public_meeting' | 'workshop';
}

const RECENT_PROPOSALS = 6;
/** Cases one committee meeting can take (the ledger allows up to 500 on an agenda). */
const MAX_AGENDA = 30;
const MIN_GRANT_NOK = 5_000;
/** Committees meet monthly, but not in July (fellesferie). */
const SUMMER_MONTH = 6;

export class CommitteePlan {
  readonly id: string;
  readonly from: Day;
  /** The last day it can act: the end of its period or its dissolution. */
  readonly lastDay: Day;
  readonly memberships: Membership[];
  readonly slots: MeetingSlot[];
  private readonly otherMeetings: OtherMeeting[];
  private readonly grantedByYear = new Map<number, number>();
  private readonly recent: string[] = [];
  readonly processes: Array<{ id: string; startedOn: Day }> = [];

  constructor(
    readonly shape: CommitteeShape,
    private readonly prng: Prng,
    private readonly arenaIds: ReadonlyMap<string, string>,
    private readonly councilId: string,
    private readonly persons: PersonPool,
    memberPersons: readonly number[],
    private readonly meetingsPerMonth: number,
  ) {
    this.id = prng.uuid();
    this.from = dayOf(shape.period.from);
    const ends = [dayOf(shape.period.to), dayOf(TRIAL_END)];
    if (shape.dissolution) ends.push(dayOf(shape.dissolution.on));
    this.lastDay = Math.min(...ends);
    this.memberships = this.planMemberships(memberPersons);
    this.slots = this.planCommitteeMeetings();
    this.otherMeetings = this.planOtherMeetings();
  }

  /** How many persons its seats and replacements need. */
  static personsNeeded(shape: CommitteeShape): number {
    return shape.seats.length + shape.turnover.filter((t) => t.newDeputy).length;
  }

  get arenaId(): string | undefined {
    return this.shape.arenaKey !== undefined ? this.arenaIds.get(this.shape.arenaKey) : undefined;
  }

  get decides(): boolean {
    return this.shape.mandate.decide;
  }

  private planMemberships(memberPersons: readonly number[]): Membership[] {
    const personAt = (i: number): string => this.persons.id(memberPersons[i] as number);
    const memberships: Membership[] = this.shape.seats.map((seat, i) => ({
      personId: personAt(i),
      seat,
      appointedOn: this.from + this.prng.int(0, 14),
    }));
    let next = this.shape.seats.length;
    for (const turnover of this.shape.turnover) {
      const leftOn = dayOf(turnover.leftOn);
      const leaving = memberships[turnover.seat];
      if (!leaving) throw new Error(`${this.shape.key}: no seat ${turnover.seat}`);
      leaving.leftOn = leftOn;
      leaving.leftReason = turnover.reason;
      const deputy = turnover.promotedDeputy !== undefined ? memberships[turnover.promotedDeputy] : undefined;
      if (deputy) {
        deputy.leftOn = leftOn;
        deputy.leftReason = 'Rykket opp som fast medlem';
        memberships.push({
          personId: deputy.personId,
          seat: { ...deputy.seat, role: leaving.seat.role },
          appointedOn: leftOn,
        });
      }
      if (turnover.newDeputy)
        memberships.push({ personId: personAt(next++), seat: turnover.newDeputy, appointedOn: leftOn });
    }
    return memberships;
  }

  private planCommitteeMeetings(): MeetingSlot[] {
    const firstMeeting = this.from + 30;
    const slots: MeetingSlot[] = [];
    for (const month of monthStartsBetween(this.from, this.lastDay)) {
      if (new Date(month * 86_400_000).getUTCMonth() === SUMMER_MONTH) continue;
      for (let j = 0; j < this.meetingsPerMonth; j++) {
        const day = weekdayOnOrAfter(month + 2 + Math.floor((j * 24) / this.meetingsPerMonth));
        if (day >= firstMeeting && day <= this.lastDay) slots.push({ day, agenda: [] });
      }
    }
    return slots;
  }

  private planOtherMeetings(): OtherMeeting[] {
    const kinds: Partial<Record<number, OtherMeeting['kind']>> = {
      1: 'workshop',
      2: 'public_meeting',
      5: 'public_meeting',
      8: 'public_meeting',
      9: 'workshop',
      10: 'public_meeting',
    };
    const meetings: OtherMeeting[] = [];
    for (const month of monthStartsBetween(this.from + 30, this.lastDay)) {
      const kind = kinds[new Date(month * 86_400_000).getUTCMonth()];
      if (!kind) continue;
      for (let j = 0; j < this.meetingsPerMonth; j++) {
        const day = weekdayOnOrAfter(month + 14 + Math.floor((j * 10) / this.meetingsPerMonth));
        if (day <= this.lastDay) meetings.push({ day, kind });
      }
    }
    return meetings;
  }

  /** Members who may vote on a vote opened on `day`: active on that day and not deputies (DOMAIN.md, Votes). */
  eligibleOn(day: Day): string[] {
    if (day > this.lastDay) return [];
    return this.memberships
      .filter(
        (m) => m.seat.role !== 'deputy' && m.appointedOn <= day && (m.leftOn === undefined || day < m.leftOn),
      )
      .map((m) => m.personId);
  }

  /** A member (for proposals a member brings in), any time. */
  anyMember(prng: Prng): string {
    return prng.pick(this.memberships).personId;
  }

  /**
   * The first committee meeting at least `minDays` after `after` (strictly later, so it is still to come) with room
   * on its agenda; a full agenda sends the case to a later meeting, as after the summer break at large scales.
   */
  meetingAfter(after: Day, minDays: number): MeetingSlot | undefined {
    const earliest = after + Math.max(1, minDays);
    let lo = 0;
    let hi = this.slots.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.slots[mid] as MeetingSlot).day < earliest) lo = mid + 1;
      else hi = mid;
    }
    while (lo < this.slots.length && (this.slots[lo] as MeetingSlot).agenda.length >= MAX_AGENDA) lo++;
    return this.slots[lo];
  }

  /** Puts the proposal on the slot's agenda and returns the meeting's id. */
  book(slot: MeetingSlot, proposalId: string): string {
    slot.id ??= this.prng.uuid();
    if (!slot.agenda.includes(proposalId)) slot.agenda.push(proposalId);
    return slot.id;
  }

  /** What is left of the year's budget goes to a grant of up to `wishNok`; 0 when too little is left. */
  reserveGrant(day: Day, wishNok: number): number {
    const budget = this.shape.budgetNok ?? 0;
    const year = yearOf(day);
    const granted = this.grantedByYear.get(year) ?? 0;
    const amount = Math.min(wishNok, budget - granted);
    if (amount < MIN_GRANT_NOK) return 0;
    const rounded = Math.floor(amount / 1000) * 1000;
    this.grantedByYear.set(year, granted + rounded);
    return rounded;
  }

  /** Public meetings and workshops take up what was submitted lately. */
  noteSubmission(proposalId: string): void {
    this.recent.push(proposalId);
    if (this.recent.length > RECENT_PROPOSALS) this.recent.shift();
  }

  /** Establishment, appointments, budgets, departures and dissolution, in date order. */
  *setupSteps(): Generator<Step> {
    const steps: Step[] = [this.establishment(), ...this.budgetSteps()];
    for (const m of this.memberships) {
      steps.push(this.appointment(m));
      if (m.leftOn !== undefined) steps.push(this.departure(m, m.leftOn));
    }
    const { dissolution } = this.shape;
    if (dissolution) {
      steps.push({
        day: dayOf(dissolution.on),
        rank: Rank.closing,
        command: command('DissolveCommittee', {
          committeeId: this.id,
          dissolvedOn: dissolution.on,
          reason: dissolution.reason,
        }),
      });
    }
    // A stable sort keeps same-day steps in the order above: leave before being appointed again.
    steps.sort((a, b) => a.day - b.day || a.rank - b.rank);
    yield* steps;
  }

  private establishment(): Step {
    const { shape } = this;
    return {
      day: this.from,
      rank: Rank.committee,
      command: command('EstablishCommittee', {
        committeeId: this.id,
        name: shape.name,
        kind: shape.kind,
        ...(this.arenaId !== undefined && { arenaId: this.arenaId }),
        areas: shape.areas,
        ...(shape.theme !== undefined && { theme: shape.theme }),
        mandate: shape.mandate,
        coCreationForm: shape.coCreationForm,
        period: shape.period,
        establishedBy: { bodyId: this.councilId, caseNumber: shape.caseNumber },
      }),
    };
  }

  private budgetSteps(): Step[] {
    const amountNok = this.shape.budgetNok;
    if (amountNok === undefined) return [];
    const steps: Step[] = [];
    for (let year = yearOf(this.from); year <= yearOf(this.lastDay); year++) {
      steps.push({
        day: Math.max(this.from, dayOf(`${year}-01-01`)),
        rank: Rank.committee,
        command: command('AllocateBudget', { committeeId: this.id, year, amountNok }),
      });
    }
    return steps;
  }

  private appointment(m: Membership): Step {
    const { role, actorGroup, representationBasis, represents } = m.seat;
    return {
      day: m.appointedOn,
      rank: Rank.committee,
      command: command('AppointMember', {
        committeeId: this.id,
        personId: m.personId,
        role,
        actorGroup,
        representationBasis,
        ...(represents !== undefined && { represents }),
        appointedOn: isoOf(m.appointedOn),
      }),
    };
  }

  private departure(m: Membership, leftOn: Day): Step {
    return {
      day: leftOn,
      rank: Rank.committee,
      command: command('RecordMemberLeft', {
        committeeId: this.id,
        personId: m.personId,
        leftOn: isoOf(leftOn),
        ...(m.leftReason !== undefined && { reason: m.leftReason }),
      }),
    };
  }

  /** Committee meetings, public meetings and workshops, in date order; each agenda is read when it is held. */
  *meetingSteps(): Generator<Step> {
    let other = 0;
    for (const slot of this.slots) {
      for (
        ;
        other < this.otherMeetings.length && (this.otherMeetings[other] as OtherMeeting).day <= slot.day;
        other++
      ) {
        yield this.otherMeeting(this.otherMeetings[other] as OtherMeeting);
      }
      yield { day: slot.day, rank: Rank.meeting, build: () => this.committeeMeeting(slot) };
    }
    for (; other < this.otherMeetings.length; other++)
      yield this.otherMeeting(this.otherMeetings[other] as OtherMeeting);
  }

  private committeeMeeting(slot: MeetingSlot) {
    const present = this.eligibleOn(slot.day).filter(() => !this.prng.chance(0.1));
    const meeting = command('RecordMeeting', {
      meetingId: slot.id ?? this.prng.uuid(),
      committeeId: this.id,
      ...(this.arenaId !== undefined && { arenaId: this.arenaId }),
      kind: 'committee_meeting',
      heldOn: isoOf(slot.day),
      attendeeCount: present.length + this.prng.int(0, 8),
      attendeePersonIds: present,
      agendaProposalIds: slot.agenda,
    });
    slot.agenda = [];
    return meeting;
  }

  private otherMeeting(meeting: OtherMeeting): Step {
    return { day: meeting.day, rank: Rank.meeting, build: () => this.openMeeting(meeting) };
  }

  private openMeeting({ day, kind }: OtherMeeting) {
    const agenda = this.recent.slice(-this.prng.int(0, 3));
    const arenaId = this.arenaIds.get(this.shape.publicMeetingArenaKey);
    const common = {
      meetingId: this.prng.uuid(),
      committeeId: this.id,
      ...(arenaId !== undefined && { arenaId }),
      heldOn: isoOf(day),
      agendaProposalIds: this.prng.chance(0.2) ? [] : agenda,
    };
    if (kind === 'public_meeting') {
      return command('RecordMeeting', { ...common, kind, attendeeCount: this.prng.int(15, 180) });
    }
    const next = distinctPersons(this.prng, this.persons.size);
    const attendees = Array.from({ length: Math.min(this.prng.int(6, 20), this.persons.size) }, () =>
      this.persons.id(next()),
    );
    return command('RecordMeeting', {
      ...common,
      kind,
      attendeeCount: attendees.length + this.prng.int(0, 10),
      attendeePersonIds: attendees,
    });
  }
}
