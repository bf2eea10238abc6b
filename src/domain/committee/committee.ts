/**
 * A committee (lokalsamfunnsutvalg, oppgaveutvalg, områdeforum): its mandate, period, members and budget.
 * Grants are decided on proposal streams; see grantLedger.ts for how the budget rule sees them.
 */
import type { DomainEvent, EventData } from '../events';

export type CommitteeEstablishedData = EventData<'CommitteeEstablished'>;
export type MemberRole = EventData<'MemberAppointed'>['role'];

export interface Membership {
  personId: string;
  role: MemberRole;
  appointedOn: string;
  leftOn?: string;
}

export interface CommitteeRecord {
  aggregate: 'committee';
  status: 'active' | 'dissolved';
  committeeId: string;
  name: string;
  kind: CommitteeEstablishedData['kind'];
  mandate: CommitteeEstablishedData['mandate'];
  period: CommitteeEstablishedData['period'];
  /** In appointment order; a person appears again when re-appointed after leaving. */
  memberships: readonly Membership[];
  /** Year → sum of BudgetAllocated for that year. */
  allocatedNok: Readonly<Record<number, number>>;
  dissolvedOn?: string;
}

export type CommitteeState = { aggregate: 'committee'; status: 'absent' } | CommitteeRecord;

export const initialState: CommitteeState = { aggregate: 'committee', status: 'absent' };

export function evolve(state: CommitteeState, event: DomainEvent): CommitteeState {
  if (event.type === 'CommitteeEstablished') return established(event.data);
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'MemberAppointed': {
      const { personId, role, appointedOn } = event.data;
      return { ...state, memberships: [...state.memberships, { personId, role, appointedOn }] };
    }
    case 'MemberLeft':
      return { ...state, memberships: withLeft(state.memberships, event.data.personId, event.data.leftOn) };
    case 'BudgetAllocated': {
      const { year, amountNok } = event.data;
      return {
        ...state,
        allocatedNok: { ...state.allocatedNok, [year]: allocatedIn(state, year) + amountNok },
      };
    }
    case 'CommitteeDissolved':
      return { ...state, status: 'dissolved', dissolvedOn: event.data.dissolvedOn };
    default:
      return state;
  }
}

function established(data: CommitteeEstablishedData): CommitteeRecord {
  const { committeeId, name, kind, mandate, period } = data;
  return {
    aggregate: 'committee',
    status: 'active',
    committeeId,
    name,
    kind,
    mandate,
    period,
    memberships: [],
    allocatedNok: {},
  };
}

function withLeft(memberships: readonly Membership[], personId: string, leftOn: string): Membership[] {
  return memberships.map((m) => (m.personId === personId && m.leftOn === undefined ? { ...m, leftOn } : m));
}

/** The membership a person holds now (appointed and not left), if any. */
export function activeMembership(committee: CommitteeRecord, personId: string): Membership | undefined {
  return committee.memberships.find((m) => m.personId === personId && m.leftOn === undefined);
}

/** The person's most recent membership, active or former. */
export function lastMembership(committee: CommitteeRecord, personId: string): Membership | undefined {
  return committee.memberships.findLast((m) => m.personId === personId);
}

/** The last day the committee can act: the end of its period, or its dissolution when that comes first. */
export function lastDayOf(committee: CommitteeRecord): string {
  const { dissolvedOn } = committee;
  return dissolvedOn !== undefined && dissolvedOn < committee.period.to ? dissolvedOn : committee.period.to;
}

export function isWithinCommitteeTime(committee: CommitteeRecord, date: string): boolean {
  return date >= committee.period.from && date <= lastDayOf(committee);
}

/** A member counts from the day of appointment up to, not including, the day they left. */
function isMemberOn(membership: Membership, date: string): boolean {
  return membership.appointedOn <= date && (membership.leftOn === undefined || date < membership.leftOn);
}

/** Who may vote on a vote opened on `date`: active members on that day other than deputies (DOMAIN.md, Votes). */
export function eligibleVotersOn(committee: CommitteeRecord, date: string): ReadonlySet<string> {
  if (committee.dissolvedOn !== undefined && date > committee.dissolvedOn) return new Set();
  return new Set(
    committee.memberships.filter((m) => m.role !== 'deputy' && isMemberOn(m, date)).map((m) => m.personId),
  );
}

export function allocatedIn(committee: CommitteeRecord, year: number): number {
  return committee.allocatedNok[year] ?? 0;
}
