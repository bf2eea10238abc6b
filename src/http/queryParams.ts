/**
 * Query-string and path parameters, read through zod like request bodies, so that a bad query parameter is a 400
 * problem naming it (and an id in the path that cannot name a record, a 404).
 * With express's "simple" query parser every value is a string, or an array when the name is repeated (refused).
 */
import { z } from 'zod';
import { Id } from '../domain/events';
import { parseAsOf, parsePosition, type AsOf } from '../views/asOf';
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

/** `asOf`: a global position or an RFC 3339 timestamp (views/asOf.ts), parsed; a bad one is a 400 saying why. */
export const asOf = z
  .string({ message: 'must be given once, as a global position or a timestamp' })
  .max(40, { message: 'is too long for a position or a timestamp' })
  .transform((raw, ctx): AsOf => {
    const parsed = parseAsOf(raw);
    if (parsed.kind !== 'invalid') return parsed;
    ctx.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  });

/** `minPosition`: a global position written as `asOf` writes one. */
export const minPosition = z
  .string({ message: 'must be given once, as a global position' })
  .transform((raw, ctx): number => {
    const position = parsePosition(raw);
    if (position !== undefined) return position;
    ctx.addIssue({
      code: 'custom',
      message: 'must be a global position: a whole number without sign or leading zero, or -1',
    });
    return z.NEVER;
  });

/**
 * A `from`/`to` pair in order: when both are given, `from` ≤ `to`, else a 400 naming both. Dates compare as their
 * YYYY-MM-DD text, sizes as numbers.
 */
export function fromNotAfterTo(
  pair: { from?: string | number; to?: string | number },
  ctx: z.RefinementCtx,
): void {
  const { from, to } = pair;
  if (from === undefined || to === undefined || from <= to) return;
  ctx.addIssue({ code: 'custom', path: ['from'], message: `must not be after to (${to})` });
  ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${from})` });
}

/** An id from the path: one that is not a UUID names no record, so it is a 404 like an unknown one. */
export function pathId(value: unknown, what: string): string {
  if (typeof value !== 'string' || !Id.safeParse(value).success)
    throw problems.notFound(`There is no ${what} with id "${String(value)}"`);
  return value;
}
