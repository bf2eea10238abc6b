/**
 * canonicalJson and eventLeafBytes are written for speed (no per-member path strings, the envelope's top level
 * written in sorted order directly): these properties pin them to the plain reading of RFC 8785 and API.md.
 */
import fc from 'fast-check';
import { canonicalJson } from '../../../src/audit/canonicalJson';
import { eventLeafBytes, eventLeafHash } from '../../../src/audit/eventLeaf';
import { leafHash } from '../../../src/audit/rfc9162';
import type { RecordedEvent } from '../../../src/store/eventStore';
import { canonicalBySpec, leafTextBySpec } from '../../support/leafBySpec';

const envelope: fc.Arbitrary<RecordedEvent> = fc.record(
  {
    globalPosition: fc.nat(),
    eventId: fc.string(),
    streamId: fc.string(),
    streamRevision: fc.nat(),
    type: fc.string(),
    schemaVersion: fc.nat(),
    recordedAt: fc.string(),
    occurredAt: fc.string(),
    actor: fc.record({ principal: fc.string(), role: fc.string() }),
    correlationId: fc.string(),
    causationId: fc.option(fc.string(), { nil: null }),
    data: fc.jsonValue(),
    dataKeyId: fc.option(fc.string(), { nil: undefined }),
  },
  {
    requiredKeys: [
      'globalPosition',
      'eventId',
      'streamId',
      'streamRevision',
      'type',
      'schemaVersion',
      'recordedAt',
      'occurredAt',
      'actor',
      'correlationId',
      'causationId',
      'data',
    ],
  },
);

describe('the fast canonical forms equal the plain reading of the specifications', () => {
  it('canonicalJson of any JSON value (unicode names, integer-like keys, nesting) is the reference serialisation', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => canonicalJson(value) === canonicalBySpec(value)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(fc.string({ unit: 'binary' }), fc.nat().map(String)), fc.jsonValue()),
        (o) => canonicalJson(o) === canonicalBySpec(o),
      ),
      { numRuns: 1000 },
    );
  });

  it('eventLeafBytes of any envelope is the canonical JSON of exactly the API.md fields, and eventLeafHash hashes those bytes', () => {
    fc.assert(
      fc.property(envelope, (e) => {
        const bytes = eventLeafBytes(e);
        return bytes.toString('utf8') === leafTextBySpec(e) && eventLeafHash(e).equals(leafHash(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
