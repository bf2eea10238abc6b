/**
 * Calendar days as whole numbers (days since 1970-01-01), so the simulator can add and compare dates cheaply; they
 * become ISO `YYYY-MM-DD` strings only in the commands it yields.
 */
export type Day = number;

const MS_PER_DAY = 86_400_000;

export function dayOf(iso: string): Day {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / MS_PER_DAY);
}

export function isoOf(day: Day): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function yearOf(day: Day): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

export function firstOfMonth(year: number, monthIndex: number): Day {
  return Math.round(Date.UTC(year, monthIndex, 1) / MS_PER_DAY);
}

/** The first day of each month that starts within [from, to]. */
export function monthStartsBetween(from: Day, to: Day): Day[] {
  const start = new Date(from * MS_PER_DAY);
  const months: Day[] = [];
  for (let m = 0; ; m++) {
    const day = firstOfMonth(start.getUTCFullYear(), start.getUTCMonth() + m);
    if (day > to) return months;
    if (day >= from) months.push(day);
  }
}

/** Saturday or Sunday: committees meet on weekdays. */
export function isWeekend(day: Day): boolean {
  // 1970-01-01 was a Thursday (day 0); day 2 is a Saturday.
  const weekday = (((day + 4) % 7) + 7) % 7;
  return weekday === 0 || weekday === 6;
}

/** The day itself when it is a weekday, else the following Monday. */
export function weekdayOnOrAfter(day: Day): Day {
  let d = day;
  while (isWeekend(d)) d++;
  return d;
}
