/**
 * Business dates (ISO `YYYY-MM-DD`) as the views count them: calendar days in UTC, no clock, no time zone.
 * ISO dates compare correctly as strings, so ordering needs no parsing.
 */

const MS_PER_DAY = 86_400_000;

function parts(date: string): [year: number, month: number, day: number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

/** Days since 1970-01-01. */
export function dayNumber(date: string): number {
  const [y, m, d] = parts(date);
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

/** Calendar days from `from` to `to` (negative when `to` is earlier): 2021-03-01 → 2021-03-02 is 1. */
export function daysBetween(from: string, to: string): number {
  return dayNumber(to) - dayNumber(from);
}

/** The same day `months` calendar months later, clamped to the month's end: 2021-08-31 + 6 → 2022-02-28. */
export function addCalendarMonths(date: string, months: number): string {
  const [y, m, d] = parts(date);
  const monthIndex = y * 12 + (m - 1) + months;
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  // Day 0 of the next month is the last day of this one.
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(Math.min(d, lastDay), 2)}`;
}

export function yearOf(date: string): string {
  return date.slice(0, 4);
}

/** Whether `date` lies in the inclusive range; an open end does not limit. */
export function isWithin(date: string, from: string | undefined, to: string | undefined): boolean {
  return (from === undefined || date >= from) && (to === undefined || date <= to);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}
