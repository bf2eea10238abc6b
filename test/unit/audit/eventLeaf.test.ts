import { createHash } from 'node:crypto';
import { eventLeafBytes, eventLeafHash } from '../../../src/audit/eventLeaf';
import type { RecordedEvent } from '../../../src/store/eventStore';

describe('eventLeafBytes (API.md "Leaf hash")', () => {
  const envelope: RecordedEvent<Record<string, unknown>> = {
    globalPosition: 7,
    eventId: 'e-7',
    streamId: 'proposal-1',
    streamRevision: 2,
    type: 'ProposalSubmitted',
    schemaVersion: 1,
    recordedAt: '2025-03-01T10:00:00.000Z',
    occurredAt: '2025-03-01',
    actor: { principal: 'clerk-1', role: 'clerk' },
    correlationId: 'c-1',
    causationId: null,
    data: { title: 'Benker i parken', zeta: 1, alpha: [true, null] },
  };

  it('given an envelope without dataKeyId, when encoded, then it is the sorted compact JSON with causationId null', () => {
    const expected =
      '{"actor":{"principal":"clerk-1","role":"clerk"},"causationId":null,"correlationId":"c-1",' +
      '"data":{"alpha":[true,null],"title":"Benker i parken","zeta":1},"eventId":"e-7","globalPosition":7,' +
      '"occurredAt":"2025-03-01","recordedAt":"2025-03-01T10:00:00.000Z","schemaVersion":1,' +
      '"streamId":"proposal-1","streamRevision":2,"type":"ProposalSubmitted"}';
    expect(eventLeafBytes(envelope).toString('utf8')).toBe(expected);
  });

  it('given a dataKeyId, when encoded, then it is included in its sorted place', () => {
    const text = eventLeafBytes({ ...envelope, dataKeyId: 'k-1' }).toString('utf8');
    expect(text).toContain(
      '"data":{"alpha":[true,null],"title":"Benker i parken","zeta":1},"dataKeyId":"k-1","eventId"',
    );
  });

  it('given a store that hands back dataKeyId null, when encoded, then it hashes like an event without one', () => {
    const fromStore = { ...envelope, dataKeyId: null } as unknown as RecordedEvent;
    expect(eventLeafBytes(fromStore).equals(eventLeafBytes(envelope))).toBe(true);
  });

  it('given extra in-memory fields on the envelope, when encoded, then they are not part of the leaf', () => {
    const decorated = { ...envelope, leafHash: 'x', inclusionProof: [] } as RecordedEvent;
    expect(eventLeafBytes(decorated).equals(eventLeafBytes(envelope))).toBe(true);
  });

  it('given non-ASCII text, when encoded, then the bytes are its UTF-8', () => {
    const bytes = eventLeafBytes({ ...envelope, data: { title: 'Æøå €' } });
    expect(bytes.includes(Buffer.from('"title":"Æøå €"', 'utf8'))).toBe(true);
  });

  it('given an envelope, when its leaf hash is taken, then it is SHA-256(0x00 || canonical bytes)', () => {
    const expected = createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), eventLeafBytes(envelope)]))
      .digest();
    expect(eventLeafHash(envelope).equals(expected)).toBe(true);
  });

  it('given two events that differ in one data field, when hashed, then the leaf hashes differ', () => {
    const other = { ...envelope, data: { ...envelope.data, zeta: 2 } };
    expect(eventLeafHash(other).equals(eventLeafHash(envelope))).toBe(false);
  });
});
