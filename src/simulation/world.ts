/** What every part of a simulated trial shares: the people, the political bodies, the committees and the calendar. */
import type { BodyKey } from './asker';
import type { CommitteePlan } from './committeePlan';
import type { Day } from './days';
import { yearOf } from './days';
import type { PersonPool } from './people';

export interface BodyRef {
  id: string;
  /** Members of the body, for the votes for and against in its decisions; the administration does not vote. */
  seats?: number;
}

export interface TrialWorld {
  persons: PersonPool;
  bodies: Readonly<Record<BodyKey, BodyRef>>;
  committees: readonly CommitteePlan[];
  /** The last business date of the trial. */
  end: Day;
  citizenInitiativeThreshold: number;
  /** The municipality's case number for a new case opened on `day`, e.g. "21/01234". */
  nextCaseNumber(day: Day): string;
}

export function caseNumbers(): (day: Day) => string {
  let next = 1200;
  return (day) => `${String(yearOf(day) % 100).padStart(2, '0')}/${String(next++).padStart(5, '0')}`;
}
