/** Business dates are ISO `YYYY-MM-DD` strings, which compare correctly as strings. */
import type { RuleName } from './rules';
import { broken } from './rules';

/** Something that happened on a date, named for a clerk: `{ date: '2021-03-01', what: 'the submission' }`. */
export interface DatedStep {
  date: string;
  what: string;
}

export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

/** The latest of the steps (the one a new date must not precede), or undefined when there is none. */
export function latestStep(steps: ReadonlyArray<DatedStep | undefined>): DatedStep | undefined {
  let latest: DatedStep | undefined;
  for (const step of steps) {
    if (step && (!latest || step.date > latest.date)) latest = step;
  }
  return latest;
}

/** "No business date before the date it depends on": `date` may not precede any of `steps`. */
export function assertNotBefore(
  date: string,
  steps: ReadonlyArray<DatedStep | undefined>,
  rule: Exclude<RuleName, 'references-exist'>,
  subject: string,
): void {
  const latest = latestStep(steps);
  if (latest && date < latest.date) {
    throw broken(rule, `${subject} (${date}) cannot be dated before ${latest.what} (${latest.date})`);
  }
}

/** The ledger records what has happened, so no business date lies after `today` (the server's date). */
export function assertNotInFuture(date: string, today: string, subject: string): void {
  if (date > today) {
    throw broken(
      'date-not-in-future',
      `${subject} (${date}) is after today (${today}): record it when it has happened`,
    );
  }
}

/**
 * The same for a year: `year` lies at most `yearsAhead` years after today's year. A budget may be allocated for the
 * coming year (it is adopted before the year starts, so it is a plan); a birth year is a fact.
 */
export function assertYearNotInFuture(
  year: number,
  today: string,
  subject: string,
  yearsAhead: 0 | 1 = 0,
): void {
  const latest = yearOf(today) + yearsAhead;
  if (year > latest) {
    throw broken(
      'date-not-in-future',
      yearsAhead === 0
        ? `${subject} (${year}) is after this year (${latest})`
        : `${subject} (${year}) is after next year (${latest}): it can be recorded for this year or the coming one`,
    );
  }
}

const osloCalendar = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** The business date (YYYY-MM-DD) of an instant: business dates are Norwegian dates, whatever the server's zone. */
export function osloDateOf(instant: Date): string {
  return osloCalendar.format(instant);
}
