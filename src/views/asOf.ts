/**
 * "As of" (API.md): a global position, or an ISO timestamp meaning the last event recorded at or before it.
 * recordedAt never decreases along the global order, so a timestamp resolves to a prefix of the log by binary search.
 */
import { osloDateOf } from '../domain/dates';
import { isCalendarDate } from '../domain/events';
import type { EventStore } from '../store/eventStore';

export type AsOf = { kind: 'position'; position: number } | { kind: 'time'; time: Date };
export type AsOfParse = AsOf | { kind: 'invalid'; reason: string };

/** A global position as reads take it: plain decimal digits without sign or leading zero, or −1 (no event yet). */
export function parsePosition(raw: string): number | undefined {
  if (!/^(-1|0|[1-9][0-9]{0,15})$/.test(raw)) return undefined;
  const position = Number(raw);
  return Number.isSafeInteger(position) ? position : undefined;
}

/**
 * An RFC 3339 date-time (the ISO 8601 profile that the ledger's own recordedAt follows): date, `T`, time to the
 * second with an optional fraction, and `Z` or an offset. Without a zone the instant would depend on whose clock
 * is meant, so one is required.
 */
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/** The instant an RFC 3339 timestamp names, or undefined when it names none (2021-02-30, 24:00, +25:00 …). */
export function parseTimestamp(raw: string): Date | undefined {
  const m = TIMESTAMP.exec(raw);
  if (!m) return undefined;
  const [, date = '', hh = '', mm = '', ss = '', fraction = '', sign, offsetHh = '0', offsetMm = '0'] = m;
  const [hours, minutes, seconds] = [Number(hh), Number(mm), Number(ss)];
  if (!isCalendarDate(date) || hours > 23 || minutes > 59 || seconds > 59) return undefined;
  if (Number(offsetHh) > 23 || Number(offsetMm) > 59) return undefined;
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  // recordedAt has millisecond precision, so cutting the fraction there keeps "recordedAt ≤ T" exact.
  instant.setUTCHours(hours, minutes, seconds, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(offsetHh) * 60 + Number(offsetMm));
  return new Date(instant.getTime() - offsetMinutes * 60_000);
}

/** Reads `asOf`; an invalid one comes back with the reason, worded to follow the parameter's name. */
export function parseAsOf(raw: string): AsOfParse {
  const position = parsePosition(raw);
  if (position !== undefined) return { kind: 'position', position };
  if (/^[+-]?[0-9]+$/.test(raw)) {
    return {
      kind: 'invalid',
      reason:
        'is not a position: write a whole number without sign or leading zero (at most 9007199254740991), or -1',
    };
  }
  const time = parseTimestamp(raw);
  if (time) return { kind: 'time', time };
  if (TIMESTAMP.test(raw)) {
    return {
      kind: 'invalid',
      reason: 'is not a moment of the calendar: check the day, the time (00:00:00–23:59:59) and the offset',
    };
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    return {
      kind: 'invalid',
      reason: `is a date alone, which names no moment: give a time and a zone, e.g. ${raw}T23:59:59+01:00`,
    };
  }
  return {
    kind: 'invalid',
    reason: 'must be a global position (a whole number, or -1) or a timestamp such as 2021-03-01T12:00:00Z',
  };
}

async function recordedAtOf(store: EventStore, position: number): Promise<string | undefined> {
  for await (const e of store.readAll(position, { limit: 1 })) return e.recordedAt;
  return undefined;
}

/** The global position of the last event with recordedAt ≤ time (−1 when none). */
export async function positionAtTime(store: EventStore, time: Date): Promise<number> {
  const limit = time.getTime();
  let lo = 0;
  let hi = await store.headPosition();
  let found = -1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const at = await recordedAtOf(store, mid);
    if (at !== undefined && Date.parse(at) <= limit) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The business date a view judges deadlines at: the as-of instant's date in Oslo. */
export async function dateAtPosition(store: EventStore, position: number): Promise<string | undefined> {
  const at = position >= 0 ? await recordedAtOf(store, position) : undefined;
  return at ? osloDateOf(new Date(at)) : undefined;
}

/**
 * The point a read answers at: `asOf` resolved to a global position, or undefined for "now"; plus the business
 * date deadlines are judged at. Only the store can fail here, and its failures are the server's, not the caller's.
 */
export async function resolveAsOf(
  store: EventStore,
  asOf: AsOf | undefined,
  now: Date,
): Promise<{ position: number | undefined; date: string }> {
  if (asOf === undefined) return { position: undefined, date: osloDateOf(now) };
  if (asOf.kind === 'time')
    return { position: await positionAtTime(store, asOf.time), date: osloDateOf(asOf.time) };
  return { position: asOf.position, date: (await dateAtPosition(store, asOf.position)) ?? osloDateOf(now) };
}
