import { isPowerOfTwo, rootFromLeafHashes, splitPoint } from '../../../src/audit/merkleTreeHash';
import { leafHash } from '../../../src/audit/rfc9162';
import { LEAF_INPUTS, ROOTS } from './transparencyDevVectors';

const leafHashes = LEAF_INPUTS.map((input) => leafHash(Buffer.from(input, 'hex')));

describe('RFC 9162 §2.1.1 Merkle Tree Hash (reference)', () => {
  it.each(ROOTS.map((root, size) => [size, root]))(
    'given the first %i leaves of the transparency-dev test tree, when MTH is taken, then it is the published root',
    (size, root) => {
      expect(rootFromLeafHashes(leafHashes.slice(0, Number(size))).toString('hex')).toBe(root);
    },
  );

  it('given n > 1, when split, then k is the largest power of two smaller than n', () => {
    expect([2, 3, 4, 5, 8, 9, 1000].map(splitPoint)).toEqual([1, 2, 2, 4, 4, 8, 512]);
    expect(splitPoint(2 ** 40 + 1)).toBe(2 ** 40); // beyond 32-bit integers
    expect(() => splitPoint(1)).toThrow(RangeError);
  });

  it('given some numbers, when tested for powers of two, then only 2^i answer true', () => {
    expect([0, 1, 2, 3, 4, 6, 8, 2 ** 33, 2 ** 33 + 2].map(isPowerOfTwo)).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
      true,
      true,
      false,
    ]);
  });
});
