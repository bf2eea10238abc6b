/**
 * The port's revisions and positions in the client's terms: expected revisions as the client's constants or a bigint,
 * the server's `WrongExpectedVersionError` as the port's conflict, and `$all` positions (two unsigned 64-bit byte
 * offsets) as text that sorts in SQLite the way the numbers do.
 */
import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
} from '@eventstore/db-client';
import { WrongExpectedRevisionError, type ExpectedRevision } from '../eventStore';

export function toClientRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  if (expected === 'stream_exists') return STREAM_EXISTS;
  // -1 is the port's revision of a stream with no events (what streamRevision answers), so it expects none.
  if (expected === -1) return NO_STREAM;
  if (!Number.isSafeInteger(expected) || expected < 0) {
    throw new RangeError(
      `an expected revision is 'any', 'no_stream', 'stream_exists' or a revision ≥ 0, not ${expected}`,
    );
  }
  return BigInt(expected);
}

/** The revision the ledger seals for a stream at `current` (-1: none yet), as the exact expectation ESDB enforces. */
export function exactClientRevision(current: number): AppendExpectedRevision {
  return current < 0 ? NO_STREAM : BigInt(current);
}

/** The client's current revision (`no_stream` or a bigint) as the port's number, -1 for no stream. */
export function fromClientRevision(actual: bigint | typeof NO_STREAM | string | undefined): number {
  if (typeof actual === 'bigint') return Number(actual);
  return -1;
}

/** The server's conflict as the port's, with the revision the stream is really at. */
export function toPortConflict(
  error: unknown,
  streamId: string,
  expected: ExpectedRevision,
): WrongExpectedRevisionError | undefined {
  if (!(error instanceof WrongExpectedVersionError)) return undefined;
  return new WrongExpectedRevisionError(streamId, expected, fromClientRevision(error.actualVersion));
}

/** A `$all` position, commit then prepare. */
export interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

const U64_DIGITS = 20;
const MAX_U64 = (1n << 64n) - 1n;

/** 20 decimal digits, zero-padded: texts compare as the unsigned 64-bit numbers do (SQLite has no u64). */
export function positionText(value: bigint): string {
  if (value < 0n || value > MAX_U64)
    throw new RangeError(`a $all position is an unsigned 64-bit number, not ${value}`);
  return value.toString().padStart(U64_DIGITS, '0');
}

export function positionFromText(text: string): bigint {
  if (!/^\d{20}$/.test(text)) throw new RangeError(`not a stored $all position: ${JSON.stringify(text)}`);
  return BigInt(text);
}

/** Whether `a` comes after `b` in `$all` (commit order; prepare breaks ties inside one commit). */
export function isAfter(a: LogPosition, b: LogPosition): boolean {
  return a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);
}
