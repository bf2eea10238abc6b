/**
 * Every event must fit a tlog-tiles entry: an entry bundle prefixes each leaf text with its length as a big-endian
 * uint16, so a leaf text over 65,535 bytes could be hashed into the tree but never published in a bundle, and a
 * mirror could not check it. The write path refuses such an event before it is stored.
 *
 * Which events can be too long: a LongText (20,000 UTF-16 units) is up to 60,000 bytes of UTF-8 (3 bytes for a unit
 * of the Basic Multilingual Plane; a pair of units is 4 bytes; lone surrogates and control characters other than tab
 * and line breaks, which JSON would escape as 6 bytes, are refused as text). Every event holds at most one LongText,
 * so with its envelope it stays under the limit — except ProposalAmended, whose Reason (2,000 units, 6,000 bytes) and
 * Title (300 units) come on top: an amendment that rewrites a long description in a script of 3-byte characters
 * with a long reason is refused.
 */
import type { NewEvent } from '../store/eventStore';
import { eventLeafText } from './eventLeafText';
import { MAX_ENTRY_LENGTH } from './tlogTiles';

/** An event whose leaf text could not be published in an entry bundle. */
export class EntryTooLargeError extends Error {
  override name = 'EntryTooLargeError';
  constructor(
    readonly type: string,
    readonly bytes: number,
  ) {
    super(
      `the ${type} event would be ${bytes} bytes as a leaf text, more than the ${MAX_ENTRY_LENGTH} a tlog-tiles entry can hold: shorten its texts`,
    );
  }
}

/**
 * The most bytes the event's leaf text can take once stored: its place in the log is not known yet, so the position
 * and revision are counted at their widest and the recording time at its fixed ISO width.
 */
export function leafTextBound(streamId: string, event: NewEvent): number {
  return Buffer.byteLength(
    eventLeafText({
      ...event,
      streamId,
      streamRevision: Number.MAX_SAFE_INTEGER,
      globalPosition: Number.MAX_SAFE_INTEGER,
      recordedAt: '2000-01-01T00:00:00.000Z',
    }),
    'utf8',
  );
}

/** Throws EntryTooLargeError unless the event's leaf text is sure to fit an entry bundle. */
export function assertFitsEntry(streamId: string, event: NewEvent): void {
  const bytes = leafTextBound(streamId, event);
  if (bytes > MAX_ENTRY_LENGTH) throw new EntryTooLargeError(event.type, bytes);
}
