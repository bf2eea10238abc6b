/**
 * The browser's reading of verifier keys, signed notes and checkpoints (src/dashboard/proof/signedNote.ts), held
 * to what the server writes (src/audit/signedNote.ts) and to the Go sumdb/note example.
 */
import { emptyRoot } from '../../../../src/audit/rfc9162';
import * as server from '../../../../src/audit/signedNote';
import {
  parseCheckpointBody,
  parseSignedNote,
  parseVerifierKey,
  verifyNoteSignature,
  type SignedNote,
  type VerifierKey,
} from '../../../../src/dashboard/proof/signedNote';

/** golang.org/x/mod/sumdb/note's package example: a key and note written by an independent implementation. */
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_NOTE =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n" +
  '\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

const ORIGIN = 'participation-ledger/test';
const signingKey = server.generateSigningKey();
const VKEY = server.encodeVerifierKey(ORIGIN, server.publicKeyFromPrivate(signingKey));
const CHECKPOINT = { origin: ORIGIN, treeSize: 42, rootHash: emptyRoot() };
const NOTE = server.signCheckpoint(CHECKPOINT, signingKey, ORIGIN);

async function keyOf(vkey: string): Promise<VerifierKey> {
  const key = await parseVerifierKey(vkey);
  if (key === null) throw new Error(`not a key: ${vkey}`);
  return key;
}
function noteOf(text: string): SignedNote {
  const note = parseSignedNote(text);
  if (note === null) throw new Error('not a note');
  return note;
}

describe('verifier keys', () => {
  test("reads the server's key and the Go example's, with name, key id and 32-byte key", async () => {
    const key = await keyOf(VKEY);
    const serverKey = server.parseVerifierKey(VKEY);
    expect({ name: key.name, keyId: key.keyId, publicKey: Buffer.from(key.publicKey) }).toEqual({
      name: serverKey.keyName,
      keyId: serverKey.keyId.toString('hex'),
      publicKey: serverKey.publicKey,
    });
    expect(await keyOf(GO_VERIFIER_KEY)).toMatchObject({ name: 'PeterNeumann', keyId: 'c74f20a3' });
  });

  test('refuses a wrong key id, another key type, a short key, non-canonical base64, and non-strings', async () => {
    const [name, id, key] = GO_VERIFIER_KEY.split('+') as [string, string, string];
    const typed = Buffer.from(key, 'base64');
    const refused = [
      `${name}+c74f20a4+${key}`, // key id of another key
      `Peter+${id}+${key}`, // the id binds the name too
      `${name}+C74F20A3+${key}`, // upper-case hex
      `${name}+${id}+${Buffer.concat([Buffer.from([0x02]), typed.subarray(1)]).toString('base64')}`,
      `${name}+${id}+${typed.subarray(0, 32).toString('base64')}`,
      `${name}+${id}+${key.slice(0, -1)}`, // padding dropped
      `${name}+${id}`,
      `+${id}+${key}`,
      `Peter Neumann+${id}+${key}`,
      'x'.repeat(5000),
    ];
    for (const vkey of refused) expect([vkey, await parseVerifierKey(vkey)]).toEqual([vkey, null]);
    for (const value of [undefined, null, 42, {}, [GO_VERIFIER_KEY]])
      expect(await parseVerifierKey(value)).toBeNull();
  });
});

describe('signed notes', () => {
  test("the Go example's note and the server's checkpoint verify by their keys", async () => {
    expect(await verifyNoteSignature(noteOf(GO_NOTE), await keyOf(GO_VERIFIER_KEY))).toBe('valid');
    expect(await verifyNoteSignature(noteOf(NOTE), await keyOf(VKEY))).toBe('valid');
  });

  test('a changed text or signature is invalid; a note without a line by the key says nothing about it', async () => {
    const key = await keyOf(VKEY);
    expect(await verifyNoteSignature(noteOf(NOTE.replace('\n42\n', '\n43\n')), key)).toBe('invalid');
    const blobAt = NOTE.lastIndexOf(' ') + 12;
    const flipped = `${NOTE.slice(0, blobAt)}${NOTE[blobAt] === 'A' ? 'B' : 'A'}${NOTE.slice(blobAt + 1)}`;
    expect(await verifyNoteSignature(noteOf(flipped), key)).toBe('invalid');
    expect(await verifyNoteSignature(noteOf(GO_NOTE), key)).toBe('absent');
  });

  test("other keys' lines (a witness's cosignature) are kept and ignored; a failing second line by the key rejects", async () => {
    const witness = server.generateSigningKey();
    const cosigned = server.signNote(server.checkpointBody(CHECKPOINT), witness, 'witness.example');
    const both = NOTE + cosigned.slice(cosigned.lastIndexOf('\n\n') + 2);
    const note = noteOf(both);
    expect(note.signatures.map((s) => s.name)).toEqual([ORIGIN, 'witness.example']);
    expect(await verifyNoteSignature(note, await keyOf(VKEY))).toBe('valid');
    // A second line by our key, with a signature that is no signature of this text.
    const ourId = server.keyId(ORIGIN, server.publicKeyFromPrivate(signingKey));
    const forgedLine = `\u2014 ${ORIGIN} ${Buffer.concat([ourId, Buffer.alloc(64)]).toString('base64')}\n`;
    expect(await verifyNoteSignature(noteOf(NOTE + forgedLine), await keyOf(VKEY))).toBe('invalid');
  });

  test('refuses what is not a well-formed note', () => {
    const [text, signatures] = [
      NOTE.slice(0, NOTE.lastIndexOf('\n\n') + 1),
      NOTE.slice(NOTE.lastIndexOf('\n\n') + 2),
    ];
    const refused = [
      text, // no signatures
      `${text}\n`, // a blank line and none
      NOTE.slice(0, -1), // no final newline
      NOTE.replace('\u2014 ', '- '), // a hyphen for the em dash
      `${text}\n${signatures.replace(' ', '  ')}`,
      `${text}\n${signatures}garbage\n`,
      NOTE.replace('42', '4\u00002'), // a control character
      NOTE.replace('42', '4\ud8002'), // a lone surrogate
      `${text}\n${signatures.repeat(101)}`, // too many signatures
      `${'x'.repeat(70_000)}\n${NOTE}`,
    ];
    for (const note of refused) expect(parseSignedNote(note)).toBeNull();
    for (const value of [undefined, null, 42, { note: NOTE }]) expect(parseSignedNote(value)).toBeNull();
  });
});

describe('checkpoint bodies (tlog-checkpoint)', () => {
  test("reads the server's body, extension lines and all", () => {
    const body = server.checkpointBody(CHECKPOINT);
    const read = parseCheckpointBody(body);
    expect(read && { ...read, rootHash: Buffer.from(read.rootHash) }).toEqual(CHECKPOINT);
    expect(parseCheckpointBody(`${body}extension\n`)?.treeSize).toBe(42);
  });

  test('refuses what the server refuses', () => {
    const root = emptyRoot().toString('base64');
    const bodies = [
      `${ORIGIN}\n042\n${root}\n`,
      `${ORIGIN}\n-1\n${root}\n`,
      `${ORIGIN}\n1e3\n${root}\n`,
      `${ORIGIN}\n99999999999999999\n${root}\n`,
      `${ORIGIN}\n42\n${root.slice(0, -1)}\n`,
      `${ORIGIN}\n42\n${Buffer.alloc(31).toString('base64')}\n`,
      `${ORIGIN}\n42\n${root}`,
      `\n42\n${root}\n`,
      `${ORIGIN}\n42\n${root}\n\nextension\n`,
      `${ORIGIN}\n42\n`,
    ];
    for (const body of bodies) {
      expect([body, parseCheckpointBody(body)]).toEqual([body, null]);
      expect([body, server.parseCheckpointBody(body)]).toEqual([body, null]);
    }
  });
});
