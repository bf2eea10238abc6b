/**
 * "As of" (API.md): a global position, or an ISO timestamp meaning the last event recorded at or before it.
 * recordedAt never decreases along the global order, so a timestamp resolves to a prefix of the log by binary search.
 */
import { osloDateOf } from '../domain/dates';
import type { EventStore } from '../store/eventStore';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
export type AsOfParse =
  { kind: 'position'; position: number } | { kind: 'time'; time: Date } | { kind: 'invalid' };

export function parseAsOf(raw: string): AsOfParse {
  if (/^-?\d{1,15}$/.test(raw)) {
    const position = Number(raw);
    return position >= -1 ? { kind: 'position', position } : { kind: 'invalid' };
  }
  if (ISO_TIMESTAMP.test(raw)) {
    const time = new Date(raw.length === 10 ? `${raw}T23:59:59.999Z` : raw);
    if (!Number.isNaN(time.getTime())) return { kind: 'time', time };
  }
  return { kind: 'invalid' };
}

async function recordedAtOf(store: EventStore, position: number): Promise<string | undefined> {
  for await (const e of store.readAll(position, { limit: 1 })) return e.recordedAt;
  return undefined;
}

/** The global position of the last event with recordedAt ≤ time (−1 when none). */
export async function positionAtTime(store: EventStore, time: Date): Promise<number> {
  const iso = time.toISOString();
  let lo = 0;
  let hi = await store.headPosition();
  let found = -1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const at = await recordedAtOf(store, mid);
    if (at !== undefined && at <= iso) {
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
 * The point a read answers at: `raw` (a position or timestamp) resolved to a global position, or undefined for
 * "now"; plus the business date deadlines are judged at. Throws RangeError for a value that is neither.
 */
export async function resolveAsOf(
  store: EventStore,
  raw: string | undefined,
  now: Date,
): Promise<{ position: number | undefined; date: string }> {
  if (raw === undefined) return { position: undefined, date: osloDateOf(now) };
  const asOf = parseAsOf(raw);
  if (asOf.kind === 'invalid')
    throw new RangeError('asOf must be a global position (an integer ≥ −1) or an ISO timestamp');
  if (asOf.kind === 'time')
    return { position: await positionAtTime(store, asOf.time), date: osloDateOf(asOf.time) };
  return { position: asOf.position, date: (await dateAtPosition(store, asOf.position)) ?? osloDateOf(now) };
}
