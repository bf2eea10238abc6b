/**
 * assertFitsEntry refuses exactly the events whose leaf text, at its widest place in the log, exceeds a tlog-tiles
 * entry (65,535 bytes): its shortcut (3 bytes per UTF-16 unit of the JSON) never lets a long one through, and its
 * exact count never refuses one that fits.
 */
import fc from 'fast-check';
import { assertFitsEntry, EntryTooLargeError, leafTextBound } from '../../../src/audit/entrySize';
import type { NewEvent } from '../../../src/store/eventStore';

const eventWith = (description: string, reason: string): NewEvent => ({
  eventId: '0192f0a0-0000-7000-8000-000000000000',
  type: 'ProposalAmended',
  schemaVersion: 1,
  occurredAt: '2021-03-02',
  actor: { principal: 'clerk-1', role: 'clerk' },
  correlationId: '0192f0a0-0000-7000-8000-000000000001',
  causationId: null,
  data: { description, amendedOn: '2021-03-02', reason },
});

const fits = (event: NewEvent): boolean => {
  try {
    assertFitsEntry('proposal-0192f0a0-0000-7000-8000-000000000002', event);
    return true;
  } catch (error) {
    if (error instanceof EntryTooLargeError) return false;
    throw error;
  }
};

describe('assertFitsEntry', () => {
  it('given texts of every width around the limit, then it refuses exactly those whose leaf text is over it', () => {
    const character = fc.constantFrom('a', 'é', '€', '😀', '"', '\n', '\\', '\u2028');
    fc.assert(
      fc.property(
        character,
        fc.integer({ min: 0, max: 40_000 }),
        character,
        fc.nat(6_000),
        (c1, n1, c2, n2) => {
          const event = eventWith(c1.repeat(n1), c2.repeat(n2));
          const bound = leafTextBound('proposal-0192f0a0-0000-7000-8000-000000000002', event);
          expect(fits(event)).toBe(bound <= 65_535);
        },
      ),
      {
        numRuns: 300,
        examples: [
          ['€', 21_800, 'a', 0],
          ['a', 65_300, 'a', 0],
          ['😀', 16_383, 'a', 0],
        ],
      },
    );
  });

  it('given a short event, then it fits; given one over the limit, then the error names its type and size', () => {
    expect(fits(eventWith('kort', 'x'))).toBe(true);
    expect(() => assertFitsEntry('s', eventWith('€'.repeat(22_000), 'x'))).toThrow(
      /the ProposalAmended event would be \d+ bytes as a leaf text, more than the 65535/,
    );
  });
});
