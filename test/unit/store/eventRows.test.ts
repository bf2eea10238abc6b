/** A row changed in the file so that its JSON no longer parses is named by position, not a bare SyntaxError. */
import { UnreadableEventError } from '../../../src/store/eventStore';
import { rowToEvent, viewEventOf } from '../../../src/store/sqlite/eventRows';
import type { EventRow } from '../../../src/store/sqlite/schema';

const row = (changes: Partial<EventRow>): EventRow =>
  ({
    global_position: 7,
    event_id: '0190a7c0-0000-7000-8000-000000000001',
    stream_id: 'proposal-0190a7c0-0000-7000-8000-000000000002',
    stream_revision: 0,
    type: 'ProposalSubmitted',
    schema_version: 1,
    recorded_at: '2021-02-01T10:00:00.000Z',
    occurred_at: '2021-02-01',
    actor: '{"principal":"t","role":"clerk"}',
    correlation_id: 'c',
    causation_id: null,
    data: '{"title":"x"}',
    data_key_id: null,
    ...(changes as object),
  }) as EventRow;

describe('reading event rows', () => {
  it('reads a well-formed row', () => {
    expect(rowToEvent(row({})).data).toEqual({ title: 'x' });
    expect(viewEventOf([7, 's', 'T', '[1]']).data).toEqual([1]);
  });

  it.each([
    ['data', { data: '{bad' }],
    ['actor', { actor: 'not json' }],
  ])('names the position and the field when the %s is not JSON', (field, changes) => {
    const read = (): unknown => rowToEvent(row(changes));
    expect(read).toThrow(UnreadableEventError);
    expect(read).toThrow(new RegExp(`position 7 cannot be read: its ${field} is not JSON`));
  });

  it('names the position for a view row too', () => {
    expect(() => viewEventOf([12, 's', 'T', '{"a":'])).toThrow(
      /position 12 cannot be read: its data is not JSON/,
    );
  });
});
