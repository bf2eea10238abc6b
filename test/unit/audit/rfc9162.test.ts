import { emptyRoot, leafHash, nodeHash } from '../../../src/audit/rfc9162';
import { HASHER_VECTORS } from './transparencyDevVectors';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('RFC 9162 §2.1.1 hash functions (transparency-dev rfc6962_test.go vectors)', () => {
  it('given no leaves, when the empty root is taken, then it is SHA-256 of the empty string', () => {
    expect(hex(emptyRoot())).toBe(HASHER_VECTORS.emptyRoot);
  });

  it('given an empty leaf, when hashed, then it is SHA-256(0x00) and differs from the empty root', () => {
    expect(hex(leafHash(new Uint8Array()))).toBe(HASHER_VECTORS.emptyLeaf);
    expect(hex(leafHash(new Uint8Array()))).not.toBe(HASHER_VECTORS.emptyRoot);
  });

  it('given leaf "L123456", when hashed, then it matches the published leaf hash', () => {
    expect(hex(leafHash(Buffer.from('L123456')))).toBe(HASHER_VECTORS.leafL123456);
  });

  it('given a text, when hashed as a leaf, then it is the leaf hash of its UTF-8 bytes', () => {
    for (const text of ['L123456', '', 'Æøå € 🌲', '\u0000nul']) {
      expect(hex(leafHash(text))).toBe(hex(leafHash(Buffer.from(text, 'utf8'))));
    }
    expect(hex(leafHash('L123456'))).toBe(HASHER_VECTORS.leafL123456);
  });

  it('given children "N123" and "N456", when combined, then it matches the published node hash', () => {
    expect(hex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe(HASHER_VECTORS.nodeN123N456);
  });

  it('given two leaves, when their node is built, then order matters and it is not the leaf hash of the concatenation', () => {
    const a = leafHash(Buffer.from('Hello'));
    const b = leafHash(Buffer.from('World'));
    expect(nodeHash(a, b).equals(nodeHash(b, a))).toBe(false);
    expect(nodeHash(a, b).equals(leafHash(Buffer.concat([a, b])))).toBe(false);
  });
});
