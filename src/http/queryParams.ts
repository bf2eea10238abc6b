/**
 * Query-string parameters, read through zod like request bodies, so that a bad one is a 400 problem naming it.
 * With express's "simple" query parser every value is a string, or an array when the name is repeated (refused).
 */
import { z } from 'zod';
import type { EventStore } from '../store/eventStore';
import { resolveAsOf } from '../views/asOf';
import { problems, zodErrors } from './problem';

/** A global position, tree size or count: plain decimal digits, no sign, exponent or leading zero. */
export const wholeNumber = z
  .string({ message: 'must be given once, as a whole number ≥ 0' })
  .regex(/^(0|[1-9][0-9]{0,15})$/, { message: 'must be a whole number ≥ 0' })
  .transform(Number)
  .refine(Number.isSafeInteger, { message: 'is too large' });

/** Parses `req.query` with `schema`; throws a 400 problem listing what is wrong. */
export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    throw problems.badRequest('The query parameters are not valid', zodErrors(parsed.error));
  }
  return parsed.data;
}

/** `asOf` resolved to a position (undefined: now) and the date deadlines are judged at; a bad one is a 400. */
export async function asOfParam(
  store: EventStore,
  raw: string | undefined,
  now: Date,
): Promise<Awaited<ReturnType<typeof resolveAsOf>>> {
  try {
    return await resolveAsOf(store, raw, now);
  } catch {
    throw problems.badRequest('asOf must be a global position (an integer ≥ −1) or an ISO timestamp', [
      { path: 'asOf', message: 'not a position or an ISO timestamp' },
    ]);
  }
}
