import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { emptyRoot } from '../../../src/audit/rfc9162';
import {
  checkpointBody,
  encodeVerifierKey,
  generateSigningKey,
  keyId,
  openNote,
  parseCheckpointBody,
  parseVerifierKey,
  publicKeyFromPrivate,
  signCheckpoint,
  signingKeyFromSeed,
  signNote,
  verifyCheckpointNote,
} from '../../../src/audit/signedNote';
import { sha256 } from './proofProbes';

/**
 * The example of golang.org/x/mod/sumdb/note (note.go, package documentation): an independent implementation of
 * the same format. Ed25519 is deterministic (RFC 8032), so signing the text with that key must give these bytes.
 */
const GO_SIGNER_KEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE =
  GO_TEXT +
  '\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

/** "PRIVATE+KEY+<name>+<id>+<base64(0x01 || seed)>"; the base64 may contain '+', so take what follows the 4th. */
function goSeed(skey: string): Buffer {
  const parts = skey.split('+');
  return Buffer.from(parts.slice(4).join('+'), 'base64').subarray(1);
}

describe('signed notes against the Go sumdb/note example', () => {
  const key = signingKeyFromSeed(goSeed(GO_SIGNER_KEY));
  const publicKey = publicKeyFromPrivate(key);

  it('given the example signing key, when its verifier key is encoded, then it is the published vkey', () => {
    expect(encodeVerifierKey('PeterNeumann', publicKey)).toBe(GO_VERIFIER_KEY);
  });

  it('given the example text and key, when signed, then the note is the published one byte for byte', () => {
    expect(signNote(GO_TEXT, key, 'PeterNeumann')).toBe(GO_NOTE);
  });

  it('given the published note, when opened with the published vkey, then its text comes back', () => {
    const vkey = parseVerifierKey(GO_VERIFIER_KEY);
    expect(vkey.keyId.toString('hex')).toBe('c74f20a3');
    expect(openNote(GO_NOTE, vkey.publicKey, vkey.keyName)).toBe(GO_TEXT);
  });

  it('given the published note with one letter changed, when opened, then it is rejected', () => {
    expect(openNote(GO_NOTE.replace('cryptography', 'cryptographY'), publicKey, 'PeterNeumann')).toBeNull();
  });
});

describe('checkpoints (c2sp.org/tlog-checkpoint)', () => {
  const key = generateSigningKey();
  const publicKey = publicKeyFromPrivate(key);
  const checkpoint = { origin: 'ledger.example/participation', treeSize: 1234, rootHash: sha256('root') };
  const note = signCheckpoint(checkpoint, key, 'ledger.example/participation');

  it('given a tree head, when signed, then the note has the layout the specs describe, checked piece by piece', () => {
    const lines = note.split('\n');
    // tlog-checkpoint "Note text": origin, tree size in decimal, base64 root hash; signed-note: then a blank line.
    expect(lines.slice(0, 4)).toEqual([
      'ledger.example/participation',
      '1234',
      checkpoint.rootHash.toString('base64'),
      '',
    ]);
    // signed-note "Format": em dash (U+2014), space, key name, space, base64 signature, newline — and nothing more.
    expect(lines.slice(5)).toEqual(['']);
    const signatureLine = lines[4] ?? '';
    expect(signatureLine.startsWith('\u2014 ledger.example/participation ')).toBe(true);
    const blob = Buffer.from(signatureLine.split(' ')[2] ?? '', 'base64');
    // "base64 encoding of 4+n bytes": the key ID, then the 64-byte Ed25519 signature of the note text.
    expect(blob.length).toBe(4 + 64);
    const expectedId = createHash('sha256')
      .update(Buffer.concat([Buffer.from('ledger.example/participation\n\u0001', 'utf8'), publicKey]))
      .digest()
      .subarray(0, 4);
    expect(blob.subarray(0, 4).equals(expectedId)).toBe(true);
    const text = Buffer.from(
      `ledger.example/participation\n1234\n${checkpoint.rootHash.toString('base64')}\n`,
    );
    expect(verify(null, text, key, blob.subarray(4))).toBe(true);
  });

  it('given a signed checkpoint, when verified with the right key and name, then the tree head comes back', () => {
    expect(verifyCheckpointNote(note, publicKey, 'ledger.example/participation')).toEqual(checkpoint);
  });

  it('given the empty tree, when its checkpoint is signed and verified, then size 0 and the empty root come back', () => {
    const empty = { origin: 'o', treeSize: 0, rootHash: emptyRoot() };
    expect(verifyCheckpointNote(signCheckpoint(empty, key, 'o'), publicKey, 'o')).toEqual(empty);
  });

  it.each([
    ['a changed size', (n: string) => n.replace('\n1234\n', '\n1235\n')],
    [
      'a changed root',
      (n: string) => n.replace(checkpoint.rootHash.toString('base64'), sha256('x').toString('base64')),
    ],
    ['a changed origin', (n: string) => n.replace('participation\n1234', 'participatiom\n1234')],
    [
      'a flipped signature character',
      (n: string) =>
        n.replace(/ (\S)(\S+)\n$/u, (_m, c: string, r: string) => ` ${c === 'A' ? 'B' : 'A'}${r}\n`),
    ],
    ['the signature line removed', (n: string) => n.slice(0, n.indexOf('\u2014'))],
    ['no blank line', (n: string) => n.replace('\n\n', '\n')],
    ['no final newline', (n: string) => n.slice(0, -1)],
    ['a control character in the text', (n: string) => n.replace('ledger', 'led\u0007ger')],
    ['a hyphen for the em dash', (n: string) => n.replace('\u2014', '-')],
  ])('given a note with %s, when verified, then it is rejected', (_what, tamper) => {
    const tampered = tamper(note);
    expect(tampered).not.toBe(note);
    expect(verifyCheckpointNote(tampered, publicKey, 'ledger.example/participation')).toBeNull();
  });

  it('given another key, or the right key under another name, when verifying, then the note is rejected', () => {
    expect(
      verifyCheckpointNote(note, publicKeyFromPrivate(generateSigningKey()), 'ledger.example/participation'),
    ).toBeNull();
    expect(verifyCheckpointNote(note, publicKey, 'ledger.example/other')).toBeNull();
  });

  it('given an extra signature by an unknown key, when verifying, then it is ignored and the note still holds', () => {
    const witness = signNote(checkpointBody(checkpoint), generateSigningKey(), 'witness.example');
    const cosigned = note + witness.slice(witness.indexOf('\u2014'));
    expect(verifyCheckpointNote(cosigned, publicKey, 'ledger.example/participation')).toEqual(checkpoint);
  });

  it('given a second, failing signature by the known key, when verifying, then the whole note is rejected', () => {
    const line = note.slice(note.indexOf('\u2014'));
    const blob = Buffer.from(line.trim().split(' ')[2] ?? '', 'base64');
    blob[10] = (blob[10] ?? 0) ^ 1; // keep the key ID, spoil the signature
    const forged = `${note}\u2014 ledger.example/participation ${blob.toString('base64')}\n`;
    expect(verifyCheckpointNote(forged, publicKey, 'ledger.example/participation')).toBeNull();
  });

  it('given the example body of the tlog-checkpoint spec, when parsed, then origin, size and root are read', () => {
    const body = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
    const parsed = parseCheckpointBody(body);
    expect(parsed?.origin).toBe('example.com/behind-the-sofa');
    expect(parsed?.treeSize).toBe(20852163);
    expect(parsed?.rootHash.toString('base64')).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(checkpointBody(parsed ?? checkpoint)).toBe(body);
  });

  it.each([
    ['a leading zero in the size', 'o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['a negative size', 'o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['a size beyond 2^53', 'o\n9007199254740993\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['an empty origin', '\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n'],
    ['a 31-byte root', `o\n1\n${Buffer.alloc(31).toString('base64')}\n`],
    ['unpadded base64', 'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n'],
    ['only two lines', 'o\n1\n'],
    ['an empty extension line', 'o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n'],
  ])(
    'given a validly signed note whose body has %s, when verified as a checkpoint, then it is rejected',
    (_what, body) => {
      const key2 = generateSigningKey();
      const signed = signNote(body, key2, 'k');
      expect(openNote(signed, publicKeyFromPrivate(key2), 'k')).not.toBeNull();
      expect(verifyCheckpointNote(signed, publicKeyFromPrivate(key2), 'k')).toBeNull();
    },
  );

  it('given a body with an extension line, when verified, then the tree head is read and the extension ignored', () => {
    const body = `${checkpointBody(checkpoint)}extension\n`;
    expect(verifyCheckpointNote(signNote(body, key, 'k'), publicKey, 'k')).toEqual(checkpoint);
  });
});

describe('keys', () => {
  it('given two generated keys, then their public keys are 32 bytes and differ', () => {
    const a = publicKeyFromPrivate(generateSigningKey());
    const b = publicKeyFromPrivate(generateSigningKey());
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
  });

  it('given a key that is not Ed25519, when used to sign, then it is refused', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => publicKeyFromPrivate(privateKey)).toThrow(TypeError);
  });

  it('given a verifier key, when encoded and parsed, then name, id and key come back', () => {
    const publicKey = publicKeyFromPrivate(generateSigningKey());
    const parsed = parseVerifierKey(encodeVerifierKey('ledger.example/log', publicKey));
    expect(parsed.keyName).toBe('ledger.example/log');
    expect(parsed.publicKey.equals(publicKey)).toBe(true);
    expect(parsed.keyId.equals(keyId('ledger.example/log', publicKey))).toBe(true);
  });

  it.each([
    ['a wrong key id', GO_VERIFIER_KEY.replace('c74f20a3', 'c74f20a4')],
    ['another name', GO_VERIFIER_KEY.replace('PeterNeumann', 'PeterNeuman')],
    ['an upper-case key id', GO_VERIFIER_KEY.replace('c74f20a3', 'C74F20A3')],
    ['signature type 0x02', GO_VERIFIER_KEY.replace('+ARpc', '+Ahpc')],
    ['a truncated key', GO_VERIFIER_KEY.slice(0, -4)],
    ['no key', 'PeterNeumann+c74f20a3'],
  ])('given a verifier key with %s, when parsed, then it is refused', (_what, vkey) => {
    expect(() => parseVerifierKey(vkey)).toThrow(TypeError);
  });

  it.each(['', 'with space', 'with+plus', 'tab\there'])(
    'given the key name %j, when signing, then it is refused',
    (name) => {
      expect(() => signNote('text\n', generateSigningKey(), name)).toThrow(TypeError);
    },
  );
});
