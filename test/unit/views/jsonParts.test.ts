/**
 * The read model writes states in parts; joined, the parts must be exactly JSON.stringify's output, whatever the
 * shape (property test over arbitrary JSON, with tiny parts so that every value boundary is a possible cut).
 */
import fc from 'fast-check';
import { jsonParts } from '../../../src/views/jsonParts';

describe('jsonParts', () => {
  test('joined parts equal JSON.stringify for any JSON value and part size', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.integer({ min: 1, max: 200 }), (value, partSize) => {
        expect(jsonParts(value, partSize).join('')).toBe(JSON.stringify(value));
      }),
      { numRuns: 2_000 },
    );
  });

  test('large containers are split at entry boundaries, and nothing is held beyond one part', () => {
    const state = {
      threshold: 300,
      proposals: Object.fromEntries(
        Array.from({ length: 5_000 }, (_, i) => [`p-${i}`, { title: `Forslag ${i} på Nesøya`, supports: i }]),
      ),
      positions: Array.from({ length: 3_000 }, (_, i) => i * 7),
      skipped: undefined,
    };
    const parts = jsonParts(state, 4_096);
    expect(parts.join('')).toBe(JSON.stringify(state));
    expect(parts.length).toBeGreaterThan(20);
    // A part ends once it reaches the size: it can exceed it by at most one entry written whole (here a record, or
    // the 3,000 positions: small enough, sampled, to go to JSON.stringify in one piece).
    for (const part of parts)
      expect(part.length).toBeLessThan(4_096 + JSON.stringify(state.positions).length);
  });

  test('undefined in arrays is written as null and object entries holding undefined are left out, as JSON does', () => {
    const big = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? undefined : i));
    const value = { a: big, b: undefined, c: Object.fromEntries(big.map((v, i) => [`k${i}`, v])) };
    expect(jsonParts(value, 10).join('')).toBe(JSON.stringify(value));
  });
});
